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
    [['queue', 'limit', 'emails'], /not in this version/],
  ] as const) {
    const r = await s.run(args);
    t.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    t.regex(r.stderr, pattern);
  }
  t.false((await s.client().queueState('emails')).paused);
});
