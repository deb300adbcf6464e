import type { WorkerView } from '@dtps/core';
import { Box, Text } from 'ink';
import { type Heartbeat, heartbeatOf } from '../state/selectors.js';
import { cell, clip, count, duration, mib } from './format.js';
import type { Freshness } from './view-types.js';

/** A worker as the table shows it: text, so that an unchanged row compares equal. */
export interface WorkerRow {
  readonly id: string;
  readonly host: string;
  readonly beat: Heartbeat;
  /** The heartbeat's age, coarse (`<1s`, `3.2s`, `2m`): it changes only when it says something new. */
  readonly age: string;
  readonly pool: string;
  readonly busy: number;
  readonly window: number;
  readonly processed: string;
  readonly failed: number;
  readonly steals: string;
  readonly steal: boolean;
  readonly state: 'running' | 'paused' | 'draining' | 'dead';
}

export interface WorkersProps {
  readonly rows: readonly WorkerRow[];
  /** Index of the selected row among `rows` (-1 for none). */
  readonly selected: number;
  /** The line under the table about the selected worker. */
  readonly current: string | null;
  /** The line under that: who changed the selected worker's pool size last, and why. */
  readonly sizing?: string | null;
  readonly total: number;
  readonly width: number;
  readonly height: number;
}

const BEAT_COLORS = { fresh: 'green', late: 'yellow', dead: 'red' } as const;
const STATE_COLORS = { running: 'green', paused: 'yellow', draining: 'yellow', dead: 'red' } as const;

/** Columns after the id; the id column takes what is left (host only when there is room). */
const FIXED = [
  ['BEAT', 5, 'right'],
  ['POOL', 8, 'right'],
  ['BUSY', 4, 'right'],
  ['WIN', 4, 'right'],
  ['DONE', 6, 'right'],
  ['FAIL', 5, 'right'],
  ['STEALS', 6, 'right'],
  ['STEAL', 5, 'right'],
  ['STATE', 8, 'left'],
] as const;

/** A worker's row: heartbeat classified by `freshness`, figures as text. */
export function workerRow(w: WorkerView, freshness: Freshness): WorkerRow {
  const beat = heartbeatOf(w.heartbeatAgeMs, freshness);
  return {
    id: w.id,
    host: w.host,
    beat,
    age: w.heartbeatAgeMs < 1000 ? '<1s' : duration(w.heartbeatAgeMs),
    pool: `${w.poolSize} ${w.min}-${w.max}`,
    busy: w.busy,
    window: w.window,
    processed: count(w.processed),
    failed: w.failed,
    steals: count(w.steals),
    steal: w.steal,
    state: beat === 'dead' ? 'dead' : w.draining ? 'draining' : w.paused ? 'paused' : 'running',
  };
}

/** The line about the selected worker (coarse figures: lag to 10 ms, uptime to the minute past the first). */
export function workerLine(w: WorkerView): string {
  const up = Math.max(0, w.lastHeartbeatAt - w.startedAt);
  return `${w.id} · ${w.host} pid ${w.pid} · queues ${w.queues.join(',')} · ${w.isolation} · rss ${mib(w.memoryRss)} · lag ${Math.round(w.eventLoopLagMs / 10) * 10}ms · up ${up < 60_000 ? '<1m' : duration(up)} · handlers ${w.handlers.join(' ')}`;
}

/**
 * Who set the worker's pool size last and why, as its heartbeat says:
 * "pool 6 (1-10) · sized by the operator 12s ago: operator: size 1 → 6".
 * The age is taken at the heartbeat, so the line changes only when one comes.
 */
export function sizingLine(w: WorkerView): string | null {
  if (!w.sizeChangedBy || !w.sizeReason || w.sizeChangedAt === undefined) return null;
  const ago = Math.max(0, w.lastHeartbeatAt - w.sizeChangedAt);
  const when = ago < 1000 ? 'just now' : `${duration(ago).replace(/\.\d+s$/, 's')} ago`;
  const by = w.sizeChangedBy === 'start' ? 'at start' : `by the ${w.sizeChangedBy} ${when}`;
  return `pool ${w.poolSize} (${w.min}-${w.max}) · sized ${by}: ${w.sizeReason}`;
}

/** One row a worker: heartbeat age coloured fresh, late or dead; pool size with its bounds; slots; counters; stealing; paused or draining. */
export function Workers({ rows, selected, current, sizing, total, width, height }: WorkersProps) {
  const fixed = FIXED.reduce((n, [, w]) => n + w + 1, 0) + 2;
  const showHost = width - fixed >= 28;
  const hostWidth = showHost ? 10 : 0;
  const idWidth = Math.max(8, width - fixed - (showHost ? hostWidth + 1 : 0) - 1);
  const header = [
    '  ',
    cell('WORKER', idWidth),
    showHost ? ` ${cell('HOST', hostWidth)}` : '',
    ...FIXED.map(([h, w, a]) => ` ${cell(h, w, a)}`),
  ].join('');
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text bold color="gray">
        {clip(header, width)}
      </Text>
      {rows.length === 0 ? (
        <Text color="gray"> no workers registered — start one with dtps-worker</Text>
      ) : null}
      {rows.map((w, i) => {
        const sel = i === selected;
        return (
          <Box key={w.id} height={1}>
            <Text inverse={sel} bold={sel}>
              {sel ? '▶ ' : '  '}
              {cell(w.id, idWidth)}
              {showHost ? ` ${cell(w.host, hostWidth)}` : ''}
            </Text>
            <Text color={BEAT_COLORS[w.beat]}> {cell(w.age, 5, 'right')}</Text>
            <Text>
              {` ${cell(w.pool, 8, 'right')}`}
              {` ${cell(`${w.busy}`, 4, 'right')}`}
              {` ${cell(`${w.window}`, 4, 'right')}`}
              {` ${cell(w.processed, 6, 'right')}`}
            </Text>
            <Text color={w.failed > 0 ? 'red' : undefined}> {cell(count(w.failed), 5, 'right')}</Text>
            <Text> {cell(w.steals, 6, 'right')}</Text>
            <Text color={w.steal ? 'cyan' : 'gray'}> {cell(w.steal ? 'on' : 'off', 5, 'right')}</Text>
            <Text color={STATE_COLORS[w.state]}> {cell(w.state, 8)}</Text>
          </Box>
        );
      })}
      <Box flexGrow={1} />
      {current ? (
        <Text color="gray">{clip(` ${current}`, width)}</Text>
      ) : (
        <Text color="gray"> {total} workers</Text>
      )}
      {sizing ? <Text color="gray">{clip(` ${sizing}`, width)}</Text> : null}
    </Box>
  );
}
