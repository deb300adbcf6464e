import { CorruptTaskError } from '../errors.js';
import { decodeSpec } from '../task/codec.js';
import type { BackoffPolicy, TaskFields } from '../task/types.js';
import { DEFAULT_BACKOFF } from '../task/validate.js';

/** A task handed to a worker by claim or steal. */
export interface ClaimedTask {
  id: string;
  queue: string;
  type: string;
  payload: unknown;
  priority: number;
  /** The ready-set score: the worker starts its window in this order. A started task's may be 0 (unused). */
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
  /**
   * Set when the task's stored data could not be decoded (damaged data in
   * Redis): why. The worker does not run such a task; it fails it at once with
   * reason `corrupt_task` (quarantine), through the fenced failure path.
   */
  corrupt?: string;
}

/** Width of one task in the claim and steal replies (lua/includes/handout.lua). */
export const HANDOUT_WIDTH = 7;

/** Decodes the tasks of a claim or steal reply, from `offset` on, up to `end` (the whole rest). */
export function decodeTaskRows(
  queue: string,
  flat: readonly (string | number)[],
  offset: number,
  end = flat.length,
): ClaimedTask[] {
  const out: ClaimedTask[] = [];
  for (let i = offset; i + HANDOUT_WIDTH <= end; i += HANDOUT_WIDTH) {
    const id = String(flat[i]);
    const score = Number(flat[i + 1]);
    const attempt = Number(flat[i + 2]);
    const started = Number(flat[i + 3]) === 1;
    try {
      const spec = decodeSpec(id, queue, String(flat[i + 4]));
      out.push(fromSpec(spec, score, attempt, started, decodePayload(id, String(flat[i + 5]))));
    } catch (err) {
      // One damaged task must not throw away the rest of the claim (they are already ours in Redis).
      out.push(corruptTask(id, queue, score, attempt, started, err));
    }
  }
  return out;
}

/** The fields of a claimed task that come from its spec. */
function fromSpec(
  spec: TaskFields,
  score: number,
  attempt: number,
  started: boolean,
  payload: unknown,
): ClaimedTask {
  // Built whole, in one shape (no spread): one is made for every task a worker claims.
  return {
    id: spec.id,
    queue: spec.queue,
    type: spec.type,
    payload,
    priority: spec.priority,
    score,
    attempt,
    started,
    deadline: spec.deadline,
    timeoutMs: spec.timeoutMs,
    maxRetries: spec.maxRetries,
    backoff: spec.backoff,
    dependsOn: spec.dependsOn,
    trace: spec.trace,
    createdAt: spec.createdAt,
  };
}

function decodePayload(id: string, json: string): unknown {
  try {
    return JSON.parse(json);
  } catch (err) {
    throw new CorruptTaskError(id, 'payload', `not JSON (${(err as Error).message})`);
  }
}

/** A claimed task whose data could not be decoded: enough to fail it, marked `corrupt`. */
function corruptTask(
  id: string,
  queue: string,
  score: number,
  attempt: number,
  started: boolean,
  err: unknown,
): ClaimedTask {
  return {
    id,
    queue,
    type: '',
    payload: null,
    priority: 5,
    score,
    attempt: Number.isInteger(attempt) ? attempt : 0,
    started,
    deadline: null,
    timeoutMs: null,
    maxRetries: 0,
    backoff: DEFAULT_BACKOFF,
    dependsOn: [],
    trace: null,
    createdAt: 0,
    corrupt: err instanceof Error ? err.message : `task ${id}: its stored data could not be decoded`,
  };
}

/**
 * Decodes one inbox message of a handoff (lua/includes/handoff.lua): the
 * values of {@link decodeTaskRows}, one a line. A message that is not a
 * handoff (the wake-up a stopping worker pushes to itself) holds no task.
 */
export function decodeInboxMessage(queue: string, message: string): ClaimedTask[] {
  return decodeTaskRows(queue, message.split('\n'), 0);
}
