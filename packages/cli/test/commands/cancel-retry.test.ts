import test from 'ava';
import { useCli } from '../helpers/setup.js';

const cli = useCli(test);

test('cancel, then status shows cancelled; retry makes it queued again', async (t) => {
  const s = cli.scope();
  const { id } = (await s.run(['submit', '--json'])).json<{ id: string }>();
  const cancelled = await s.run(['cancel', id, '--json']);
  t.is(cancelled.code, 0, cancelled.stderr);
  t.deepEqual(cancelled.json(), {
    id,
    queue: 'default',
    state: 'cancelled',
    previousState: 'queued',
    worker: null,
  });
  t.like((await s.run(['status', id, '--json'])).json(), { id, state: 'cancelled' });

  const retried = await s.run(['retry', id, '--json']);
  t.is(retried.code, 0, retried.stderr);
  t.deepEqual(retried.json(), { id, queue: 'default', state: 'queued' });
  t.like((await s.run(['status', id, '--json'])).json(), { id, state: 'queued' });
});

test('cancel and retry in the wrong state are bad input (exit 2)', async (t) => {
  const s = cli.scope();
  const { id } = await s.client().submit({ type: 'echo' });
  const retry = await s.run(['retry', id]);
  t.is(retry.code, 2);
  t.regex(
    retry.stderr,
    new RegExp(`^dtps: task ${id} is queued: only a task that has ended can be retried\\n$`),
  );
  t.is((await s.run(['cancel', id, '--reason', 'typo'])).code, 0);
  t.like(await s.client().get(id), { state: 'cancelled', reason: 'typo' });
  const again = await s.run(['cancel', id, '--json']);
  t.is(again.code, 2);
  t.like(again.json(), { error: { code: 'invalid_state' } });
  t.is((await s.run(['cancel', 'nope'])).code, 2);
});

test('human cancel and retry say what happened', async (t) => {
  const s = cli.scope();
  const { id } = await s.client().submit({ type: 'echo' });
  t.is((await s.run(['cancel', id])).stdout, `cancelled ${id} (was queued, queue default)\n`);
  t.is((await s.run(['retry', id])).stdout, `retried ${id} (queued, queue default)\n`);
});
