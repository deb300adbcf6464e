import { type GaugeReading, type Inspector, TASK_STATES, tallies } from '@dtps/core';

/**
 * Adds the gauge `dtps.queue.tasks` (tasks of each queue in each state) to
 * this process's metrics, read from Redis only when a metrics reader
 * collects (an OTLP push; nothing when metrics are off). Returns its removal.
 */
export function queueDepthGauges(inspector: Inspector): () => void {
  return tallies.addGauges(async () => {
    const queueTasks: GaugeReading[] = [];
    for (const q of await inspector.overview()) {
      for (const state of TASK_STATES)
        queueTasks.push({ value: q.counts[state], attributes: { queue: q.name, state } });
    }
    return { queueTasks };
  });
}
