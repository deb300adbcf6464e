import test from 'ava';
import type { ClaimedTask } from '../../src/index.js';
import { claim, type Engine, useEngine } from './fixture.js';

const engine = useEngine(test);

async function runAll(
  e: Engine,
  outcome: (task: ClaimedTask) => 'ok' | 'fail' = () => 'ok',
): Promise<string[]> {
  const w = e.ops('w1');
  const order: string[] = [];
  for (;;) {
    const { tasks } = await claim(w, 'default', { max: 10, start: 10 });
    if (tasks.length === 0) return order;
    for (const task of tasks) {
      order.push(task.id);
      if (outcome(task) === 'ok')
        await w.complete('default', [{ id: task.id, attempt: task.attempt, result: { from: task.id } }]);
      else
        await w.fail('default', [
          { id: task.id, attempt: task.attempt, message: 'no', reason: 'handler_error', permanent: true },
        ]);
    }
  }
}

test('a task starts only after every dependency succeeded, and sees their results', async (t) => {
  const e = await engine.make();
  const [a, b, report] = await e.client.submitMany([
    { type: 'a', ref: 'a' },
    { type: 'b', ref: 'b' },
    { type: 'report', ref: 'r', dependsOn: ['a', 'b'], priority: 10 },
  ]);
  const w = e.ops('w1');
  const first = await claim(w, 'default', { max: 10, start: 10 });
  t.deepEqual(first.tasks.map((x) => x.id).sort(), [a!.id, b!.id].sort()); // the report (priority 10) is not among them
  await w.complete('default', [{ id: a!.id, attempt: 1, result: 'A' }]);
  t.is((await e.client.get(report!.id)).state, 'pending');
  await w.complete('default', [{ id: b!.id, attempt: 1, result: 'B' }]);
  t.is((await e.client.get(report!.id)).state, 'queued');
  const { tasks } = await claim(w, 'default', { max: 10, start: 1 });
  t.is(tasks[0]!.id, report!.id);
  t.deepEqual(await w.results('default', tasks[0]!.dependsOn), { [a!.id]: 'A', [b!.id]: 'B' });
});

test('a failed dependency cancels its dependents transitively with reason dependency_failed', async (t) => {
  const e = await engine.make();
  const [root, child, grandchild, unrelated] = await e.client.submitMany([
    { type: 'root', ref: 'root' },
    { type: 'child', ref: 'child', dependsOn: ['root'] },
    { type: 'grandchild', dependsOn: ['child'] },
    { type: 'unrelated' },
  ]);
  await runAll(e, (task) => (task.id === root!.id ? 'fail' : 'ok'));
  t.like(await e.client.get(root!.id), { state: 'failed' });
  t.like(await e.client.get(child!.id), { state: 'cancelled', reason: 'dependency_failed', startedAt: null });
  t.like(await e.client.get(grandchild!.id), {
    state: 'cancelled',
    reason: 'dependency_failed',
    startedAt: null,
  });
  t.like(await e.client.get(unrelated!.id), { state: 'succeeded' });
});

test('a diamond runs each task once, in dependency order', async (t) => {
  const e = await engine.make();
  const rs = await e.client.submitMany([
    { type: 'top', ref: 'top' },
    { type: 'left', ref: 'left', dependsOn: ['top'] },
    { type: 'right', ref: 'right', dependsOn: ['top'] },
    { type: 'bottom', ref: 'bottom', dependsOn: ['left', 'right'] },
  ]);
  const order = await runAll(e);
  t.is(order.length, 4);
  t.is(order[0], rs[0]!.id);
  t.is(order[3], rs[3]!.id);
  for (const r of rs) t.is((await e.client.get(r.id)).state, 'succeeded');
});

test('depending on a task that already succeeded runs at once; on one that failed, cancels at once', async (t) => {
  const e = await engine.make();
  const [good, bad] = await e.client.submitMany([{ type: 'good' }, { type: 'bad' }]);
  await runAll(e, (task) => (task.id === bad!.id ? 'fail' : 'ok'));
  t.is((await e.client.submit({ type: 'x', dependsOn: [good!.id] })).state, 'queued');
  const doomed = await e.client.submit({ type: 'x', dependsOn: [good!.id, bad!.id] });
  t.is(doomed.state, 'cancelled');
  t.like(await e.client.get(doomed.id), { reason: 'dependency_failed' });
});

test('a dependent with a delay becomes scheduled when its dependencies are met', async (t) => {
  const e = await engine.make();
  const [parent, child] = await e.client.submitMany([
    { type: 'p', ref: 'p' },
    { type: 'c', dependsOn: ['p'], delayMs: 10_000 },
  ]);
  const w = e.ops('w1');
  await claim(w, 'default', { max: 1, start: 1 });
  await w.complete('default', [{ id: parent!.id, attempt: 1, result: null }]);
  t.is((await e.client.get(child!.id)).state, 'scheduled');
  e.clock.advance(10_000);
  const { tasks } = await claim(w, 'default', { max: 1 });
  t.is(tasks[0]!.id, child!.id);
});
