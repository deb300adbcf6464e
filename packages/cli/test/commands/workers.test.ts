import { type ControlCommand, duplicateConnection, type WorkerInfo, writeHeartbeat } from '@dtps/core';
import test from 'ava';
import { type Scope, useCli } from '../helpers/setup.js';

const cli = useCli(test);

function info(id: string, now = Date.now()): WorkerInfo {
  return {
    id,
    host: 'h1',
    pid: 4242,
    version: '0.1.0',
    queues: ['default'],
    handlers: ['noop'],
    poolSize: 5,
    min: 1,
    max: 10,
    busy: 2,
    window: 3,
    processed: 17,
    failed: 1,
    steals: 0,
    steal: false,
    paused: false,
    draining: false,
    isolation: 'inline',
    memoryRss: 1,
    eventLoopLagMs: 0,
    startedAt: now - 1000,
    lastHeartbeatAt: now,
  };
}

/** A stand-in worker: a registry entry and a subscription to its control channel. */
async function fakeWorker(s: Scope, id: string) {
  const client = s.client();
  await writeHeartbeat(client.ctx, info(id));
  const sub = duplicateConnection(client.ctx.redis);
  const received: ControlCommand[] = [];
  sub.on('message', (_c: string, m: string) => received.push(JSON.parse(m) as ControlCommand));
  await sub.subscribe(client.ctx.fleet.control(id));
  return { received, close: () => sub.disconnect() };
}

test('workers lists live workers with their heartbeat stats', async (t) => {
  const s = cli.scope();
  const w = await fakeWorker(s, 'w-list');
  // --all: on a loaded machine a CLI start can take longer than the liveness window.
  const r = await s.run(['workers', '--all', '--json']);
  t.is(r.code, 0, r.stderr);
  const [only] = r.json<WorkerInfo[]>();
  t.like(only, { id: 'w-list', host: 'h1', pid: 4242, poolSize: 5, min: 1, max: 10, busy: 2, steal: false });
  t.true(typeof only!.lastHeartbeatAt === 'number');
  const human = await s.run(['workers', '--all']);
  t.regex(human.stdout, /w-list\s+h1\s+4242\s+5 \(1-10\)/);
  w.close();
});

test('scale, pause, resume, drain and steal reach the worker', async (t) => {
  const s = cli.scope();
  const w = await fakeWorker(s, 'w-ctl');
  for (const args of [
    ['scale', 'w-ctl', '--size', '8', '--max', '20'],
    ['pause', 'w-ctl'],
    ['resume', 'w-ctl'],
    ['steal', 'w-ctl', 'on'],
    ['drain', 'w-ctl'],
  ]) {
    const r = await s.run(args);
    t.is(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  }
  while (w.received.length < 5) await new Promise((r) => setTimeout(r, 10));
  // scale asks for an answer (replyTo: a fresh id); this stand-in gives none.
  t.deepEqual(
    w.received.map(({ replyTo: _, ...cmd }) => cmd),
    [
      { command: 'scale', size: 8, max: 20 },
      { command: 'pause' },
      { command: 'resume' },
      { command: 'steal', on: true },
      { command: 'drain' },
    ],
  );
  w.close();
});

test('bad values and unknown workers are refused (exit 2) and send nothing', async (t) => {
  const s = cli.scope();
  const w = await fakeWorker(s, 'w-bad');
  const cases: [string[], RegExp][] = [
    [['scale', 'w-bad'], /--size, --min or --max/],
    [['scale', 'w-bad', '--size', 'x'], /--size/],
    [['scale', 'w-bad', '--min', '5', '--max', '2'], /min: must not exceed max/],
    [['scale', 'w-bad', '--size', '-1'], /size/],
    [['steal', 'w-bad', 'maybe'], /on or off/],
    [['pause', 'nobody'], /worker nobody is not registered/],
  ];
  for (const [args, message] of cases) {
    const r = await s.run(args);
    t.is(r.code, 2, args.join(' '));
    t.regex(r.stderr, message);
  }
  t.deepEqual(w.received, []);
  w.close();
});
