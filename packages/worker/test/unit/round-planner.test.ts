import test from 'ava';
import {
  afterClaim,
  perRound,
  planRound,
  type RoundState,
  roundsInFlight,
  SPLIT_ROUND_MIN,
  shareLead,
  staggers,
} from '../../src/queue/round-planner.js';

/** A pool of 10 free slots, an empty window, prefetch 10, nothing in flight. */
function state(over: Partial<RoundState> = {}): RoundState {
  return {
    poolSize: 10,
    freeSlots: 10,
    paused: false,
    windowLength: 0,
    prefetch: 10,
    completionsWaiting: 0,
    claimsInFlight: 0,
    reserving: 0,
    starting: 0,
    lastClaimFull: false,
    dry: false,
    waiting: false,
    registered: false,
    reconciling: false,
    stealing: false,
    ...over,
  };
}

/** A pool large enough for two rounds in flight: 400 slots, prefetch 400, an empty window. */
const LARGE = 2 * SPLIT_ROUND_MIN;
function large(over: Partial<RoundState> = {}): RoundState {
  return state({ poolSize: LARGE, freeSlots: LARGE, prefetch: LARGE, ...over });
}

test('a small pool goes in one round; a large one in two, each at most half the pool', (t) => {
  t.is(roundsInFlight(10), 1);
  t.is(perRound(10), 10);
  t.is(perRound(2 * SPLIT_ROUND_MIN - 2), 2 * SPLIT_ROUND_MIN - 2);
  t.is(roundsInFlight(2 * SPLIT_ROUND_MIN - 1), 2);
  t.is(perRound(LARGE), SPLIT_ROUND_MIN);
  t.is(perRound(1), 1);
  t.is(perRound(0), 1);
  t.is(planRound(state({ windowLength: 8 }))?.start, 8, 'the whole window on free slots');
  const plan = planRound(large({ windowLength: 300 }));
  t.is(plan?.start, SPLIT_ROUND_MIN, 'half the pool from the window');
  t.is(
    plan?.claim,
    undefined,
    'the window is not empty: its tasks go first, and it is over half the prefetch',
  );
});

test('a queue may run half the pool ahead of its weighted share, whatever the rounds', (t) => {
  t.is(shareLead(10), 5);
  t.is(shareLead(LARGE), SPLIT_ROUND_MIN);
  t.is(shareLead(1), 1);
});

test('window tasks take only free slots', (t) => {
  t.is(planRound(state({ windowLength: 8, freeSlots: 2, prefetch: 20 }))?.start, 2);
});

test('an idle pool with an empty window claims every free slot and reserves the prefetch', (t) => {
  const plan = planRound(state());
  t.deepEqual(plan, {
    report: false,
    start: 0,
    claim: { max: 20, start: 10, steal: 0 },
    leave: false,
    register: true,
  });
});

test('with a backlog, a claim too starts at most the round share', (t) => {
  const plan = planRound(large({ lastClaimFull: true, windowLength: 2 }));
  t.is(plan?.start, 2);
  // The window is empty after the take; 198 more slots for this round's share of 200.
  t.deepEqual(plan?.claim, { max: 198 + 398, start: 198, steal: 0 });
  const small = planRound(state({ lastClaimFull: true, windowLength: 2 }));
  t.deepEqual(small?.claim, { max: 8 + 8, start: 8, steal: 0 }, 'one round: every free slot');
});

test('the window is topped up only once it is down to half the prefetch', (t) => {
  const busy = { freeSlots: 0, prefetch: 10 };
  t.is(planRound(state({ ...busy, windowLength: 6 })), undefined, 'reserve 4 < 5: nothing to send');
  t.deepEqual(planRound(state({ ...busy, windowLength: 5 }))?.claim, { max: 5, start: 0, steal: 0 });
  t.is(
    planRound(state({ ...busy, windowLength: 0, reserving: 6 })),
    undefined,
    'what claims in flight may reserve counts',
  );
  t.is(planRound(state({ ...busy, windowLength: 2, starting: 4 })), undefined, 'tasks being started count');
});

test('after a dry claim, only a free slot claims again', (t) => {
  t.is(planRound(state({ freeSlots: 0, dry: true })), undefined);
  t.deepEqual(planRound(state({ freeSlots: 1, dry: true }))?.claim, { max: 11, start: 1, steal: 0 });
});

test('one claim at a time; in a large pool two while the last came back full', (t) => {
  t.is(planRound(large({ claimsInFlight: 1 })), undefined);
  t.is(planRound(large({ claimsInFlight: 1, lastClaimFull: true }))?.claim?.start, SPLIT_ROUND_MIN);
  t.is(planRound(large({ claimsInFlight: 2, lastClaimFull: true })), undefined);
  t.is(planRound(state({ claimsInFlight: 1, lastClaimFull: true })), undefined, 'a small pool: one');
});

test('paused: no start and no claim, but completions still go', (t) => {
  t.is(planRound(state({ paused: true, freeSlots: 0, windowLength: 4 })), undefined);
  t.deepEqual(planRound(state({ paused: true, freeSlots: 0, completionsWaiting: 3 })), {
    report: true,
    start: 0,
    claim: undefined,
    leave: false,
    register: false,
  });
});

test('a waiting runner claims only to report a completion when it is not registered (it ran a handoff)', (t) => {
  t.is(planRound(state({ waiting: true, registered: true })), undefined);
  t.is(planRound(state({ waiting: true, registered: true, completionsWaiting: 1 }))?.claim, undefined);
  const plan = planRound(state({ waiting: true, registered: false, completionsWaiting: 1 }));
  t.is(plan?.report, true);
  t.is(plan?.claim?.start, 10, 'the freed slot claims, and registers again if the queue is dry');
  t.true(plan?.register);
});

test('a registered runner that claims leaves the idle hash in that round', (t) => {
  const plan = planRound(state({ registered: true }));
  t.true(plan?.leave);
  t.true(plan?.register, 'and registers again for what its claim cannot fill');
  t.false(planRound(state({ registered: true, freeSlots: 0, windowLength: 2, prefetch: 10 }))?.register);
});

test('no registration while reconciling', (t) => {
  t.false(planRound(state({ reconciling: true }))?.register);
});

test('a stealer steals for the slots it claims, not for the window', (t) => {
  t.deepEqual(planRound(state({ stealing: true }))?.claim, { max: 20, start: 10, steal: 10 });
  t.deepEqual(planRound(state({ stealing: true, freeSlots: 0, windowLength: 0 }))?.claim, {
    max: 10,
    start: 0,
    steal: 0,
  });
});

test('completions alone make a round', (t) => {
  const plan = planRound(state({ freeSlots: 0, windowLength: 10, completionsWaiting: 2 }));
  t.deepEqual(plan, { report: true, start: 0, claim: undefined, leave: false, register: false });
});

test('only rounds that take Redis 2 ms or more are staggered', (t) => {
  t.false(staggers(1.9));
  t.true(staggers(2));
});

test('after a claim: wait when it could not fill its slots, dry when it filled them, more with a backlog', (t) => {
  const reply = { full: false, slots: 4, started: 4, running: 4, waiting: false };
  t.is(afterClaim(reply), 'dry', 'every slot filled (a stealer): the next free slot claims at once');
  t.is(afterClaim({ ...reply, started: 3 }), 'wait', 'the queue is dry and a slot is free');
  t.is(
    afterClaim({ ...reply, slots: 0, started: 0, running: 0 }),
    'wait',
    'a refill that found nothing, nothing running',
  );
  t.is(afterClaim({ ...reply, slots: 0, started: 0, running: 2 }), 'dry');
  t.is(afterClaim({ ...reply, started: 0, full: true }), 'more', 'a full claim: the queue has more');
  t.is(afterClaim({ ...reply, started: 0, waiting: true }), 'more', 'already waiting');
});
