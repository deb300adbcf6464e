import test from 'ava';
import { useCli } from '../helpers/setup.js';

const cli = useCli(test);

test('status --json prints the task with the fields of docs/design.md §6', async (t) => {
  const s = cli.scope();
  const { id } = await s.client().submit({ type: 'echo', priority: 3 });
  const r = await s.run(['status', id, '--json']);
  t.is(r.code, 0, r.stderr);
  const task = r.json();
  for (const key of [
    'id',
    'state',
    'attempts',
    'result',
    'error',
    'priority',
    'queue',
    'type',
    'dependsOn',
    'createdAt',
    'startedAt',
    'finishedAt',
  ]) {
    t.true(key in task, key);
  }
  t.like(task, { id, state: 'queued', priority: 3, type: 'echo', queue: 'default', dependsOn: [] });
});

test('status for people: a readable block', async (t) => {
  const s = cli.scope();
  const { id } = await s.client().submit({ type: 'echo', priority: 3, maxRetries: 2 });
  const r = await s.run(['status', id]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, new RegExp(`^id +${id}$`, 'm'));
  t.regex(r.stdout, /^state +queued$/m);
  t.regex(r.stdout, /^attempts +0 \(max retries 2\)$/m);
  t.regex(r.stdout, /^created +\d{4}-\d\d-\d\dT/m);
});

test('status of an unknown id is bad input (exit 2); a missing id is a usage error', async (t) => {
  const s = cli.scope();
  const r = await s.run(['status', 'nope']);
  t.is(r.code, 2);
  t.is(r.stderr, 'dtps: task nope not found in any queue\n');
  const json = await s.run(['status', 'nope', '--queue', 'q1', '--json']);
  t.like(json.json(), { error: { code: 'not_found', message: 'task nope not found in queue q1' } });
  const missing = await s.run(['status']);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /needs a task id/);
});

test('wait --json: exit 0 with the result once a worker completes the task', async (t) => {
  const s = cli.scope();
  const { id } = await s.client().submit({ type: 'echo', payload: { n: 42 } });
  const waiting = s.run(['wait', id, '--json']);
  // Let the wait start before the task ends, so that it is seen through the event stream.
  await new Promise((r) => setTimeout(r, 1000));
  const ops = s.worker('w1');
  const { tasks } = (await ops.cycle('default', { claim: { max: 1, start: 1 } })).claim;
  t.is(tasks[0]?.id, id);
  t.deepEqual(await ops.complete('default', [{ id, attempt: tasks[0]!.attempt, result: { n: 43 } }]), [true]);
  const r = await waiting;
  t.is(r.code, 0, r.stderr);
  t.like(r.json(), { id, state: 'succeeded', result: { n: 43 }, attempts: 1 });
  t.is(typeof r.json().finishedAt, 'number');

  // A task that has already ended: at once.
  const again = await s.run(['wait', id]);
  t.is(again.code, 0);
  t.regex(again.stdout, /^result +\{"n":43\}$/m);
});

test('wait exits 1 when the task fails', async (t) => {
  const s = cli.scope();
  const { id } = await s.client().submit({ type: 'fail', maxRetries: 0 });
  const ops = s.worker('w1');
  const { tasks } = (await ops.cycle('default', { claim: { max: 1, start: 1 } })).claim;
  await ops.fail('default', [
    { id, attempt: tasks[0]!.attempt, message: 'boom', reason: 'handler_error', permanent: true },
  ]);
  const r = await s.run(['wait', id, '--json']);
  t.is(r.code, 1);
  t.like(r.json(), { id, state: 'failed', error: { message: 'boom' } });
  t.is(r.stderr, '');
});

test('wait exits 1 when the task is cancelled meanwhile', async (t) => {
  const s = cli.scope();
  const { id } = await s.client().submit({ type: 'echo' });
  const waiting = s.run(['wait', id, '--json']);
  await new Promise((r) => setTimeout(r, 800));
  const cancelled = await s.run(['cancel', id]);
  t.is(cancelled.code, 0, cancelled.stderr);
  const r = await waiting;
  t.is(r.code, 1);
  t.like(r.json(), { id, state: 'cancelled' });
});

test('wait --timeout on a queued task: exit 1 after the timeout, naming the state', async (t) => {
  const s = cli.scope();
  const { id } = await s.client().submit({ type: 'echo' });
  const r = await s.run(['wait', id, '--timeout', '600']);
  t.is(r.code, 1);
  t.true(r.ms >= 600);
  t.is(r.stderr, `dtps: task ${id} is still queued after 600 ms\n`);
  t.is(r.stdout, '');
  const json = await s.run(['wait', id, '--timeout', '100', '--json']);
  t.is(json.code, 1);
  t.like(json.json(), { error: { code: 'timeout', field: 'timeoutMs' } });
});
