/**
 * `dtps queue pause|resume|show QUEUE`, through the real CLI: the JSON the
 * issue fixes (`show` → {"queue","paused","limits"}), what each says, and the
 * refusals (exit 2, naming what is wrong, nothing written).
 */
import test from 'ava';
import { useCli } from '../helpers/setup.js';

const cli = useCli(test);

test('pause, show and resume a queue; --json as documented', async (t) => {
  const s = cli.scope();
  const paused = await s.run(['queue', 'pause', 'emails', '--json']);
  t.is(paused.code, 0, paused.stderr);
  t.deepEqual(JSON.parse(paused.stdout), { queue: 'emails', paused: true, changed: true, released: 0 });
  const shown = await s.run(['queue', 'show', 'emails', '--json']);
  t.like(JSON.parse(shown.stdout), { queue: 'emails', paused: true, limits: [] });
  t.is(typeof JSON.parse(shown.stdout).pausedAt, 'number');
  const human = await s.run(['queue', 'show', 'emails']);
  t.regex(human.stdout, /queue emails: paused since \d{4}-/);
  const resumed = await s.run(['queue', 'resume', 'emails']);
  t.regex(resumed.stdout, /queue emails resumed/);
  t.like(JSON.parse((await s.run(['queue', 'show', 'emails', '--json'])).stdout), {
    paused: false,
    pausedAt: null,
  });
});

test('an unknown action, a missing queue, a bad name and limit are refused with exit 2', async (t) => {
  const s = cli.scope();
  for (const [args, pattern] of [
    [['queue', 'stop', 'emails'], /unknown action "stop"/],
    [['queue', 'pause'], /needs a queue name/],
    [['queue', 'pause', 'no spaces'], /queue:/],
    [['queue', 'limit', 'emails'], /give --rate N --per MS, --concurrency N, or --clear/],
    [['queue', 'limit', 'emails', '--rate', '5'], /--rate N needs --per MS/],
    [['queue', 'limit', 'emails', '--rate', '0', '--per', '1000'], /rate\.n/],
    [['queue', 'limit', 'emails', '--concurrency', 'many'], /--concurrency: must be an integer/],
    [['queue', 'limit', 'emails', '--type', 'a', '--group', 'b', '--concurrency', '1'], /at most one of/],
    [['queue', 'limit', 'emails', '--group', 'bad group', '--concurrency', '1'], /group:/],
  ] as const) {
    const r = await s.run(args);
    t.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    t.regex(r.stderr, pattern);
  }
  const state = await s.client().queueState('emails');
  t.false(state.paused);
  t.deepEqual(state.limits, [], 'no refused limit was written');
});

test('queue limit sets, shows and clears limits of each scope; --json as documented', async (t) => {
  const s = cli.scope();
  const rate = await s.run([
    'queue',
    'limit',
    'emails',
    '--type',
    'send',
    '--rate',
    '100',
    '--per',
    '1000',
    '--json',
  ]);
  t.is(rate.code, 0, rate.stderr);
  t.deepEqual(JSON.parse(rate.stdout), {
    queue: 'emails',
    limit: { scope: 'type', key: 'send', rate: { n: 100, perMs: 1000 }, concurrency: null },
    unreserved: 0,
    released: 0,
  });
  t.is((await s.run(['queue', 'limit', 'emails', '--each-group', '--concurrency', '5'])).code, 0);
  t.is((await s.run(['queue', 'limit', 'emails', '--group', 'acme', '--concurrency', '2'])).code, 0);
  t.is((await s.run(['queue', 'limit', 'emails', '--concurrency', '50'])).code, 0);
  const shown = JSON.parse((await s.run(['queue', 'show', 'emails', '--json'])).stdout);
  t.deepEqual(
    shown.limits.map(
      (l: { scope: string; key: string | null; rate: unknown; concurrency: number | null }) => [
        l.scope,
        l.key,
        l.rate,
        l.concurrency,
      ],
    ),
    [
      ['each-group', null, null, 5],
      ['group', 'acme', null, 2],
      ['queue', null, null, 50],
      ['type', 'send', { n: 100, perMs: 1000 }, null],
    ],
  );
  for (const l of shown.limits) t.like(l, { running: 0, heldBack: 0 });
  const human = await s.run(['queue', 'show', 'emails']);
  t.regex(
    human.stdout,
    /type send: at most 100 starts per 1000 ms \(100 starts left in the window, 0 held back\)/,
  );
  t.regex(human.stdout, /each group: at most 5 running/);
  const cleared = await s.run(['queue', 'limit', 'emails', '--group', 'acme', '--clear', '--json']);
  t.like(JSON.parse(cleared.stdout), {
    limit: { scope: 'group', key: 'acme', rate: null, concurrency: null },
  });
  t.is((await s.client().queueState('emails')).limits.length, 3);
});

test('submit --group and "group" in JSON Lines store the group; a bad group is refused naming it', async (t) => {
  const s = cli.scope();
  const one = await s.run(['submit', '--group', 'tenant-7', '--json']);
  t.is(one.code, 0, one.stderr);
  const { id } = JSON.parse(one.stdout);
  t.is((await s.client().get(id)).group, 'tenant-7');
  const status = await s.run(['status', id, '--json']);
  t.is(JSON.parse(status.stdout).group, 'tenant-7');
  const bad = await s.run(['submit', '--group', 'a b']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--group|group:/);
  const file = await s.run(['submit', '--file', '-', '--json'], {
    input: '{"type":"noop","group":"acme"}\n',
  });
  t.is(file.code, 0, file.stderr);
  t.is((await s.client().get(JSON.parse(file.stdout).id)).group, 'acme');
});
