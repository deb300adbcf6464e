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
  run(effect: Effect): Promise<EffectOutcome>;
}

/** The parts of the Client the effects use. */
export type EffectClient = Pick<Client, 'submit' | 'cancel' | 'retry' | 'control'>;

/** Effects carried out by a core Client. */
export function clientEffects(client: EffectClient): Effects {
  return {
    async run(effect) {
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
        case 'control':
          await client.control(effect.workerId, effect.command);
          return { kind: 'controlled', workerId: effect.workerId, what: effect.command.command };
      }
    },
  };
}
