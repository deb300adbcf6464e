/**
 * Issue 16, point 2: a stored value that cannot be decoded (the "" a function
 * result used to be stored as) no longer makes `dtps status` exit 1 with
 * "Unexpected end of JSON input" or `dtps list --state succeeded` fail for the
 * whole page: the task shows, with its `unreadable` reason.
 */
import test from 'ava';
import { useCli } from '../helpers/setup.js';

const cli = useCli(test);

test('status and list show a task whose stored result is unreadable, with the reason', async (t) => {
  const s = cli.scope();
  const client = s.client();
  const [a, b] = await client.submitMany([{ type: 'x' }, { type: 'x' }]);
  const ops = s.worker('w1');
  const { tasks } = (await ops.cycle('default', { claim: { max: 2, start: 2 } })).claim;
  await ops.complete(
    'default',
    tasks.map((x) => ({ id: x.id, attempt: x.attempt, result: 'fine' })),
  );
  await client.ctx.redis.hset(client.ctx.keys('default').task(a!.id), 'r', '');

  const json = await s.run(['status', a!.id, '--json']);
  t.is(json.code, 0, json.stderr);
  t.like(json.json(), {
    id: a!.id,
    state: 'succeeded',
    result: null,
    unreadable: { field: 'result', reason: 'the stored value is empty' },
  });

  const human = await s.run(['status', a!.id]);
  t.is(human.code, 0, human.stderr);
  t.regex(human.stdout, /^unreadable +result: the stored value is empty$/m);

  const list = await s.run(['list', '--state', 'succeeded', '--json']);
  t.is(list.code, 0, list.stderr);
  t.true(list.stdout.includes(a!.id) && list.stdout.includes(b!.id), list.stdout);
  t.true(list.stdout.includes('the stored value is empty'), list.stdout);
});
