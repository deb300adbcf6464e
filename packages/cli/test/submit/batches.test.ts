import type { TaskSpec } from '@dtps/core';
import test from 'ava';
import { externalDependencies, planBatches } from '../../src/submit/batches.js';

const plain = (n: number): TaskSpec[] => Array.from({ length: n }, () => ({ type: 'x' }));

test('batches of at most the size, in file order', (t) => {
  t.deepEqual(planBatches(plain(5), 2), [[0, 1], [2, 3], [4]]);
  t.deepEqual(planBatches([], 2), []);
});

test('specs linked by ref stay in one batch, even across the file', (t) => {
  const specs: TaskSpec[] = [
    { type: 'x', ref: 'a' },
    { type: 'x' },
    { type: 'x' },
    { type: 'x', dependsOn: ['a'] },
    { type: 'x' },
  ];
  t.deepEqual(planBatches(specs, 2), [[0, 3], [1, 2], [4]]);
  // Chains join transitively; a group bigger than the size is a batch of its own.
  const chain: TaskSpec[] = [
    { type: 'x', ref: 'a' },
    { type: 'x', ref: 'b', dependsOn: ['a'] },
    { type: 'x', dependsOn: ['b'] },
    { type: 'x' },
  ];
  t.deepEqual(planBatches(chain, 2), [[0, 1, 2], [3]]);
});

test('externalDependencies: ids that are not refs, once per queue', (t) => {
  const specs: TaskSpec[] = [
    { type: 'x', ref: 'a', dependsOn: ['t1'] },
    { type: 'x', dependsOn: ['a', 't1', 't2'] },
    { type: 'x', queue: 'q2', dependsOn: ['t1'] },
  ];
  t.deepEqual(externalDependencies(specs, 'default'), [
    { id: 't1', queue: 'default', index: 0 },
    { id: 't2', queue: 'default', index: 1 },
    { id: 't1', queue: 'q2', index: 2 },
  ]);
});
