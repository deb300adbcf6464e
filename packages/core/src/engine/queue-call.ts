import type { EngineContext } from '../context.js';

/**
 * What every queue script call takes first: the queue's keys, the engine's
 * clock reading and the event streams' length cap.
 */
export function queueCall(ctx: EngineContext, queue: string) {
  return { keys: ctx.keys(queue), now: ctx.clock.now(), maxLen: ctx.eventsMaxLen };
}
