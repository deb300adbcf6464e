import test from 'ava';
import { reached } from '../../bench/peers/peer-worker.js';

test('reached: the first sample time at which the workers’ counts together make the total', (t) => {
  // Each sample is [time read, count then]; a count only grows.
  const a: [number, number][] = [
    [10, 100],
    [20, 300],
    [30, 600],
  ];
  const b: [number, number][] = [
    [12, 50],
    [25, 250],
    [35, 400],
  ];
  t.deepEqual(reached([a, b], 500), { at: 25, processed: 550 }, 'a at 300 and b at 250');
  t.deepEqual(reached([a, b], 300), { at: 20, processed: 350 });
  t.deepEqual(reached([a], 600), { at: 30, processed: 600 });
  t.is(reached([a, b], 1001), undefined, 'not yet');
});
