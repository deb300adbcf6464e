import type { QueueLimit } from '@dtps/core';
import type { MonitorContext } from '../context.js';
import type { Exposition } from '../exposition.js';

/** Per-limit gauges of `/metrics`, each labelled `queue`, `scope` and `key` (empty for queue and each-group). */
const GAUGES: readonly { name: string; help: string; value: (l: QueueLimit) => number | null }[] = [
  {
    name: 'dtps_queue_limit_held_back',
    help: 'Tasks a limit holds back now, waiting in the queue until it has room.',
    value: (l) => l.heldBack,
  },
  {
    name: 'dtps_queue_limit_running',
    help: 'Tasks running under a concurrency cap now (summed over the groups for scope each-group).',
    value: (l) => (l.concurrency === null ? null : l.running),
  },
  {
    name: 'dtps_queue_limit_tokens_left',
    help: 'Starts a rate limit still allows in its current window (the least over the groups for each-group).',
    value: (l) => l.tokensLeft,
  },
  {
    name: 'dtps_queue_limit_concurrency',
    help: 'The configured concurrency cap: tasks running at once, fleet-wide.',
    value: (l) => l.concurrency,
  },
  {
    name: 'dtps_queue_limit_rate',
    help: 'The configured rate limit: starts allowed per window (the window is dtps_queue_limit_rate_window_seconds).',
    value: (l) => l.rate?.n ?? null,
  },
  {
    name: 'dtps_queue_limit_rate_window_seconds',
    help: 'The window of the configured rate limit, seconds.',
    value: (l) => (l.rate ? l.rate.perMs / 1000 : null),
  },
];

/**
 * Adds the flow-control gauges: one sample per queue, limit and gauge, read
 * from Redis at scrape time like the rest. A limit without a rate has no
 * tokens or rate sample, one without a cap no running or concurrency sample:
 * an absent series rather than a made-up zero.
 */
export async function limitMetrics(
  out: Exposition,
  m: MonitorContext,
  queues: readonly string[],
): Promise<void> {
  const states = await Promise.all(queues.map((q) => m.deps.client.queueState(q)));
  out.family('dtps_queue_paused', 'gauge', 'Whether an operator paused the queue (1) or not (0).');
  for (const s of states) out.sample('dtps_queue_paused', { queue: s.queue }, s.paused ? 1 : 0);
  for (const g of GAUGES) {
    out.family(g.name, 'gauge', g.help);
    for (const s of states) {
      for (const l of s.limits) {
        const v = g.value(l);
        if (v !== null) out.sample(g.name, { queue: s.queue, scope: l.scope, key: l.key ?? '' }, v);
      }
    }
  }
}
