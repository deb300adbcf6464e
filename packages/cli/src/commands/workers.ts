import type { WorkerInfo } from '@dtps/core';
import { ExitCode } from '../exit-codes.js';
import { shortDuration, table } from '../format.js';
import type { Command } from './command.js';

/** A heartbeat older than this many intervals is shown as late; see the coordinator's heartbeat timeout for dead. */
const LIVE_WITHIN_MS = 10_000;

/** `dtps workers`: the live workers and what their heartbeats say. */
export const workers: Command = {
  name: 'workers',
  args: [],
  summary: 'List the live workers: pool size and bounds, busy slots, window, stats',
  flags: ['all'],
  details: [
    `Workers heard from within ${LIVE_WITHIN_MS / 1000} s (--all: every registered worker).`,
    'With --json: an array of {id, host, pid, poolSize, min, max, busy, window, processed,',
    'failed, steals, steal, paused, draining, queues, handlers, lastHeartbeatAt,',
    'sizeChangedBy ("start", "operator" or "autoscaler"), sizeReason, sizeChangedAt, …}.',
  ],
  examples: ['dtps workers', 'dtps workers --json | jq ".[].id"'],
  async run(ctx) {
    const client = await ctx.client();
    const list = await client.workers(ctx.flags.all ? {} : { aliveWithinMs: LIVE_WITHIN_MS });
    const now = Date.now();
    ctx.out.result(list, () =>
      list.length === 0
        ? 'no live workers (start one with dtps-worker)'
        : table(
            [
              'ID',
              'HOST',
              'PID',
              'POOL',
              'BUSY',
              'WINDOW',
              'PROCESSED',
              'FAILED',
              'STEALS',
              'STEAL',
              'STATE',
              'HEARTBEAT',
              'LAST SIZE CHANGE',
            ],
            list.map((w) => [
              w.id,
              w.host,
              String(w.pid),
              `${w.poolSize} (${w.min}-${w.max})`,
              String(w.busy),
              String(w.window),
              String(w.processed),
              String(w.failed),
              String(w.steals),
              w.steal ? 'on' : 'off',
              w.draining ? 'draining' : w.paused ? 'paused' : 'running',
              `${shortDuration(now - w.lastHeartbeatAt)} ago`,
              lastSizeChange(w, now),
            ]),
          ),
    );
    return ExitCode.ok;
  },
};

/** "operator: size 4 → 6, 12s ago": who set the pool size last and why (a worker too old to say: "-"). */
function lastSizeChange(w: WorkerInfo, now: number): string {
  if (!w.sizeReason || w.sizeChangedAt === undefined) return '-';
  return `${w.sizeReason}, ${shortDuration(now - w.sizeChangedAt)} ago`;
}
