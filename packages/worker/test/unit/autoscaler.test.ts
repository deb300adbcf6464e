import { describeScale } from '@dtps/core';
import test from 'ava';
import { SlotPool } from '../../src/pool.js';
import { Autoscaler } from '../../src/units/autoscaler.js';
import { applyOperatorScale } from '../../src/units/operator-scale.js';
import { capturingLogger } from './fixtures.js';

/** `holdMs` 0 by default: these tests are about the load; the hold has its own tests below. */
function setup(pool: { size: number; min: number; max: number }, cooldownMs = 500, holdMs = 0) {
  const clock = { t: 1_000_000 };
  const signals = { backlog: 0 };
  const p = new SlotPool(
    pool,
    () => {},
    () => clock.t,
  );
  const { log, records } = capturingLogger();
  const scaler = new Autoscaler(
    p,
    { backlog: () => signals.backlog },
    { intervalMs: 100, cooldownMs, holdMs },
    log,
    () => clock.t,
  );
  return { clock, signals, pool: p, scaler, records };
}

/** Occupies every free slot, as a worker with a backlog would. */
function fill(p: SlotPool): void {
  p.acquire(p.available());
}

test('sustained full utilisation with a backlog grows the pool toward max, step by step, each step logged', (t) => {
  const { clock, signals, pool, scaler, records } = setup({ size: 1, min: 1, max: 8 });
  signals.backlog = 50;
  const sizes = [pool.size];
  for (let i = 0; i < 10 && pool.size < pool.max; i++) {
    fill(pool);
    clock.t += 100;
    const r = scaler.decide();
    t.is(r, pool.size, 'decide returns the new size');
    sizes.push(pool.size);
  }
  t.is(pool.size, 8);
  t.true(sizes.length > 2, `more than one step (${sizes.join(' → ')})`);
  for (let i = 1; i < sizes.length; i++) {
    t.true(sizes[i]! > sizes[i - 1]!, 'each step grows');
    t.true(sizes[i]! <= sizes[i - 1]! * 2, `a step at most doubles (${sizes[i - 1]} → ${sizes[i]})`);
  }
  t.log(`sizes: ${sizes.join(' → ')}`);
  const grows = records.filter((r) => String(r.msg).startsWith('autoscale: grow'));
  t.is(grows.length, sizes.length - 1, 'one log line per decision');
  t.like(grows[0], { from: 1, to: sizes[1], utilisation: 1, backlog: 50 });
  t.regex(String(grows[0]!.msg), /all slots busy and work waiting/);
  fill(pool);
  clock.t += 100;
  t.is(scaler.decide(), null, 'at max: no further change');
  t.is(pool.size, 8);
});

test('full slots without a backlog, or a backlog without full slots, do not grow', (t) => {
  const { clock, signals, pool, scaler } = setup({ size: 4, min: 1, max: 8 });
  fill(pool);
  signals.backlog = 0;
  clock.t += 100;
  t.is(scaler.decide(), null);
  pool.release(2);
  signals.backlog = 10;
  clock.t += 100;
  t.is(scaler.decide(), null, 'half the slots busy');
  t.is(pool.size, 4);
});

test('idle for the cooldown shrinks toward min a quarter at a time, one step a cooldown, and not before', (t) => {
  const { clock, pool, scaler, records } = setup({ size: 8, min: 1, max: 8 }, 500);
  for (let dt = 0; dt < 500; dt += 100) {
    t.is(scaler.decide(), null, `no shrink after ${dt} ms idle`);
    clock.t += 100;
  }
  t.is(pool.size, 8);
  t.is(scaler.decide(), 6, 'shrinks once idle for the cooldown, by a quarter');
  const shrink = records.find((r) => String(r.msg).startsWith('autoscale: shrink'));
  t.like(shrink, { from: 8, to: 6, utilisation: 0, quietMs: 500 });
  t.like(pool.sizeChange, { by: 'autoscaler', from: 8, to: 6 });
  t.regex(pool.sizeChange.reason, /^idle: 8 → 6 \(utilisation 0, nothing waiting for 0\.5 s\)$/);
  const sizes = [8, 6];
  for (let i = 0; i < 100 && pool.size > 1; i++) {
    clock.t += 100;
    if (scaler.decide() !== null) sizes.push(pool.size);
  }
  t.deepEqual(sizes, [8, 6, 5, 4, 3, 2, 1], 'a step at most a quarter (at least one slot)');
  clock.t += 10_000;
  t.is(scaler.decide(), null, 'at min: no further change');
});

test('no shrink within the cooldown of a grow, and a busy spell restarts the quiet time', (t) => {
  const { clock, signals, pool, scaler } = setup({ size: 2, min: 1, max: 8 }, 500);
  signals.backlog = 5;
  fill(pool);
  clock.t += 100;
  t.true((scaler.decide() ?? 0) > 2, 'grew');
  const grownAt = clock.t;
  const grown = pool.size;
  // Idle at once after the grow.
  pool.release(pool.busy);
  signals.backlog = 0;
  while (clock.t - grownAt < 500) {
    t.is(scaler.decide(), null, `no shrink ${clock.t - grownAt} ms after the grow`);
    clock.t += 100;
  }
  // A busy moment (over half the slots) resets the quiet time.
  pool.acquire(pool.size);
  t.is(scaler.decide(), null);
  pool.release(pool.busy);
  const quietFrom = clock.t + 100;
  clock.t = quietFrom;
  t.is(scaler.decide(), null);
  clock.t += 400;
  t.is(scaler.decide(), null, 'only 400 ms quiet');
  t.is(pool.size, grown);
  clock.t += 100;
  t.is(scaler.decide(), grown - Math.floor(grown / 4), 'quiet for the whole cooldown');
});

test('a shrink keeps the busy slots and room for the recent load', (t) => {
  const { clock, pool, scaler } = setup({ size: 8, min: 1, max: 8 }, 500);
  pool.acquire(2);
  for (let i = 0; i <= 5; i++) {
    scaler.decide();
    clock.t += 100;
  }
  t.true(pool.size >= 2 && pool.size < 8, `shrunk to ${pool.size}, not below the 2 busy slots`);
});

test('paused: no change either way', (t) => {
  const { clock, signals, pool, scaler } = setup({ size: 2, min: 1, max: 8 }, 500);
  fill(pool);
  pool.pause();
  signals.backlog = 20;
  for (let i = 0; i < 5; i++) {
    clock.t += 100;
    t.is(scaler.decide(), null);
  }
  t.is(pool.size, 2);
  pool.release(pool.busy);
  signals.backlog = 0;
  for (let i = 0; i < 20; i++) {
    clock.t += 100;
    t.is(scaler.decide(), null);
  }
  t.is(pool.size, 2, 'not shrunk while paused, even after long idleness');
});

// Regression (was a bug in packages/worker/src/worker.ts + units/autoscaler.ts): the Worker wires
// the pool's onFree to #pumpAll, which calls autoscaler.sample(); onFree fires
// from SlotPool.release(), i.e. exactly at the instant a slot has just been
// freed and before the runner refills it. So with a full backlog every sample
// but the timer's own reads (size-1)/size: a pool of 1 reads 0, a pool of 4
// reads 0.75 (< 0.85). With tasks shorter than intervalMs the mean never
// reaches 0.85 and the pool never grows (measured embedded: 300 tasks of 20 ms
// or 200 of 50 ms with pool 1..8 ran entirely at size 1; 200 ms tasks do grow,
// but 4 → 8 is a matter of luck, 0.5 to 8 s). Fix: measure time-weighted
// utilisation (accumulate busy × elapsed between pool changes and divide by
// size × interval in decide()), or sample only on a timer, not on release.
test('slots kept full by a backlog of short tasks count as fully used (sampling as the Worker wires it)', (t) => {
  const clock = { t: 0 };
  let scaler: Autoscaler | undefined;
  const pool = new SlotPool(
    { size: 1, min: 1, max: 8 },
    () => {},
    () => clock.t,
  );
  scaler = new Autoscaler(
    pool,
    { backlog: () => 100 },
    { intervalMs: 100, cooldownMs: 500 },
    capturingLogger().log,
    () => clock.t,
  );
  pool.acquire(pool.available());
  // Ten 10 ms tasks per interval: each one ends (release) and the next starts from the window within the same ms.
  for (let round = 0; round < 10; round++) {
    for (let i = 0; i < 10; i++) {
      clock.t += 10;
      pool.release(1);
      pool.acquire(pool.available());
    }
    scaler.decide();
    pool.acquire(pool.available()); // new slots fill from the backlog at once
  }
  t.true(pool.size > 1, `pool size ${pool.size} after 1 s of full slots and a backlog of 100`);
});

// Regression (issue 17, point 5): the cooldown counted only the autoscaler's own changes, so an
// operator's `scale --size 6` was back at the old size within seconds.
test("an operator's size holds for the hold period, then steps down gently", (t) => {
  const { clock, pool, scaler } = setup({ size: 2, min: 1, max: 10 }, 500, 2000);
  clock.t += 5000; // long past the start's hold
  applyOperatorScale(pool, { size: 6 });
  t.like(pool.sizeChange, { by: 'operator', from: 2, to: 6, reason: 'operator: size 2 → 6' });
  const setAt = clock.t;
  while (clock.t - setAt < 2000) {
    t.is(scaler.decide(), null, `held ${clock.t - setAt} ms after the operator's change`);
    clock.t += 100;
  }
  t.is(pool.size, 6);
  t.is(scaler.decide(), 5, 'after the hold, idle: one step down, not back to 2 or 1');
  t.is(pool.sizeChange.by, 'autoscaler');
});

test('a size given at start is held, and a trickle of work does not collapse it', (t) => {
  const { clock, pool, scaler } = setup({ size: 8, min: 1, max: 10 }, 500, 1500);
  t.like(pool.sizeChange, { by: 'start', reason: 'start: size 8', from: 8, to: 8 });
  const sizes = [pool.size];
  // One short task every 300 ms: far below the pool's capacity, nothing ever waits.
  for (let ms = 0; ms < 3000; ms += 100) {
    if (ms % 300 === 0) pool.acquire(1);
    clock.t += 50;
    if (ms % 300 === 0) pool.release(1);
    clock.t += 50;
    if (scaler.decide() !== null) sizes.push(pool.size);
    if (ms < 1400) t.is(pool.size, 8, `held ${ms} ms after start`);
  }
  // Held for 1.5 s, then one gentle step a cooldown (with the defaults: 30 s, then one step every 10 s).
  t.deepEqual(sizes, [8, 6, 5, 4, 3], '3 s (6 cooldowns) after start');
});

test('within the hold, load still grows the pool above an operator who raised it', (t) => {
  const { clock, signals, pool, scaler } = setup({ size: 2, min: 1, max: 10 }, 500, 5000);
  applyOperatorScale(pool, { size: 4 });
  signals.backlog = 20;
  fill(pool);
  clock.t += 100;
  t.is(scaler.decide(), 8, 'grows at once: the operator asked for more, the load wants more still');
});

test('an operator who lowered the size is not overruled by the backlog they saw: growth waits a full cooldown of pressure', (t) => {
  const { clock, signals, pool, scaler } = setup({ size: 8, min: 1, max: 10 }, 500, 5000);
  applyOperatorScale(pool, { size: 2 });
  signals.backlog = 20;
  fill(pool);
  const loweredAt = clock.t;
  while (clock.t - loweredAt < 500) {
    t.is(scaler.decide(), null, `${clock.t - loweredAt} ms of pressure`);
    clock.t += 100;
    fill(pool);
  }
  t.is(scaler.decide(), 4, 'a full cooldown of busy slots and work waiting: grows');
});

test('operator scale changes only what was asked, and says what followed from it', (t) => {
  const { pool } = setup({ size: 4, min: 1, max: 10 });
  const out = applyOperatorScale(pool, { min: 30 });
  t.deepEqual(out.before, { size: 4, min: 1, max: 10 });
  t.deepEqual(out.after, { size: 30, min: 30, max: 30 });
  t.is(
    describeScale(out),
    'min 1 → 30; size 4 → 30 (raised to the new min); max 10 → 30 (raised to the new min)',
  );
  const lower = applyOperatorScale(pool, { max: 5 });
  t.is(
    describeScale(lower),
    'max 30 → 5; size 30 → 5 (lowered to the new max); min 30 → 5 (lowered to the new max)',
  );
  const bounds = applyOperatorScale(pool, { min: 1, max: 8 });
  t.is(describeScale(bounds), 'min 5 → 1; max 5 → 8');
  t.is(pool.size, 5, 'a size inside the new bounds stays');
  t.is(describeScale(applyOperatorScale(pool, { size: 50 })), 'size 5 → 8 (clamped to max 8)');
  t.is(describeScale(applyOperatorScale(pool, { size: 8 })), 'nothing changed (size 8, min 1, max 8)');
});
