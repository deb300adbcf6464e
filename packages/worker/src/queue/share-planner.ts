/**
 * How a worker that serves several queues shares its free slots between them (pure; the
 * SlotArbiter keeps the state). Each queue runner asks, before it plans a round, how many of
 * the pool's free slots it may take; everything a runner starts — from its window, from a claim
 * (stolen tasks too), and a handoff's tasks — is charged to its queue.
 *
 * Weighted: stride scheduling over starts. Each queue has a pass, its starts divided by its
 * weight; the queues with work (contenders) get slots so that their passes stay level, so when
 * all have work their starts follow the weights. A queue may run `lead` starts ahead of its
 * share, so that a queue whose round is in flight does not idle the others' slots.
 *
 * Strict: a queue gets slots only when no queue before it has work.
 */

/** One queue as the planner sees it. */
export interface QueueShare {
  /** 1-1000. */
  weight: number;
  /** Starts charged so far divided by the weight (stride scheduling's pass). */
  pass: number;
  /** The queue has work for a slot: tasks in its window or handed to it, or its last claim came back full. */
  backlogged: boolean;
}

/** What a runner's question is answered from. */
export interface ShareState {
  strict: boolean;
  /** The worker's queues, in priority order. */
  queues: readonly QueueShare[];
  /** Which queue asks. */
  asker: number;
  /** Free slots in the pool now. */
  free: number;
  /** Starts a queue may run ahead of its share (weighted only). */
  lead: number;
}

/** Whether a queue before `asker` has work (strict order: then the asker gets nothing). */
export function outranked(queues: readonly QueueShare[], asker: number): boolean {
  for (let i = 0; i < asker; i++) if (queues[i]!.backlogged) return true;
  return false;
}

/**
 * How many of the free slots the asker may take now. The asker counts as a contender even when
 * it has no known backlog: it asks because it may find work (a wake-up, a dry claim's retry).
 */
export function slotsFor(s: ShareState): number {
  if (s.free <= 0) return 0;
  if (s.queues.length <= 1) return s.free;
  if (s.strict) return outranked(s.queues, s.asker) ? 0 : s.free;
  const me = s.queues[s.asker]!;
  let lowest = Number.POSITIVE_INFINITY;
  s.queues.forEach((q, i) => {
    if (i !== s.asker && q.backlogged && q.pass < lowest) lowest = q.pass;
  });
  if (!Number.isFinite(lowest)) return s.free;
  // Starts that bring the asker's pass level with the lowest other contender's, plus the lead
  // (none, or fewer, when the asker is ahead). The epsilon keeps 0.1 * 10 from flooring to 0.
  const due = Math.floor((lowest - me.pass) * me.weight + 1e-9) + s.lead;
  return Math.max(0, Math.min(s.free, due));
}

/**
 * The pass of a queue that becomes a contender: never behind the contenders it joins. A queue
 * that had no work earns no credit meanwhile, or on getting work it would take every slot until
 * it caught up (asynq and stride scheduling do the same).
 */
export function joiningPass(own: number, contenders: readonly QueueShare[]): number {
  let lowest = Number.POSITIVE_INFINITY;
  for (const q of contenders) if (q.pass < lowest) lowest = q.pass;
  return Number.isFinite(lowest) ? Math.max(own, lowest) : own;
}
