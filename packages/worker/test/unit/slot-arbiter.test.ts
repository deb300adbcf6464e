import { resolveQueueOrder } from '@dtps/core';
import test from 'ava';
import { SlotPool } from '../../src/pool.js';
import { SlotArbiter } from '../../src/queue/slot-arbiter.js';

function setup(entries: string[], size: number, strict = false) {
  let wakes = 0;
  const pool = new SlotPool({ size, min: 0, max: size }, () => {});
  const arbiter = new SlotArbiter(
    resolveQueueOrder(entries, strict),
    () => 2,
    () => wakes++,
  );
  const work = entries.map(() => true);
  const slots = entries.map((_, i) => arbiter.slotsOf(i, pool, () => work[i]!));
  return { pool, arbiter, slots, work, wakes: () => wakes };
}

test('one queue: the pool as it is, no account kept', (t) => {
  const { slots, arbiter, pool } = setup(['only'], 4);
  t.is(slots[0]!.available(), 4);
  t.is(slots[0]!.acquire(3), 3);
  t.is(pool.busy, 3);
  t.deepEqual(arbiter.passes(), [0]);
});

test('weighted: slots taken are charged, slots given back unused are refunded', (t) => {
  const { slots, arbiter, pool } = setup(['a:2', 'b:1'], 10);
  t.is(slots[0]!.available(), 2, 'level passes: the lead only');
  t.is(slots[0]!.acquire(2), 2);
  t.deepEqual(arbiter.passes(), [1, 0]);
  t.is(slots[0]!.available(), 0, 'a is ahead by its lead');
  t.is(slots[1]!.available(), 3, 'b is due 1, plus the lead');
  slots[0]!.giveBack(2);
  t.deepEqual(arbiter.passes(), [0, 0]);
  t.is(pool.busy, 0);
});

test('weighted: taking slots wakes the other runners (their share may have grown)', (t) => {
  const { slots, wakes } = setup(['a:2', 'b:1'], 10);
  slots[1]!.acquire(1);
  t.is(wakes(), 1);
});

test('weighted: a queue without work does not hold the others, and joins level, without credit', (t) => {
  const { slots, arbiter, work } = setup(['a:1', 'b:1'], 100);
  work[1] = false;
  t.is(slots[0]!.available(), 100);
  slots[0]!.acquire(50);
  t.deepEqual(arbiter.passes(), [50, 0]);
  // b finds work: it joins level with a, so it gets its lead, not 50 starts of catching up.
  work[1] = true;
  t.is(slots[1]!.available(), 2);
  t.deepEqual(arbiter.passes(), [50, 50]);
});

test('strict: outranked while a queue before has work; free once it has none', (t) => {
  const { slots, work } = setup(['high', 'mid', 'low'], 10);
  t.false(slots[0]!.outranked());
  t.true(slots[1]!.outranked());
  t.true(slots[2]!.outranked());
  t.is(slots[0]!.available(), 10);
  t.is(slots[2]!.available(), 0);
  work[0] = false;
  t.false(slots[1]!.outranked());
  t.true(slots[2]!.outranked());
  work[1] = false;
  t.false(slots[2]!.outranked());
  t.is(slots[2]!.available(), 10);
});

test('strict with weights: the heaviest queue comes first', (t) => {
  const { arbiter, slots } = setup(['low:1', 'high:9'], 10, true);
  // Order is high, low: index 1 is low.
  t.true(slots[1]!.outranked());
  t.false(slots[0]!.outranked());
  t.deepEqual(arbiter.passes(), [0, 0]);
});
