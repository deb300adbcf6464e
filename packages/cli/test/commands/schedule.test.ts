/**
 * `dtps schedule …` through the real CLI: the JSON the issue fixes (`list
 * --json` → [{"id","cron"|"everyMs","tz","next","last","paused","fired"}]),
 * pause, resume, run-now, rm, and refusals of bad input (exit 2, naming the
 * flag, nothing written).
 */
import { ScheduleStore } from '@dtps/core';
import test from 'ava';
import { useCli } from '../helpers/setup.js';

const cli = useCli(test);

test('add a cron and an interval schedule; list --json as the contract says', async (t) => {
  const s = cli.scope();
  const a = await s.run([
    'schedule',
    'add',
    'nightly',
    '--cron',
    '0 3 * * *',
    '--tz',
    'Europe/Berlin',
    '--type',
    'report',
    '--payload',
    '{"full":true}',
    '--queue',
    'reports',
    '--priority',
    '7',
    '--missed',
    'catch-up:3',
    '--overlap',
    'skip',
    '--json',
  ]);
  t.is(a.code, 0, a.stderr);
  t.like(JSON.parse(a.stdout), { id: 'nightly', outcome: 'created' });
  const b = await s.run(['schedule', 'add', 'poll', '--every', '5000', '--type', 'poll']);
  t.is(b.code, 0, b.stderr);
  t.regex(b.stdout, /schedule poll created; next run \d{4}-/);
  const listed = await s.run(['schedule', 'list', '--json']);
  t.is(listed.code, 0, listed.stderr);
  const rows = JSON.parse(listed.stdout) as Record<string, unknown>[];
  t.deepEqual(
    rows.map((r) => Object.keys(r).sort()),
    [
      ['cron', 'fired', 'id', 'last', 'next', 'paused', 'tz'],
      ['everyMs', 'fired', 'id', 'last', 'next', 'paused', 'tz'],
    ],
  );
  t.like(rows[0], {
    id: 'nightly',
    cron: '0 3 * * *',
    tz: 'Europe/Berlin',
    last: null,
    paused: false,
    fired: 0,
  });
  t.like(rows[1], { id: 'poll', everyMs: 5000, tz: null, paused: false });
  t.is((rows[1]!.next as number) % 5000, 0);
  const shown = JSON.parse((await s.run(['schedule', 'show', 'nightly', '--json'])).stdout);
  t.like(shown, {
    missed: 'catch-up:3',
    overlap: 'skip',
    template: { type: 'report', queue: 'reports', priority: 7, payload: { full: true } },
  });
});

test('pause, resume, run-now and rm', async (t) => {
  const s = cli.scope();
  t.is((await s.run(['schedule', 'add', 'p', '--every', '60000', '--type', 'noop'])).code, 0);
  const paused = JSON.parse((await s.run(['schedule', 'pause', 'p', '--json'])).stdout);
  t.like(paused, { id: 'p', paused: true, next: null, changed: true });
  t.regex((await s.run(['schedule', 'pause', 'p'])).stdout, /already paused/);
  t.like(JSON.parse((await s.run(['schedule', 'resume', 'p', '--json'])).stdout), {
    paused: false,
    changed: true,
  });
  const ran = await s.run(['schedule', 'run-now', 'p', '--json']);
  t.is(ran.code, 0, ran.stderr);
  const task = JSON.parse(ran.stdout) as { id: string };
  t.is((await s.client().get(task.id)).type, 'noop');
  const shown = JSON.parse((await s.run(['schedule', 'show', 'p', '--json'])).stdout);
  t.like(shown, { fired: 1, lastOutcome: 'fired', lastTask: { id: task.id, state: 'queued' } });
  t.is((await s.run(['schedule', 'rm', 'p'])).code, 0);
  const gone = await s.run(['schedule', 'show', 'p']);
  t.not(gone.code, 0);
  t.regex(gone.stderr, /schedule p not found/);
});

test('bad input is refused with exit 2, naming the flag, and nothing is written', async (t) => {
  const s = cli.scope();
  for (const [args, pattern] of [
    [['schedule', 'add', 'x', '--cron', '61 * * * *', '--type', 't'], /--cron:/],
    [['schedule', 'add', 'x', '--cron', '* * *', '--type', 't'], /--cron: must have 5 fields/],
    [['schedule', 'add', 'x', '--cron', '* * * * *', '--tz', 'Mars/Base', '--type', 't'], /--tz:/],
    [['schedule', 'add', 'x', '--every', '10', '--type', 't'], /--every:/],
    [['schedule', 'add', 'x', '--every', '1000', '--cron', '* * * * *', '--type', 't'], /exactly one of/],
    [['schedule', 'add', 'x', '--every', '1000'], /needs --type/],
    [['schedule', 'add', 'x', '--every', '1000', '--type', 't', '--missed', 'sometimes'], /--missed:/],
    [['schedule', 'add', 'x', '--every', '1000', '--type', 't', '--overlap', 'queue'], /--overlap:/],
    [['schedule', 'add', 'x', '--every', '1000', '--type', 't', '--priority', '11'], /--priority:/],
    [['schedule', 'add', 'no spaces', '--every', '1000', '--type', 't'], /ID: must be/],
    [['schedule', 'fire', 'x'], /unknown action "fire"/],
    [['schedule', 'show'], /needs a schedule id/],
  ] as const) {
    const r = await s.run(args);
    t.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    t.regex(r.stderr, pattern, args.join(' '));
  }
  t.deepEqual(await new ScheduleStore(s.client().ctx).list(), []);
});
