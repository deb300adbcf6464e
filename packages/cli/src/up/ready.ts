/**
 * What `dtps up` says once everything runs: where Redis, the monitor, the
 * daemons and their logs are, and the line to paste in a shell elsewhere.
 * As the "ready" JSON event (--json) or as text.
 */
import { join } from 'node:path';
import { redactRedisUrl, UP_STATE_FILE } from '@dtps/core';
import { shown, type UpLayout } from './paths.js';
import type { Daemon } from './processes.js';

/** What runs, as `dtps up` knows it when all is ready. */
export interface ReadySummary {
  layout: UpLayout;
  /** The Redis in use (unredacted: only shown in full when it holds no password). */
  url: string;
  monitorUrl: string;
  coordinator: Daemon;
  worker: Daemon;
  /** The redis-server `dtps up` started, if it did. */
  local?: Daemon;
  demo: boolean;
  console: boolean;
  notes: readonly string[];
}

/** The line to paste in a shell elsewhere to use this Redis (its password, if any, left out). */
export function elsewhereLine(url: string): string {
  const redacted = redactRedisUrl(url);
  return `export DTPS_REDIS_URL=${redacted === url ? url : `'${redacted}'  # with the password in place of ***`}`;
}

function demoLog(layout: UpLayout): string {
  return join(layout.logs, 'demo.log');
}

/** The "ready" event of `--json`. */
export function readyEvent(s: ReadySummary): Record<string, unknown> {
  return {
    event: 'ready',
    redis: {
      url: redactRedisUrl(s.url),
      started: s.local !== undefined,
      ...(s.local === undefined ? {} : { pid: s.local.pid, data: s.layout.redis, log: s.local.logFile }),
    },
    monitor: { url: s.monitorUrl },
    coordinator: { pid: s.coordinator.pid, log: s.coordinator.logFile },
    worker: { pid: s.worker.pid, log: s.worker.logFile },
    demo: s.demo ? { log: demoLog(s.layout) } : null,
    console: s.console,
    elsewhere: elsewhereLine(s.url),
    notes: s.notes,
  };
}

/** The same as text, for a person. */
export function readyText(s: ReadySummary): string {
  const { layout, local } = s;
  const rows: [string, string][] = [
    [
      'Redis',
      local === undefined
        ? redactRedisUrl(s.url)
        : `${s.url}  (started here: pid ${local.pid}, data in ${shown(layout, layout.redis)}, ` +
          `log ${shown(layout, local.logFile)})`,
    ],
    ['monitor', s.monitorUrl],
    ['coordinator', `pid ${s.coordinator.pid}, log ${shown(layout, s.coordinator.logFile)}`],
    ['worker', `pid ${s.worker.pid}, stealing on, log ${shown(layout, s.worker.logFile)}`],
  ];
  if (s.demo) rows.push(['demo tasks', `a few a second, log ${shown(layout, demoLog(layout))}`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const stop = s.console
    ? 'Starting the console: q quits it and stops everything.'
    : 'Ctrl-C stops everything.';
  return [
    'dtps is up.',
    ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
    `Other shells in this folder find this Redis by themselves (${UP_STATE_FILE}); elsewhere:`,
    `  ${elsewhereLine(s.url)}`,
    stop,
  ].join('\n');
}
