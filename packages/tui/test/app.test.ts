/**
 * The whole app in ink-testing-library: a fake source behind the real feed,
 * fake effects behind the real outbox, keys typed on its stdin.
 */
import test from 'ava';
import { render } from 'ink-testing-library';
import { createElement as h } from 'react';
import { App } from '../src/app.js';
import { ChartRenderer } from '../src/charts/renderer.js';
import type { Effects } from '../src/effects/effects.js';
import { type DashboardSource, FeedReader } from '../src/feed/reader.js';
import type { Effect } from '../src/state/types.js';
import { detail, NOW, options, plain, point, summary, task, worker } from './fixtures.js';

function source(over: Partial<DashboardSource> = {}): DashboardSource {
  return {
    queues: async () => ['default'],
    queue: async (name: string) => summary({ queued: 2, running: 1, succeeded: 40 }, name),
    workers: async () => [worker('w-1', { poolSize: 5 })],
    leader: async () => null,
    series: async () => [],
    recentSeconds: async () => [point(NOW - 1000, { succeeded: 3 })],
    tasks: async () => ({
      tasks: [task('t-1', { state: 'running' }), task('t-2', { state: 'failed', attempts: 4 })],
      cursor: null,
    }),
    task: async (id: string) => detail(task(id, { state: 'succeeded', result: { ok: 1 }, progress: 100 })),
    ...over,
  } as DashboardSource;
}

function recordingEffects() {
  const ran: Effect[] = [];
  const effects: Effects = {
    async run(e) {
      ran.push(e);
      switch (e.kind) {
        case 'submit':
          return {
            kind: 'submitted',
            result: { id: 't-new', queue: 'default', state: 'queued', duplicate: false },
          };
        case 'cancel':
          return { kind: 'cancelled', taskId: e.taskId, previousState: 'running' };
        case 'retry':
          return { kind: 'retried', taskId: e.taskId, state: 'queued' };
        case 'control':
          return { kind: 'controlled', workerId: e.workerId, what: e.command.command };
        case 'bulk':
          return { kind: 'bulkDone', action: e.action, matched: 0, done: 0 };
        default:
          throw new Error(`not recorded here: ${e.kind}`);
      }
    },
  };
  return { ran, effects };
}

async function until(frame: () => string, re: RegExp, ms = 15_000): Promise<string> {
  const end = Date.now() + ms;
  let last = '';
  while (Date.now() < end) {
    last = plain(frame());
    if (re.test(last)) return last;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`frame never matched ${re}:\n${last}`);
}

const tick = () => new Promise((r) => setTimeout(r, 30));

function start(src = source()) {
  const renderer = new ChartRenderer();
  const { ran, effects } = recordingEffects();
  const app = render(
    h(App, {
      initial: options({ columns: 80, rows: 24 }),
      reader: new FeedReader(src),
      effects,
      renderer,
      intervalMs: 50,
      trackSize: false,
    }),
  );
  const frame = () => app.lastFrame() ?? '';
  const press = async (...keys: string[]) => {
    for (const k of keys) {
      app.stdin.write(k);
      await tick();
    }
  };
  const stop = () => {
    app.unmount();
    renderer.destroy();
  };
  return { app, frame, press, ran, stop };
}

test('App: the feed fills the Overview; Tab goes to Workers, where + scales the selected worker', async (t) => {
  const a = start();
  try {
    const overview = await until(a.frame, /queued 2 +reserved 0 +running 1/);
    t.regex(overview, /1 Overview/);
    const lines = overview.split('\n');
    t.true(lines.length <= 23, 'at 80x24 the frame is 23 lines');
    t.true(Math.max(...lines.map((l) => [...l].length)) <= 80);
    await a.press('\t');
    await until(a.frame, /▶ w-1/);
    await a.press('+');
    await until(a.frame, /w-1: size 6/);
    t.deepEqual(a.ran, [{ id: 1, kind: 'control', workerId: 'w-1', command: { command: 'scale', size: 6 } }]);
    await a.press('p');
    await until(a.frame, /Pause worker w-1\? .*\[y\/N\]/);
    t.is(a.ran.length, 1, 'pause asks first');
    await a.press('y');
    await until(a.frame, /w-1: pause/);
    t.like(a.ran[1], { kind: 'control', command: { command: 'pause' } });
  } finally {
    a.stop();
  }
});

test('App: n opens the form; typed fields, Enter submits, the new task is followed', async (t) => {
  const a = start();
  try {
    await until(a.frame, /running 1/);
    await a.press('n');
    await until(a.frame, /New task on queue default · live workers handle: echo noop sleep/);
    await a.press('\u001b[C'); // → : noop
    await a.press('\t', '{"x":', '1}');
    const typed = await until(a.frame, /✓ JSON/);
    t.regex(typed, /type +noop/);
    await a.press('\r');
    const followed = await until(a.frame, /Submitted task t-new[\s\S]*succeeded/);
    t.regex(followed, /result +\{"ok":1\}/);
    t.like(a.ran[0], { kind: 'submit', spec: { type: 'noop', queue: 'default', payload: { x: 1 } } });
  } finally {
    a.stop();
  }
});

test('App: the Tasks view lists, opens a detail, and c asks before cancelling', async (t) => {
  const a = start();
  try {
    await until(a.frame, /running 1/);
    await a.press('3');
    await until(a.frame, /▶ t-1 +echo +running/);
    await a.press('c');
    await until(a.frame, /Cancel task t-1 \(running\) and its pending dependents\?/);
    await a.press('n');
    t.is(a.ran.length, 0, 'n says no');
    await a.press('\u001b[B');
    await until(a.frame, /▶ t-2/);
    await a.press('\r');
    await until(a.frame, /Task t-2 succeeded/);
    await a.press('\u001b');
    await until(a.frame, /ID +TYPE +STATE/);
    await a.press('?');
    await until(a.frame, /Keys[\s\S]*pool size up \/ down/);
  } finally {
    a.stop();
  }
});

test('App: a lost Redis shows the banner; the console carries on when it is back', async (t) => {
  let down = false;
  const a = start(
    source({
      workers: async () => {
        if (down) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
        return [worker('w-1')];
      },
    }),
  );
  try {
    await until(a.frame, /running 1/);
    down = true;
    const lost = await until(
      a.frame,
      /Redis at redis:\/\/127\.0\.0\.1:6379 is unreachable: connection refused/,
    );
    t.regex(lost, /queued 2/, 'the last figures stay on screen');
    down = false;
    const back = await until(a.frame, /Redis is back/);
    t.notRegex(back, /is unreachable/);
  } finally {
    a.stop();
  }
});

test('App: q quits', async (t) => {
  const a = start();
  await until(a.frame, /running 1/);
  await a.press('q');
  await tick();
  a.stop();
  t.pass();
});
