import { zeroCounts } from '@dtps/core';
import test from 'ava';
import { useCli } from '../helpers/setup.js';

const cli = useCli(test);

const counts = (over: Record<string, number>) => ({ ...zeroCounts(), ...over });

test('stats --json has exactly the shape {"queues": {queue: {state: n}}}', async (t) => {
  const s = cli.scope();
  const c = s.client();
  await c.submit({ type: 'a' });
  const b = await c.submit({ type: 'b' });
  await c.cancel(b.id);
  await c.submit({ type: 'c', queue: 'emails', delayMs: 60_000 });
  const r = await s.run(['stats', '--json']);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(r.json(), {
    queues: {
      default: counts({ queued: 1, cancelled: 1 }),
      emails: counts({ scheduled: 1 }),
    },
  });
  const one = await s.run(['stats', '--queue', 'emails', '--json']);
  t.deepEqual(one.json(), { queues: { emails: counts({ scheduled: 1 }) } });
  const human = await s.run(['stats']);
  t.regex(human.stdout, /^QUEUE +PENDING +SCHEDULED +QUEUED/);
  t.regex(human.stdout, /^emails +0 +1 +0 /m);
});

test('list --json prints {tasks, cursor}; --limit pages with the cursor', async (t) => {
  const s = cli.scope();
  const c = s.client();
  const low = await c.submit({ type: 'a', priority: 1 });
  const high = await c.submit({ type: 'b', priority: 9 });
  const r = await s.run(['list', '--json']);
  t.is(r.code, 0, r.stderr);
  const page = r.json<{ tasks: { id: string }[]; cursor: string | null }>();
  t.deepEqual(
    page.tasks.map((x) => x.id),
    [high.id, low.id],
  );
  t.is(page.cursor, null);

  const first = (await s.run(['list', '--limit', '1', '--json'])).json<{
    tasks: { id: string }[];
    cursor: string;
  }>();
  t.deepEqual(
    first.tasks.map((x) => x.id),
    [high.id],
  );
  t.is(typeof first.cursor, 'string');
  const second = (await s.run(['list', '--limit', '1', '--cursor', first.cursor, '--json'])).json<{
    tasks: { id: string }[];
  }>();
  t.deepEqual(
    second.tasks.map((x) => x.id),
    [low.id],
  );

  const filtered = (await s.run(['list', '--priority', '1', '--state', 'queued', '--json'])).json<{
    tasks: { id: string }[];
  }>();
  t.deepEqual(
    filtered.tasks.map((x) => x.id),
    [low.id],
  );
  const human = await s.run(['list']);
  t.regex(human.stdout, /^ID +STATE +TYPE +PRIORITY +ATTEMPTS +AGE$/m);
  t.regex(human.stdout, new RegExp(`^${high.id} +queued +b +9 +0 +\\d+(ms|s)$`, 'm'));
});

test('list refuses a bad state, naming --state', async (t) => {
  const s = cli.scope();
  const r = await s.run(['list', '--state', 'done']);
  t.is(r.code, 2);
  t.regex(r.stderr, /^dtps: --state: must be one of pending, /);
});
