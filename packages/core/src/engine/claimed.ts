import { decodeSpec } from '../task/codec.js';
import type { BackoffPolicy } from '../task/types.js';

/** A task handed to a worker by claim or steal. */
export interface ClaimedTask {
  id: string;
  queue: string;
  type: string;
  payload: unknown;
  priority: number;
  /** The ready-set score: the worker starts its window in this order. */
  score: number;
  /** The attempt number: of the started attempt when `started`, else of the last one (0 before the first). */
  attempt: number;
  /** Started by the claim itself (it went to a free slot), not just reserved. */
  started: boolean;
  deadline: number | null;
  timeoutMs: number | null;
  maxRetries: number;
  backoff: BackoffPolicy;
  dependsOn: string[];
  trace: Record<string, string> | null;
  createdAt: number;
}

/** Width of one task in the claim and steal replies (lua/includes/handout.lua). */
const WIDTH = 7;

/** Decodes the tasks of a claim or steal reply, from `offset` on. */
export function decodeHandout(
  queue: string,
  flat: readonly (string | number)[],
  offset: number,
): ClaimedTask[] {
  const out: ClaimedTask[] = [];
  for (let i = offset; i + WIDTH <= flat.length; i += WIDTH) {
    const id = String(flat[i]);
    const spec = decodeSpec(id, queue, String(flat[i + 4]));
    out.push({
      id,
      queue,
      type: spec.type,
      payload: JSON.parse(String(flat[i + 5])),
      priority: spec.priority,
      score: Number(flat[i + 1]),
      attempt: Number(flat[i + 2]),
      started: Number(flat[i + 3]) === 1,
      deadline: spec.deadline,
      timeoutMs: spec.timeoutMs,
      maxRetries: spec.maxRetries,
      backoff: spec.backoff,
      dependsOn: spec.dependsOn,
      trace: spec.trace,
      createdAt: spec.createdAt,
    });
  }
  return out;
}

/**
 * Decodes one inbox message of a handoff (lua/includes/handoff.lua): the
 * values of {@link decodeHandout}, one a line. A message that is not a
 * handoff (the wake-up a stopping worker pushes to itself) holds no task.
 */
export function decodeHandoff(queue: string, message: string): ClaimedTask[] {
  return decodeHandout(queue, message.split('\n'), 0);
}
