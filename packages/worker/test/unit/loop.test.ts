import { Loop, silentLogger } from '@dtps/core';
import test from 'ava';
import { capturingLogger } from './fixtures.js';

function until(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (check()) resolve();
      else if (performance.now() > deadline) reject(new Error('timed out'));
      else setTimeout(poll, 2);
    };
    poll();
  });
}

test('ticks every interval once started, never two at once, and stops', async (t) => {
  let ticks = 0;
  let active = 0;
  let overlap = false;
  const loop = new Loop(
    'x',
    10,
    async () => {
      active++;
      if (active > 1) overlap = true;
      ticks++;
      await new Promise((r) => setTimeout(r, 15));
      active--;
    },
    silentLogger(),
  );
  loop.now();
  t.is(ticks, 0, 'now() before start does nothing');
  loop.start();
  await until(() => ticks >= 4);
  loop.now();
  loop.now();
  await loop.stop();
  t.false(overlap);
  t.is(active, 0, 'stop waits for the running tick');
  const after = ticks;
  await new Promise((r) => setTimeout(r, 50));
  t.is(ticks, after, 'no tick after stop');
});

test('now() runs a tick at once instead of waiting for the interval', async (t) => {
  let ticks = 0;
  const loop = new Loop(
    'x',
    60_000,
    () => {
      ticks++;
    },
    silentLogger(),
  );
  loop.start();
  loop.now();
  await until(() => ticks === 1);
  loop.now();
  await until(() => ticks === 2);
  t.pass();
  await loop.stop();
});

test('a failing tick (rejected promise) is logged and the loop carries on', async (t) => {
  const { log, records } = capturingLogger();
  let ticks = 0;
  const loop = new Loop(
    'beater',
    5,
    async () => {
      ticks++;
      if (ticks === 1) throw new Error('redis down');
    },
    log,
  );
  loop.start();
  await until(() => ticks >= 3);
  await loop.stop();
  t.like(
    records.find((r) => r.msg === 'tick failed'),
    { unit: 'beater', err: 'redis down' },
  );
});

// Regression (was a bug in packages/core/src/runtime/loop.ts, Loop.#run): when `tick` throws
// synchronously (a non-async tick, like the worker's autoscaler tick), the
// async IIFE runs its catch and finally before returning, so `finally` clears
// #running and schedules the next tick, and only then is #running assigned the
// (already settled) promise. #running is never cleared again: every later
// #run() returns early and the loop is dead for good, after one 'tick failed'
// line. Fix: start the tick after the assignment, e.g. `await null;` as the
// first statement of the IIFE, or `await Promise.resolve().then(() => this.tick())`.
test('a tick that throws synchronously does not stop the loop', async (t) => {
  const { log, records } = capturingLogger();
  let ticks = 0;
  const loop = new Loop(
    'autoscaler',
    5,
    () => {
      ticks++;
      if (ticks === 1) throw new Error('sync failure');
    },
    log,
  );
  loop.start();
  await until(() => ticks >= 3, 500).catch(() => {});
  await loop.stop();
  t.true(records.some((r) => r.msg === 'tick failed'));
  t.true(ticks >= 3, `ticked ${ticks} time(s)`);
});

// Regression: Loop.now() while a tick is in flight is dropped (#run returns when
// #running is set) and the next tick is then a whole interval away. For the
// heartbeater this means an operator's command that lands while a heartbeat
// write is in flight shows only one heartbeatMs later (the in-flight write
// carries the info computed before the command). Fix: remember a `now()` that
// arrives during a tick and run one more tick right after it.
test('now() during a running tick runs another tick right after it', async (t) => {
  let ticks = 0;
  let release!: () => void;
  const loop = new Loop(
    'x',
    60_000,
    async () => {
      ticks++;
      if (ticks === 1) await new Promise<void>((r) => (release = r));
    },
    silentLogger(),
  );
  loop.start();
  loop.now();
  await until(() => ticks === 1);
  loop.now(); // e.g. a control command applied while the heartbeat is being written
  release();
  await until(() => ticks === 2, 500).catch(() => {});
  t.is(ticks, 2);
  await loop.stop();
});

test('failing ticks back off (never under the interval, up to the cap), log once, and a success resets', async (t) => {
  const { log, records } = capturingLogger();
  const at: number[] = [];
  let failing = true;
  const loop = new Loop(
    'sweeper',
    10,
    () => {
      at.push(performance.now());
      if (failing) throw new Error('OOM command not allowed');
    },
    log,
    { backoffCapMs: 200 },
  );
  loop.start();
  await until(() => at.length >= 8, 5000);
  failing = false;
  const failures = at.length;
  await until(() => at.length >= failures + 6, 5000);
  await loop.stop();
  const gaps = at.slice(1).map((x, i) => x - at[i]!);
  t.true(
    gaps.every((g) => g >= 9),
    `never under the interval: ${gaps.map(Math.round)}`,
  );
  const failedGaps = gaps.slice(0, failures - 1);
  const healthyGaps = gaps.slice(failures + 1);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  t.true(mean(failedGaps.slice(3)) > 30, `backed off: ${failedGaps.map(Math.round)}`);
  t.true(mean(healthyGaps) < mean(failedGaps.slice(3)), `reset by a success: ${healthyGaps.map(Math.round)}`);
  t.is(records.filter((r) => r.msg === 'tick failed').length, 1, 'one line for the same error');
  t.true(
    records.some((r) => /^tick failed \(repeated \d+ times in 10 s\)$/.test(String(r.msg))),
    'the repeats summarised (at the latest when the loop stops)',
  );
});

test('keepSchedule: a failing heartbeat keeps its interval', async (t) => {
  const at: number[] = [];
  const loop = new Loop(
    'heartbeater',
    10,
    () => {
      at.push(performance.now());
      throw new Error('OOM command not allowed');
    },
    silentLogger(),
    { keepSchedule: true },
  );
  loop.start();
  await until(() => at.length >= 20, 5000);
  await loop.stop();
  // Twenty ticks in far less than a backoff would take (up to 10, 20, 40 … 5,000 ms each).
  t.true(at.at(-1)! - at[0]! < 2000, `${Math.round(at.at(-1)! - at[0]!)} ms for 20 ticks`);
});
