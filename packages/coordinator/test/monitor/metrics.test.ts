/** GET /metrics: Prometheus text from the fleet-wide counters in Redis; promtool-clean. */
import { spawnSync } from 'node:child_process';
import { Inspector, LATENCY_BOUNDS_MS, tallies } from '@dtps/core';
import test from 'ava';
import { Exposition, escapeHelp, escapeLabelValue } from '../../src/monitor/exposition.js';
import { queueDepthGauges } from '../../src/queue-depth-gauges.js';
import { type Monitor, useMonitor } from './fixture.js';

const fx = useMonitor(test);

const PROMTOOL = process.env.PROMTOOL ?? 'promtool';
const hasPromtool = spawnSync(PROMTOOL, ['--version']).status === 0;

/** Samples by `name{labels}` (labels as written). */
function parse(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    out.set(`${m[1]}${m[2] ?? ''}`, m[3] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[3]));
  }
  return out;
}

/**
 * Some traffic on queue `default`: 6 submitted, 3 started (a succeeded, b
 * failed for good, c failed and waits for a retry), one late report of c
 * fenced, d cancelled, e and f reserved by w1 and one of them stolen by w2.
 */
async function traffic(m: Monitor): Promise<void> {
  const w1 = m.ops('w1');
  const w2 = m.ops('w2');
  const a = (await m.client.submit({ type: 'echo' })).id;
  const b = (await m.client.submit({ type: 'fail' })).id;
  const c = (
    await m.client.submit({ type: 'flaky', backoff: { type: 'fixed', baseMs: 60_000, jitter: false } })
  ).id;
  const { tasks } = (await w1.cycle('default', { claim: { max: 3, start: 3 } })).claim;
  const run = Object.fromEntries(tasks.map((x) => [x.id, x]));
  await w1.complete('default', [
    { id: a, attempt: run[a]!.attempt, result: 'ok', createdAt: run[a]!.createdAt },
  ]);
  await w1.fail('default', [
    { id: b, attempt: run[b]!.attempt, message: 'bad input', reason: 'handler_error', permanent: true },
    { id: c, attempt: run[c]!.attempt, message: 'try again', reason: 'handler_error', permanent: false },
  ]);
  // A late report from a worker that never owned c: refused and counted.
  const [accepted] = await w2.complete('default', [{ id: c, attempt: 1, result: 'late' }]);
  if (accepted !== false) throw new Error('expected the fence to refuse');
  const d = (await m.client.submit({ type: 'echo' })).id;
  await m.client.cancel(d);
  await m.client.submit({ type: 'echo' });
  await m.client.submit({ type: 'echo' });
  await w1.cycle('default', { claim: { max: 2, start: 0 } });
  // The queue is dry: w2's claim steals from the back of w1's window.
  const { stolen } = (await w2.cycle('default', { claim: { max: 1, steal: 1 } })).claim;
  if (stolen !== 1) throw new Error('expected one stolen task');
}

test('Exposition escapes label values and HELP, and renders cumulative histograms', (t) => {
  t.is(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
  t.is(escapeHelp('x\\y\nz "q"'), 'x\\\\y\\nz "q"');
  const text = new Exposition()
    .family('t_total', 'counter', 'Help with \\ and\nnewline.')
    .sample('t_total', { worker: 'we"ird\\name\n' }, 3)
    .family('t_seconds', 'histogram', 'Histogram.')
    .histogram('t_seconds', { queue: 'q' }, [0.1, 1], [2, 0, 5])
    .toString();
  t.is(
    text,
    [
      '# HELP t_total Help with \\\\ and\\nnewline.',
      '# TYPE t_total counter',
      't_total{worker="we\\"ird\\\\name\\n"} 3',
      '# HELP t_seconds Histogram.',
      '# TYPE t_seconds histogram',
      't_seconds_bucket{queue="q",le="0.1"} 2',
      't_seconds_bucket{queue="q",le="1"} 2',
      't_seconds_bucket{queue="q",le="+Inf"} 7',
      't_seconds_count{queue="q"} 7',
      '',
    ].join('\n'),
  );
  t.throws(() => new Exposition().family('x', 'gauge', 'a').family('x', 'gauge', 'b'));
});

test('GET /metrics has the counters, gauges and histogram with the right values', async (t) => {
  const m = await fx.make();
  await traffic(m);
  await m.heartbeat('w1', { poolSize: 4, busy: 2, window: 1 });
  await m.heartbeat('w2', { poolSize: 8, busy: 0, window: 1 });
  await m.heartbeat('w-gone', { ageMs: 60_000 });
  await m.redis.set(
    m.client.ctx.fleet.recommendation,
    JSON.stringify({
      at: Date.now(),
      workers: 3,
      liveWorkers: 2,
      backlog: 0,
      throughput: 0,
      perWorker: 0,
      reason: 'test',
    }),
  );

  const r = await m.call('/metrics');
  t.is(r.status, 200);
  t.is(r.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  const text = r.body as string;
  const s = parse(text);
  const q = '{queue="default"}';
  t.is(s.get(`dtps_tasks_submitted_total${q}`), 6);
  t.is(s.get(`dtps_tasks_started_total${q}`), 3);
  t.is(s.get(`dtps_tasks_succeeded_total${q}`), 1);
  t.is(s.get(`dtps_tasks_failed_total${q}`), 1);
  t.is(s.get(`dtps_tasks_retried_total${q}`), 1);
  t.is(s.get(`dtps_tasks_expired_total${q}`), 0);
  t.is(s.get(`dtps_tasks_cancelled_total${q}`), 1);
  t.is(s.get(`dtps_task_attempts_failed_total${q}`), 2);
  t.is(s.get(`dtps_reports_fenced_total${q}`), 1);
  t.is(s.get(`dtps_steals_total${q}`), 1);

  const state = (st: string) => s.get(`dtps_queue_tasks{queue="default",state="${st}"}`);
  t.is(state('succeeded'), 1);
  t.is(state('failed'), 1);
  t.is(state('scheduled'), 1);
  t.is(state('cancelled'), 1);
  t.is(state('reserved'), 2);
  t.is(state('running'), 0);
  t.is(state('queued'), 0);
  t.is(state('pending'), 0);

  // One latency sample (a's): every bucket from its own up is 1, and they never decrease.
  const buckets = [...LATENCY_BOUNDS_MS.map((ms) => String(ms / 1000)), '+Inf'].map(
    (le) => s.get(`dtps_task_latency_seconds_bucket{queue="default",le="${le}"}`)!,
  );
  t.is(buckets.length, LATENCY_BOUNDS_MS.length + 1);
  t.is(buckets.at(-1), 1);
  for (let i = 1; i < buckets.length; i++) t.true(buckets[i]! >= buckets[i - 1]!);
  t.is(s.get(`dtps_task_latency_seconds_count${q}`), 1);
  t.true(text.includes('le="0.001"') && text.includes('le="60"'));

  t.is(s.get('dtps_workers_live'), 2);
  t.is(s.get('dtps_workers_registered'), 3);
  t.is(s.get('dtps_worker_pool_size{worker="w1"}'), 4);
  t.is(s.get('dtps_worker_pool_size{worker="w2"}'), 8);
  t.is(s.get('dtps_worker_busy_slots{worker="w1"}'), 2);
  t.is(s.get('dtps_worker_window{worker="w2"}'), 1);
  t.false(s.has('dtps_worker_pool_size{worker="w-gone"}'), 'a dead worker has no pool gauges');
  t.true(s.get('dtps_worker_heartbeat_age_seconds{worker="w-gone"}')! >= 60);
  t.is(s.get('dtps_coordinator_leader{coordinator="coord-test"}'), 1);
  t.is(s.get('dtps_recommended_workers'), 3);

  m.status.leading = false;
  t.is(parse((await m.call('/metrics')).body).get('dtps_coordinator_leader{coordinator="coord-test"}'), 0);

  for (const family of [
    'dtps_tasks_submitted_total',
    'dtps_queue_tasks',
    'dtps_task_latency_seconds',
    'dtps_workers_live',
  ]) {
    t.true(text.includes(`# HELP ${family} `), family);
    t.true(text.includes(`# TYPE ${family} `), family);
  }
});

test('GET /metrics has each limit: held back, running, tokens left, its settings, and the held counter', async (t) => {
  const m = await fx.make();
  for (let i = 0; i < 3; i++) await m.client.submit({ type: 'echo', queue: 'lim' });
  await m.client.setQueueLimit('lim', { scope: 'type', key: 'echo', concurrency: 1 });
  await m.client.setQueueLimit('lim', { scope: 'queue', rate: { n: 10, perMs: 60_000 } });
  const { tasks } = (await m.ops('w1').cycle('lim', { claim: { max: 3, start: 3 } })).claim;
  t.is(tasks.length, 1, 'the cap let one start');
  await m.client.pauseQueue('paused-q');

  const r = await m.call('/metrics');
  t.is(r.status, 200);
  const s = parse(r.body);
  const type = 'queue="lim",scope="type",key="echo"';
  const queue = 'queue="lim",scope="queue",key=""';
  t.is(s.get(`dtps_queue_limit_held_back{${type}}`), 2);
  t.is(s.get(`dtps_queue_limit_running{${type}}`), 1);
  t.is(s.get(`dtps_queue_limit_concurrency{${type}}`), 1);
  t.false(s.has(`dtps_queue_limit_tokens_left{${type}}`), 'a cap has no tokens');
  t.is(s.get(`dtps_queue_limit_tokens_left{${queue}}`), 9);
  t.is(s.get(`dtps_queue_limit_rate{${queue}}`), 10);
  t.is(s.get(`dtps_queue_limit_rate_window_seconds{${queue}}`), 60);
  t.false(s.has(`dtps_queue_limit_running{${queue}}`), 'a rate has no running gauge');
  t.is(s.get('dtps_tasks_held_total{queue="lim"}'), 2);
  t.is(s.get('dtps_queue_tasks{queue="lim",state="queued"}'), 2, 'held tasks are still queued');
  t.is(s.get('dtps_queue_paused{queue="lim"}'), 0);
  t.is(s.get('dtps_queue_paused{queue="paused-q"}'), 1);
  if (hasPromtool) {
    const res = spawnSync(PROMTOOL, ['check', 'metrics'], { input: r.body, encoding: 'utf8' });
    t.is(`${res.stdout}${res.stderr}`.trim(), '', 'promtool is content');
    t.is(res.status, 0);
  }
});

test('the OTel gauge source reports each limit: held back, running under a cap, tokens left', async (t) => {
  const m = await fx.make();
  for (let i = 0; i < 3; i++) await m.client.submit({ type: 'echo', queue: 'otel' });
  await m.client.setQueueLimit('otel', { scope: 'type', key: 'echo', concurrency: 1 });
  await m.client.setQueueLimit('otel', { scope: 'queue', rate: { n: 10, perMs: 60_000 } });
  await m.ops('w1').cycle('otel', { claim: { max: 3, start: 3 } });
  const drop = queueDepthGauges(new Inspector(m.client.ctx), m.client.ctx);
  t.teardown(drop);
  const read = await tallies.readGauges();
  const type = { queue: 'otel', scope: 'type', key: 'echo' };
  const queue = { queue: 'otel', scope: 'queue', key: '' };
  t.deepEqual(
    read.limitHeldBack.filter((g) => g.attributes.queue === 'otel'),
    [
      { value: 0, attributes: queue },
      { value: 2, attributes: type },
    ],
  );
  t.deepEqual(
    read.limitRunning.filter((g) => g.attributes.queue === 'otel'),
    [{ value: 1, attributes: type }],
  );
  t.deepEqual(
    read.limitTokensLeft.filter((g) => g.attributes.queue === 'otel'),
    [{ value: 9, attributes: queue }],
  );
  t.true(
    read.queueTasks.some(
      (g) => g.attributes.queue === 'otel' && g.attributes.state === 'queued' && g.value === 2,
    ),
  );
});

test('GET /metrics without any queue, worker or recommendation is still well-formed', async (t) => {
  const m = await fx.make();
  const r = await m.call('/metrics');
  t.is(r.status, 200);
  const s = parse(r.body);
  t.is(s.get('dtps_workers_live'), 0);
  t.false(r.body.includes('dtps_recommended_workers'));
});

(hasPromtool ? test : test.skip)(
  `/metrics passes promtool check metrics${hasPromtool ? '' : ' (SKIPPED: promtool not found; apt-get install prometheus)'}`,
  async (t) => {
    const m = await fx.make();
    await traffic(m);
    await m.heartbeat('w1');
    await m.redis.set(
      m.client.ctx.fleet.recommendation,
      JSON.stringify({
        at: 0,
        workers: 1,
        liveWorkers: 1,
        backlog: 0,
        throughput: 0,
        perWorker: 0,
        reason: 'x',
      }),
    );
    for (const body of [
      (await m.call('/metrics')).body as string,
      (await (await fx.make()).call('/metrics')).body as string,
    ]) {
      const res = spawnSync(PROMTOOL, ['check', 'metrics'], { input: body, encoding: 'utf8' });
      t.is(res.status, 0, `promtool said:\n${res.stdout}${res.stderr}`);
      t.is(`${res.stdout}${res.stderr}`.trim(), '', 'no lint warnings either');
    }
  },
);
