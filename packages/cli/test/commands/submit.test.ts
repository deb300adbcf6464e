import test from 'ava';
import { useCli } from '../helpers/setup.js';

const cli = useCli(test);

test('submit --json prints id and state; plain submit runs the noop demo handler', async (t) => {
  const s = cli.scope();
  const r = await s.run(['submit', '--json']);
  t.is(r.code, 0, r.stderr);
  const out = r.json<{ id: string; state: string; queue: string }>();
  t.regex(out.id, /^[0-9a-z]{20}$/);
  t.is(out.state, 'queued');
  t.is(out.queue, 'default');
  t.like(await s.client().get(out.id), { type: 'noop', state: 'queued' });
});

test('human submit names id, state, priority and queue', async (t) => {
  const s = cli.scope();
  const r = await s.run(['submit', '--priority', '5']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^submitted [0-9a-z]{20} \(queued, priority 5, queue default\)\n$/);
  t.is(r.stderr, '');
});

test('every flag round-trips through status --json', async (t) => {
  const s = cli.scope();
  const parent = (await s.run(['submit', '--json'])).json<{ id: string }>().id;
  const deadline = '2031-01-22T15:04:05Z';
  const r = await s.run([
    'submit',
    '--type',
    'echo',
    '--payload',
    '{"hello":["world",1]}',
    '--priority',
    '7',
    '--deadline',
    deadline,
    '--retries',
    '5',
    '--timeout',
    '1500',
    '--depends-on',
    parent,
    '--idempotency-key',
    'k-1',
    '--json',
  ]);
  t.is(r.code, 0, r.stderr);
  const { id, state } = r.json<{ id: string; state: string }>();
  t.is(state, 'pending');

  const status = await s.run(['status', id, '--json']);
  t.is(status.code, 0, status.stderr);
  const task = status.json();
  t.like(task, {
    id,
    state: 'pending',
    type: 'echo',
    queue: 'default',
    payload: { hello: ['world', 1] },
    priority: 7,
    deadline: Date.parse(deadline),
    maxRetries: 5,
    timeoutMs: 1500,
    dependsOn: [parent],
    idempotencyKey: 'k-1',
    attempts: 0,
    result: null,
    error: null,
    startedAt: null,
    finishedAt: null,
  });
  t.is(typeof task.createdAt, 'number');

  // The same idempotency key gives the same task back.
  const again = await s.run(['submit', '--type', 'echo', '--idempotency-key', 'k-1', '--json']);
  t.like(again.json(), { id, duplicate: true });
});

test('--delay schedules and --queue picks the queue', async (t) => {
  const s = cli.scope();
  const r = await s.run(['submit', '--delay', '60000', '--queue', 'emails', '--json']);
  t.is(r.code, 0, r.stderr);
  t.like(r.json(), { state: 'scheduled', queue: 'emails' });
  const task = await s.client().get(r.json<{ id: string }>().id);
  t.true(task.runAt !== null && task.runAt > Date.now() + 50_000);
});

test("the Go original's single-dash flags work", async (t) => {
  const s = cli.scope();
  const r = await s.run([
    'submit',
    '-redis',
    s.server.url.replace('redis://', ''),
    '-priority',
    '10',
    '-deadline',
    '2031-01-22T15:04:05Z',
    '-retries',
    '0',
    '-json',
  ]);
  t.is(r.code, 0, r.stderr);
  t.like(await s.client().get(r.json<{ id: string }>().id), {
    priority: 10,
    maxRetries: 0,
    deadline: Date.parse('2031-01-22T15:04:05Z'),
  });
});

for (const [value, expected] of [
  ['11', /--priority: must be an integer from 1 to 10, got 11/],
  ['0', /--priority: must be an integer from 1 to 10, got 0/],
  ['high', /--priority: must be an integer, got "high"/],
] as const) {
  test(`--priority ${value} is refused with exit 2, naming the flag`, async (t) => {
    const s = cli.scope();
    const r = await s.run(['submit', '--priority', value]);
    t.is(r.code, 2);
    t.regex(r.stderr, expected);
    t.is(r.stderr.split('\n').filter(Boolean).length, 1);
    t.is(r.stdout, '');
    const json = await s.run(['submit', '--priority', value, '--json']);
    t.is(json.code, 2);
    t.like(json.json(), { error: { code: 'invalid_argument', field: 'priority' } });
    t.deepEqual(await s.client().queues(), []);
  });
}

test('--payload must be JSON: exit 2 naming --payload', async (t) => {
  const s = cli.scope();
  const r = await s.run(['submit', '--payload', '{ms: 5}']);
  t.is(r.code, 2);
  t.regex(r.stderr, /^dtps: --payload: must be JSON/);
  t.notRegex(r.stderr, /\n\s+at /);
});

test('other bad values name their flag', async (t) => {
  const s = cli.scope();
  const cases: [string[], RegExp][] = [
    [['--retries', '101'], /--retries: must be an integer from 0 to 100/],
    [['--deadline', 'tomorrow'], /--deadline: must be an RFC 3339 time/],
    [['--deadline', '2001-01-01T00:00:00Z'], /--deadline: is in the past/],
    [['--timeout', '1.5'], /--timeout: must be an integer/],
    [['--depends-on', 'no-such-task'], /--depends-on: task no-such-task does not exist in queue default/],
    [['--type'], /--type needs a value/],
    [['--priority', '1', '--priority', '2'], /--priority is given more than once/],
    [['--wait-timeout', '10'], /--wait-timeout only applies with --wait/],
  ];
  for (const [flags, expected] of cases) {
    const r = await s.run(['submit', ...flags]);
    t.is(r.code, 2, flags.join(' '));
    t.regex(r.stderr, expected, flags.join(' '));
  }
  t.deepEqual(await s.client().queues(), []);
});

test('submit --wait prints the ended task and exits 0 when it succeeded', async (t) => {
  const s = cli.scope();
  const running = s.run(['submit', '--type', 'echo', '--payload', '"hi"', '--wait', '--json']);
  const ops = s.worker('w1');
  // Play the worker: take the task as soon as it is there and complete it.
  let claimed = (await ops.cycle('default', { claim: { max: 1, start: 1 } })).claim;
  while (claimed.tasks.length === 0) {
    await new Promise((r) => setTimeout(r, 50));
    claimed = (await ops.cycle('default', { claim: { max: 1, start: 1 } })).claim;
  }
  const task = claimed.tasks[0]!;
  await ops.complete('default', [{ id: task.id, attempt: task.attempt, result: task.payload }]);
  const r = await running;
  t.is(r.code, 0, r.stderr);
  t.like(r.json(), { id: task.id, state: 'succeeded', result: 'hi' });
});

// Serial: it counts the server's script calls, which no other test of this file may add to meanwhile.
test.serial(
  'submit runs on the function library by default, and on EVALSHA with DTPS_REDIS_SCRIPTS=eval',
  async (t) => {
    const s = cli.scope();
    const calls = (info: string, cmd: string) =>
      Number(new RegExp(`^cmdstat_${cmd}:calls=(\\d+)`, 'm').exec(info)?.[1] ?? 0);
    const stats = () => s.client().ctx.redis.info('commandstats');
    const before = await stats();
    const plain = await s.run(['submit', '--type', 'echo', '--json']);
    t.is(plain.code, 0, plain.stderr);
    const between = await stats();
    t.true(calls(between, 'fcall') > calls(before, 'fcall'), 'the default submit was an FCALL');
    const env = { DTPS_REDIS_SCRIPTS: 'eval' };
    const r = await s.run(['submit', '--type', 'echo', '--payload', '{"a":1}', '--json'], { env });
    t.is(r.code, 0, r.stderr);
    const { id, state } = r.json<{ id: string; state: string }>();
    t.is(state, 'queued');
    const after = await stats();
    t.is(calls(after, 'fcall'), calls(between, 'fcall'), 'no FCALL with eval');
    t.true(
      calls(after, 'evalsha') + calls(after, 'eval') > calls(between, 'evalsha') + calls(between, 'eval'),
      'the submit was an EVALSHA',
    );
    t.like(await s.client().get(id), { type: 'echo', state: 'queued', payload: { a: 1 } });
  },
);
