/**
 * The producer of a chaos run: submits the planned batches at a steady pace
 * (so the queue stays short and a recovered task's wait measures recovery,
 * not backlog), holding back while the backlog is long. A batch whose submit
 * fails (Redis killed under it) is sent again: the idempotency keys make a
 * batch that Redis had applied return its first tasks, so each planned task
 * is accepted exactly once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@dtps/core';
import { type Planned, specOf } from './workload.js';

/** Above this many not-yet-terminal tasks the producer waits. */
const MAX_BACKLOG = 2500;

export interface ProducerResult {
  /** Task id of each planned task, by its index. */
  ids: string[];
  /** Submit calls that failed and were sent again. */
  resubmits: number;
}

/** Submits `batches` spread over about `spreadMs`. */
export async function produce(
  client: Client,
  batches: readonly Planned[][],
  spreadMs: number,
  runTag: string,
): Promise<ProducerResult> {
  const ids: string[] = [];
  let resubmits = 0;
  const started = Date.now();
  const step = spreadMs / Math.max(1, batches.length);
  for (const [b, batch] of batches.entries()) {
    const due = started + b * step;
    if (due > Date.now()) await sleep(due - Date.now());
    while ((await backlog(client)) > MAX_BACKLOG) await sleep(100);
    for (;;) {
      try {
        const results = await client.submitMany(batch.map((p) => specOf(p, Date.now(), runTag)));
        batch.forEach((p, i) => {
          ids[p.index] = results[i]!.id;
        });
        break;
      } catch (err) {
        resubmits++;
        if (resubmits > 1000) throw err;
        await sleep(100);
      }
    }
  }
  return { ids, resubmits };
}

async function backlog(client: Client): Promise<number> {
  const c = await client.counts();
  return c.pending + c.scheduled + c.queued + c.reserved + c.running;
}
