import test from 'ava';
import { SlotPool } from '../../src/pool.js';

function pool(opts: { size: number; min: number; max: number }) {
  const calls = { onFree: 0 };
  const p = new SlotPool(opts, () => {
    calls.onFree++;
  });
  return { p, calls };
}

test('acquire takes what is free, release gives back and signals a free slot', (t) => {
  const { p, calls } = pool({ size: 3, min: 1, max: 5 });
  t.is(p.available(), 3);
  t.is(p.acquire(2), 2);
  t.is(p.busy, 2);
  t.is(p.available(), 1);
  t.is(p.acquire(5), 1, 'only the free slot is handed out');
  t.is(p.available(), 0);
  t.is(p.acquire(1), 0);
  t.is(p.busy, 3);
  p.release();
  t.is(p.busy, 2);
  t.is(p.available(), 1);
  t.is(calls.onFree, 1);
  p.release(2);
  t.is(p.busy, 0);
  t.is(calls.onFree, 2);
  p.release(4);
  t.is(p.busy, 0, 'releasing more than is busy never goes below zero');
  t.is(p.available(), 3);
});

test('the initial size is clamped into [min, max]', (t) => {
  t.is(pool({ size: 50, min: 1, max: 8 }).p.size, 8);
  t.is(pool({ size: 0, min: 2, max: 8 }).p.size, 2);
  const { p } = pool({ size: 4, min: 2, max: 8 });
  t.deepEqual([p.size, p.min, p.max], [4, 2, 8]);
});

test('resize keeps the size inside the bounds, bounds first', (t) => {
  const { p, calls } = pool({ size: 3, min: 1, max: 5 });
  p.resize({ size: 100 });
  t.is(p.size, 5, 'above max: clamped to max');
  p.resize({ size: 0 });
  t.is(p.size, 1, 'below min: clamped to min');
  p.resize({ min: 4 });
  t.deepEqual([p.size, p.min, p.max], [4, 4, 5], 'a higher min raises the size');
  p.resize({ min: 1, max: 2 });
  t.deepEqual([p.size, p.min, p.max], [2, 1, 2], 'a lower max lowers the size');
  p.resize({ size: 2, min: 3, max: 6 });
  t.deepEqual([p.size, p.min, p.max], [3, 3, 6], 'new bounds apply before the new size');
  p.resize({ min: 7 });
  t.deepEqual(
    [p.size, p.min, p.max],
    [7, 7, 7],
    'a min above max lifts max with it (the client refuses min > max)',
  );
  t.true(calls.onFree >= 6, 'each resize signals the runners');
});

test('shrinking below the busy count lets running tasks finish and starts nothing new until under the new size', (t) => {
  const { p } = pool({ size: 4, min: 1, max: 8 });
  t.is(p.acquire(4), 4);
  p.resize({ size: 2 });
  t.is(p.size, 2);
  t.is(p.busy, 4, 'running tasks keep their slots');
  t.is(p.available(), 0);
  t.is(p.acquire(1), 0);
  p.release();
  t.is(p.busy, 3);
  t.is(p.available(), 0, 'still over the new size');
  p.release(2);
  t.is(p.busy, 1);
  t.is(p.available(), 1);
  t.is(p.acquire(3), 1);
});

test('pause stops handing out slots without touching running ones; resume hands them out again', (t) => {
  const { p, calls } = pool({ size: 3, min: 1, max: 5 });
  p.acquire(1);
  p.pause();
  t.true(p.paused);
  t.is(p.available(), 0);
  t.is(p.acquire(2), 0);
  t.is(p.busy, 1);
  p.release();
  t.is(p.busy, 0);
  t.is(p.available(), 0, 'a released slot is not free while paused');
  p.resize({ size: 5 });
  t.is(p.available(), 0, 'nor after a resize while paused');
  const before = calls.onFree;
  p.resume();
  t.false(p.paused);
  t.is(calls.onFree, before + 1, 'resume signals the runners');
  t.is(p.available(), 5);
  t.is(p.acquire(5), 5);
});
