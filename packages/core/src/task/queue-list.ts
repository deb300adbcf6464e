/**
 * The queues a worker serves and how it shares its slots between them: strict
 * priority (the order given) or weights (`critical:6`, asynq's model). Shared by
 * the worker, its config schema and `dtps up`, so that all read a list alike.
 */
import { ValidationError } from '../errors.js';
import { QUEUE_NAME_PATTERN } from './validate.js';

/** Lowest and highest weight a queue may have. */
export const QUEUE_WEIGHT_MIN = 1;
export const QUEUE_WEIGHT_MAX = 1000;

/** One entry of a worker's queue list: `"name"`, `"name:weight"`, or the object form. */
export type QueueEntry = string | { name: string; weight?: number | undefined };

/** One queue of a resolved list. */
export interface ServedQueue {
  name: string;
  /** The queue's weight; 1 for every queue of a strict list. */
  weight: number;
}

/** A resolved queue list: the queues in priority order, and whether the order is strict. */
export interface QueueOrder {
  /** Strict: a queue gets slots only when no queue before it has work. Else weighted. */
  strict: boolean;
  queues: ServedQueue[];
}

/** A trailing `:<digits>` is a weight (a queue name may itself hold `:`). */
const WEIGHT_SUFFIX = /^(.+):(\d+)$/;

/** Splits one entry into its name and weight (null when it has none). Throws ValidationError('queues'). */
export function parseQueueEntry(entry: QueueEntry): { name: string; weight: number | null } {
  let name: unknown;
  let weight: unknown = null;
  if (typeof entry === 'string') {
    const m = WEIGHT_SUFFIX.exec(entry);
    name = m ? m[1] : entry;
    if (m) weight = Number(m[2]);
  } else if (typeof entry === 'object' && entry !== null) {
    name = entry.name;
    weight = entry.weight ?? null;
  }
  if (typeof name !== 'string' || !QUEUE_NAME_PATTERN.test(name)) {
    throw new ValidationError(
      'queues',
      `${JSON.stringify(entry)} is not a queue name (1-64 letters, digits, _ . : -), optionally with :WEIGHT`,
    );
  }
  if (
    weight !== null &&
    (!Number.isInteger(weight) ||
      (weight as number) < QUEUE_WEIGHT_MIN ||
      (weight as number) > QUEUE_WEIGHT_MAX)
  ) {
    throw new ValidationError(
      'queues',
      `the weight of "${name}" must be an integer from ${QUEUE_WEIGHT_MIN} to ${QUEUE_WEIGHT_MAX}, got ${JSON.stringify(weight)}`,
    );
  }
  return { name, weight: weight as number | null };
}

/**
 * Resolves a queue list. Without weights the list is strict priority in the order given. With
 * weights on every queue it is weighted, or with `strict` strict by weight, highest first (ties
 * keep their order), as asynq's StrictPriority does. A list where some queues have a weight and
 * others do not is refused: which share an unweighted queue should get is a guess.
 *
 * @throws ValidationError naming `queues`: an empty list, a bad name or weight, a queue listed twice, a mixed list.
 */
export function resolveQueueOrder(entries: readonly QueueEntry[], strict = false): QueueOrder {
  if (entries.length === 0) throw new ValidationError('queues', 'name at least one queue');
  const parsed = entries.map(parseQueueEntry);
  const seen = new Set<string>();
  for (const q of parsed) {
    if (seen.has(q.name)) throw new ValidationError('queues', `"${q.name}" is listed twice`);
    seen.add(q.name);
  }
  const weighted = parsed.filter((q) => q.weight !== null).length;
  if (weighted === 0) return { strict: true, queues: parsed.map((q) => ({ name: q.name, weight: 1 })) };
  if (weighted < parsed.length) {
    const bare = parsed.find((q) => q.weight === null)!.name;
    throw new ValidationError(
      'queues',
      `give every queue a weight or none ("${bare}" has none; e.g. ${bare}:1)`,
    );
  }
  const queues = parsed.map((q) => ({ name: q.name, weight: q.weight as number }));
  // A stable sort: equal weights keep the order given.
  if (strict) queues.sort((a, b) => b.weight - a.weight);
  return { strict, queues };
}
