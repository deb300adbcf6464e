/**
 * The effects layer: carries out what the reducer put in the outbox, through
 * the core Client, and answers with an outcome. The only place the console
 * changes anything.
 */
import type { Client } from '@dtps/core';
import type { EffectOutcome } from '../state/actions.js';
import type { Effect } from '../state/types.js';

/** Runs one effect; rejects with the reason it could not. */
export interface Effects {
  /** `progress` hears a bulk action's totals after every chunk. */
  run(effect: Effect, progress?: (p: BulkTotals) => void): Promise<EffectOutcome>;
}

/** A bulk action's totals so far. */
export interface BulkTotals {
  matched: number;
  done: number;
  scanned: number;
}

/** The parts of the Client the effects use. */
export type EffectClient = Pick<
  Client,
  | 'submit'
  | 'cancel'
  | 'retry'
  | 'control'
  | 'bulk'
  | 'setQueueLimit'
  | 'clearQueueLimit'
  | 'pauseQueue'
  | 'resumeQueue'
>;

/** Effects carried out by a core Client. */
export function clientEffects(client: EffectClient): Effects {
  return {
    async run(effect, progress) {
      switch (effect.kind) {
        case 'submit':
          return { kind: 'submitted', result: await client.submit(effect.spec) };
        case 'cancel': {
          const r = await client.cancel(effect.taskId, {
            queue: effect.queue,
            reason: 'cancelled from the console',
          });
          return { kind: 'cancelled', taskId: r.id, previousState: r.previousState };
        }
        case 'retry': {
          const r = await client.retry(effect.taskId, { queue: effect.queue });
          return { kind: 'retried', taskId: r.id, state: r.state };
        }
        case 'bulk': {
          // The same chunked operation as `dtps bulk` (each chunk checks its tasks again).
          const r = await client.bulk(
            effect.action,
            {
              queue: effect.queue,
              state: effect.state,
              ...(effect.priority === null ? {} : { priority: effect.priority }),
            },
            {
              reason: 'cancelled from the console',
              onProgress: (p) => progress?.({ matched: p.matched, done: p.done, scanned: p.scanned }),
            },
          );
          return { kind: 'bulkDone', action: effect.action, matched: r.matched, done: r.done };
        }
        case 'control':
          await client.control(effect.workerId, effect.command);
          return { kind: 'controlled', workerId: effect.workerId, what: effect.command.command };
        case 'setLimit':
          return {
            kind: 'limitChanged',
            result: await client.setQueueLimit(effect.queue, effect.settings),
            cleared: false,
          };
        case 'clearLimit':
          return {
            kind: 'limitChanged',
            result: await client.clearQueueLimit(effect.queue, effect.target),
            cleared: true,
          };
        case 'queuePause': {
          const r = effect.pause
            ? await client.pauseQueue(effect.queue)
            : await client.resumeQueue(effect.queue);
          return { kind: 'queueChanged', queue: r.queue, paused: r.paused, changed: r.changed };
        }
      }
    },
  };
}
