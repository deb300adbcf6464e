import {
  type EngineContext,
  type GaugeReading,
  type Inspector,
  readQueueLimits,
  TASK_STATES,
  tallies,
} from '@dtps/core';

/**
 * Adds the gauges `dtps.queue.tasks` (tasks of each queue in each state) and,
 * for each limit of each queue, `dtps.queue.limit.held_back`, `.running` (caps)
 * and `.tokens_left` (rates), labelled queue, scope and key, to this process's
 * metrics. Read from Redis only when a metrics reader collects (an OTLP push;
 * nothing when metrics are off). Returns its removal.
 */
export function queueDepthGauges(inspector: Inspector, ctx: EngineContext): () => void {
  return tallies.addGauges(async () => {
    const queueTasks: GaugeReading[] = [];
    const limitHeldBack: GaugeReading[] = [];
    const limitRunning: GaugeReading[] = [];
    const limitTokensLeft: GaugeReading[] = [];
    for (const q of await inspector.overview()) {
      for (const state of TASK_STATES)
        queueTasks.push({ value: q.counts[state], attributes: { queue: q.name, state } });
      for (const l of await readQueueLimits(ctx, q.name)) {
        const attributes = { queue: q.name, scope: l.scope, key: l.key ?? '' };
        limitHeldBack.push({ value: l.heldBack, attributes });
        if (l.concurrency !== null) limitRunning.push({ value: l.running, attributes });
        if (l.tokensLeft !== null) limitTokensLeft.push({ value: l.tokensLeft, attributes });
      }
    }
    return { queueTasks, limitHeldBack, limitRunning, limitTokensLeft };
  });
}
