/** Printing a group's results as a table, and writing them as JSON. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaseResult } from './measure.js';

/** packages/core/bench/results (the source folder, also when run from dist/bench). */
export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results');

/**
 * A target from the issue: `value(result)` must be at least (`min`), below
 * (`max`) or at most (`atMost`) `limit`. Results of any shape with a name.
 */
export interface Target<R extends { name: string } = CaseResult> {
  caseName: string;
  label: string;
  limit: number;
  kind: 'min' | 'max' | 'atMost';
  value: (r: R) => number;
}

export interface TargetCheck {
  case: string;
  target: string;
  value: number;
  met: boolean;
}

export function checkTargets<R extends { name: string }>(
  results: readonly R[],
  targets: readonly Target<R>[],
): TargetCheck[] {
  const out: TargetCheck[] = [];
  for (const t of targets) {
    const r = results.find((x) => x.name === t.caseName);
    if (!r) continue;
    const value = t.value(r);
    out.push({
      case: t.caseName,
      target: t.label,
      value,
      met: t.kind === 'min' ? value >= t.limit : t.kind === 'max' ? value < t.limit : value <= t.limit,
    });
  }
  return out;
}

/** The targets block under a table. */
export function formatChecks(checks: readonly TargetCheck[]): string {
  if (checks.length === 0) return '';
  return [
    'targets:',
    ...checks.map((c) => `  ${c.met ? 'met   ' : 'MISSED'} ${c.case}: ${c.target} (got ${fmt(c.value, 2)})`),
  ].join('\n');
}

/** A plain text table: first column left-aligned, the others right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** A number with thousands separators and a fixed number of decimals. */
export const fmt = (x: number, digits = 0): string =>
  x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** The summary table, then the six costliest commands of each case. */
export function formatResults(results: readonly CaseResult[], checks: readonly TargetCheck[]): string {
  const summary = table(
    [
      'case',
      'tasks',
      'tasks/s',
      'Redis µs/task',
      'Redis load',
      'cmds/task',
      'scripts/task',
      'Node µs/task',
      'Node ELU',
      'other load',
      'load avg',
    ],
    results.map((r) => [
      r.name,
      fmt(r.tasks),
      fmt(r.tasksPerSec),
      fmt(r.redis.cpuUsPerTask, 2),
      fmt(r.redis.cpuLoad, 2),
      fmt(r.redis.commandsPerTask, 3),
      fmt(r.redis.scriptCallsPerTask, 4),
      fmt(r.node.cpuUsPerTask, 2),
      fmt(r.node.eventLoopUtilization, 2),
      r.otherCpuLoad === null ? '-' : fmt(r.otherCpuLoad, 2),
      fmt(r.loadAverage1m, 2),
    ]),
  );
  const parts = [summary, ''];
  for (const r of results) {
    parts.push(`${r.name}: ${r.description}`);
    parts.push(
      table(
        ['  command', 'calls', 'calls/task', 'µs/call', 'µs/task'],
        r.redis.commands
          .slice(0, 6)
          .map((c) => [
            `  ${c.name}`,
            fmt(c.calls),
            fmt(c.callsPerTask, 4),
            fmt(c.usecPerCall, 2),
            fmt(c.usecPerTask, 2),
          ]),
      ),
    );
    parts.push('');
  }
  if (results.some((r) => r.node.process === 'worker')) {
    parts.push('Node figures are those of the worker child process that did the work.\n');
  }
  if (results.some((r) => (r.otherCpuLoad ?? 0) > 0.2)) {
    parts.push('note: "other load" > 0.2: other processes used the CPUs during a case; its rate is low.\n');
  }
  if (checks.length > 0) parts.push(formatChecks(checks));
  return parts.join('\n');
}

/** Writes `data` as JSON to `dir/file` (core's results folder by default). */
export async function writeResults(file: string, data: unknown, dir = RESULTS_DIR): Promise<string> {
  const path = join(dir, file);
  await mkdir(dir, { recursive: true });
  await writeFile(path, `${JSON.stringify(data, null, 2)}\n`);
  return path;
}
