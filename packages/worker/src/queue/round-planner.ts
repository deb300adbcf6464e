/**
 * A busy runner keeps two rounds in flight, each starting at most half the pool, once half the
 * pool is this many tasks; a smaller pool goes in one round. Two rounds overlap Redis and this
 * process only when Redis reads them apart, which takes rounds slow enough to be staggered (see
 * STAGGER_ABOVE_MS: about 120 tasks at Redis's 15-20 us a task on a 2-vCPU VM). Smaller ones
 * reach Redis together and come back together (the lock-step of round-pacer.ts), and the second
 * round only adds its fixed cost, on both sides: measured (2026-12-07, one round against two,
 * alternated, load 4-7), one process of 50 slots 29,900 against 22,600 tasks/s, worker CPU 12.5
 * against 16.5 us a task, Redis 17.0 against 20.8; of 100, 33,100 against 29,000; of 200, the
 * same rate (30,100 against 29,900) for 8.3 against 9.4 us; two processes of 25, 24,000 against
 * 15,400, and of 200, 37,100 against 28,100 (the other process keeps Redis busy meanwhile). At
 * 400 slots two rounds of 200 were faster (33,000 against 30,400), as measured before against
 * three and four (three: smaller batches, more calls).
 */
export const SPLIT_ROUND_MIN = 200;

/**
 * Only rounds that take Redis this long are staggered (see STAGGER_MS in round-pacer.ts): a
 * small round is back before a millisecond's gap is over, and waiting for the timer would idle
 * the worker (50 slots: 8% fewer tasks/s).
 */
export const STAGGER_ABOVE_MS = 2;

/** What the runner knows when it plans a round: a snapshot, read before anything is taken. */
export interface RoundState {
  /** Slots in the pool, and how many may take a task now (0 while paused). */
  poolSize: number;
  freeSlots: number;
  paused: boolean;
  /** Reserved tasks in the local window, and the window size to keep (prefetch). */
  windowLength: number;
  prefetch: number;
  /** Completions waiting for a round to carry them to Redis. */
  completionsWaiting: number;
  /** Rounds in flight that carry a claim, the tasks those claims may reserve, and the window tasks being started. */
  claimsInFlight: number;
  reserving: number;
  starting: number;
  /** The last claim came back full (a backlog: a second claim may go). */
  lastClaimFull: boolean;
  /** The last claim found the queue dry with every slot it had filled: only a free slot claims again. */
  dry: boolean;
  /** A blocking read for work is in flight. */
  waiting: boolean;
  /** This worker may be in the queue's idle hash (a submit may hand it tasks). */
  registered: boolean;
  /** An outage is being reconciled: a claim must not register (no handoff may arrive meanwhile). */
  reconciling: boolean;
  /** The runner steals from peers when its claim finds the queue dry. */
  stealing: boolean;
}

/** The claim a round carries: `start` tasks start at once on free slots, up to `max` in all. */
export interface ClaimPlan {
  max: number;
  start: number;
  steal: number;
}

/** What one round does: report the waiting completions, start window tasks, claim, and how it stands in the idle hash. */
export interface RoundPlan {
  /** Carry every completion waiting. */
  report: boolean;
  /** Window tasks to start, from the front. */
  start: number;
  claim: ClaimPlan | undefined;
  /** Take this worker off the idle hash (registered, and claiming: it was woken by a timeout or a wake-up). */
  leave: boolean;
  /** Register the free slots the claim cannot fill. */
  register: boolean;
}

/** Rounds with a claim a busy runner keeps in flight: two once half its pool is SPLIT_ROUND_MIN tasks, else one. */
export function roundsInFlight(poolSize: number): number {
  return Math.ceil(poolSize / 2) >= SPLIT_ROUND_MIN ? 2 : 1;
}

/** Most tasks one round starts (from the window, and from a claim with a backlog). */
export function perRound(poolSize: number): number {
  return Math.max(1, Math.ceil(poolSize / roundsInFlight(poolSize)));
}

/** How far a queue may run ahead of its weighted share of the pool (SlotArbiter): half the pool. */
export function shareLead(poolSize: number): number {
  return Math.max(1, Math.ceil(poolSize / 2));
}

/** Whether the next round waits a moment rather than going with this one (see STAGGER_MS in round-pacer.ts). */
export function staggers(roundMs: number): boolean {
  return roundMs >= STAGGER_ABOVE_MS;
}

/**
 * Plans one round from a snapshot, or returns undefined when there is nothing to send. Pure:
 * the runner takes the slots and tasks the plan names.
 *
 * A round of a large pool starts at most half of it from the window (and, with a backlog, from a
 * claim), so that when a whole pool frees at once two rounds go out: Redis runs one while this
 * process handles the other's reply, and a busy worker settles into two rounds in flight. A
 * smaller pool goes in one round (see SPLIT_ROUND_MIN).
 */
export function planRound(s: RoundState): RoundPlan | undefined {
  const share = perRound(s.poolSize);
  // 1. Reserved tasks from the window, in window order, on free slots.
  const start = Math.min(s.windowLength, share, s.freeSlots);
  const free = s.freeSlots - start;
  const windowLeft = s.windowLength - start;
  // 2. The completions waiting (whether a waiting runner claims depends on them, see mayClaim).
  const report = s.completionsWaiting > 0;
  // 3. A claim: tasks started at once on free slots (only once the window is empty: its tasks go
  // first), and reserved ones to keep the window at its prefetch size. With a backlog, a claim too
  // starts at most the round's share, and a second claim may take the rest.
  let claim: ClaimPlan | undefined;
  if (mayClaim(s, report)) {
    const direct = windowLeft > 0 ? 0 : s.lastClaimFull ? Math.min(free, share - start) : free;
    const reserve = Math.max(0, s.prefetch - windowLeft - s.starting - start - s.reserving);
    // A claim has a fixed cost in Redis whatever its size: an idle slot always claims, but the
    // window is topped up only once it is down to half, in batches of half the prefetch or more.
    // After a dry claim, only a free slot is worth another one.
    const refill = reserve > 0 && reserve >= Math.ceil(s.prefetch / 2);
    if (direct > 0 || (refill && !s.dry)) {
      claim = { max: direct + reserve, start: direct, steal: s.stealing && direct > 0 ? direct : 0 };
    }
  }
  if (start === 0 && !claim && !report) return undefined;
  return {
    report,
    start,
    claim,
    leave: s.registered && claim !== undefined,
    register: claim !== undefined && claim.start > 0 && !s.reconciling,
  };
}

/**
 * One claim at a time, or, in a pool large enough for two rounds, two while the last one came
 * back full (a backlog: the second keeps Redis busy while this process runs the first one's tasks). Never while paused, nor while
 * waiting on an empty queue — except that a round reporting a completion when not registered
 * (the runner ran a handoff) claims for the freed slot, and registers again if the queue is dry.
 */
function mayClaim(s: RoundState, reporting: boolean): boolean {
  if (s.paused) return false;
  if (s.waiting && !(reporting && !s.registered)) return false;
  return s.claimsInFlight === 0 || (s.claimsInFlight < roundsInFlight(s.poolSize) && s.lastClaimFull);
}

/** What a claim's reply says about the queue, for `afterClaim`. */
export interface ClaimReply {
  /** The claim came back full (the queue has more). */
  full: boolean;
  /** Slots the claim had, and tasks it started on them. */
  slots: number;
  started: number;
  /** Attempts running here now. */
  running: number;
  /** A blocking read is in flight already. */
  waiting: boolean;
}

/**
 * What follows a claim: `wait` on Redis for work when it took all there was and could not even
 * fill the slots it had (an idle worker is quiet); `dry` when it filled every slot it had —
 * stealing, that is: it stole as many as it had slots — so that the next free slot claims (and
 * steals) again at once rather than after a wait; else `more`.
 */
export function afterClaim(r: ClaimReply): 'wait' | 'dry' | 'more' {
  if (r.full || r.waiting) return 'more';
  if (r.started < r.slots || (r.slots === 0 && r.running === 0)) return 'wait';
  return 'dry';
}
