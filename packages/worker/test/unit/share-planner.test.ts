import test from 'ava';
import { joiningPass, outranked, type QueueShare, slotsFor } from '../../src/queue/share-planner.js';

function q(weight: number, pass = 0, backlogged = true): QueueShare {
  return { weight, pass, backlogged };
}

test('one queue takes every free slot', (t) => {
  t.is(slotsFor({ strict: false, queues: [q(5, 100)], asker: 0, free: 7, lead: 1 }), 7);
  t.is(slotsFor({ strict: true, queues: [q(1)], asker: 0, free: 7, lead: 1 }), 7);
});

test('no free slot: nothing, whatever the share', (t) => {
  t.is(slotsFor({ strict: false, queues: [q(6, 0), q(1, 100)], asker: 0, free: 0, lead: 5 }), 0);
});

test('strict: a queue gets slots only when no queue before it has work', (t) => {
  const queues = [q(1, 0, true), q(1, 0, true), q(1, 0, false)];
  t.is(slotsFor({ strict: true, queues, asker: 0, free: 4, lead: 1 }), 4);
  t.is(slotsFor({ strict: true, queues, asker: 1, free: 4, lead: 1 }), 0);
  t.is(slotsFor({ strict: true, queues, asker: 2, free: 4, lead: 1 }), 0);
  t.true(outranked(queues, 2));
  const firstDry = [q(1, 0, false), q(1, 0, true), q(1, 0, true)];
  t.is(slotsFor({ strict: true, queues: firstDry, asker: 1, free: 4, lead: 1 }), 4);
  t.false(outranked(firstDry, 1));
  t.is(slotsFor({ strict: true, queues: firstDry, asker: 2, free: 4, lead: 1 }), 0);
});

test('weighted: the asker may bring its pass level with the lowest contender, plus the lead', (t) => {
  // critical (6) has started 60 (pass 10), low (1) 4 (pass 4): low is due 6, plus a lead of 2.
  const queues = [q(6, 10), q(1, 4)];
  t.is(slotsFor({ strict: false, queues, asker: 1, free: 20, lead: 2 }), 8);
  t.is(slotsFor({ strict: false, queues, asker: 1, free: 3, lead: 2 }), 3, 'never more than free');
  // critical is ahead by 6 passes: 36 starts; it gets only what the lead allows: nothing.
  t.is(slotsFor({ strict: false, queues, asker: 0, free: 20, lead: 2 }), 0);
});

test('weighted: a queue without work does not hold the others back', (t) => {
  const queues = [q(6, 10), q(1, 0, false)];
  t.is(slotsFor({ strict: false, queues, asker: 0, free: 9, lead: 1 }), 9);
});

test('weighted: fractional passes do not round a due start away', (t) => {
  // 0.1 * 10 is 0.9999999999999999 in floating point.
  const queues = [q(10, 0.1), q(1, 0.2)];
  t.is(slotsFor({ strict: false, queues, asker: 0, free: 5, lead: 0 }), 1);
});

test('a joining queue starts level with the contenders, never with old credit', (t) => {
  t.is(joiningPass(2, [q(1, 50), q(3, 40)]), 40);
  t.is(joiningPass(60, [q(1, 50)]), 60, 'a queue ahead stays ahead');
  t.is(joiningPass(7, []), 7);
});

/**
 * Simulated starts: each step every queue asks in turn and takes what it may, and then `done`
 * slots free again (as tasks end). All queues always have work.
 */
function simulate(weights: number[], steps: number, pool: number, lead: number): number[] {
  const queues = weights.map((w) => q(w));
  const started = weights.map(() => 0);
  let free = pool;
  for (let s = 0; s < steps; s++) {
    for (let i = 0; i < queues.length; i++) {
      const n = slotsFor({ strict: false, queues, asker: i, free, lead });
      free -= n;
      started[i]! += n;
      queues[i]!.pass += n / queues[i]!.weight;
    }
    // A varying number of tasks end each step.
    free += Math.min(pool - free, 1 + (s % 4));
  }
  return started;
}

test('weighted: with every queue backlogged, starts follow the weights 6:3:1', (t) => {
  const started = simulate([6, 3, 1], 2000, 10, 5);
  const total = started.reduce((a, b) => a + b, 0);
  t.true(total > 3000);
  const shares = started.map((n) => n / total);
  t.true(Math.abs(shares[0]! - 0.6) < 0.01, `${shares}`);
  t.true(Math.abs(shares[1]! - 0.3) < 0.01, `${shares}`);
  t.true(Math.abs(shares[2]! - 0.1) < 0.01, `${shares}`);
});

test('weighted: equal weights share equally whatever the asking order', (t) => {
  const started = simulate([2, 2, 2, 2], 1000, 7, 3);
  const max = Math.max(...started);
  const min = Math.min(...started);
  t.true(max - min <= 3, `${started}`);
});
