/**
 * A real Prometheus (Debian's `prometheus`, /usr/bin/prometheus) scrapes a
 * `dtps-coordinator` (its `/metrics`: the fleet view read from Redis) and a
 * `dtps-worker --metrics-port` (its own OpenTelemetry metrics) every second
 * for 30 s of work. PromQL through Prometheus's HTTP API then gives the
 * number of tasks the test ran, from both, and a non-zero rate while it ran.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@dtps/core';
import { freePort, uniquePrefix, useRedisServer, waitFor } from '@dtps/core/testing';
import test from 'ava';
import { type Daemon, spawnCoordinator, spawnWorker, stopAll } from './daemon.js';

const PROMETHEUS = process.env.DTPS_PROMETHEUS_BIN ?? '/usr/bin/prometheus';
const RUN_MS = 30_000;
const ROUND_MS = 500;
const PER_ROUND = 10;

const redis = useRedisServer(test);
const daemons: Daemon[] = [];
let prometheus: ChildProcess | undefined;
let storage: string | undefined;
test.after.always(async () => {
  prometheus?.kill('SIGTERM');
  await stopAll(daemons);
  if (storage) await rm(storage, { recursive: true, force: true });
});

interface Sample {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}

/** A PromQL query through the HTTP API (instant, or a range when `range` is given). */
async function query(
  base: string,
  promql: string,
  range?: { start: number; end: number; step: number },
): Promise<Sample[]> {
  const params = new URLSearchParams({ query: promql });
  if (range) for (const [k, v] of Object.entries(range)) params.set(k, String(v));
  const res = await fetch(`${base}/api/v1/${range ? 'query_range' : 'query'}?${params}`);
  const body = (await res.json()) as { status: string; data: { result: Sample[] }; error?: string };
  if (body.status !== 'success') throw new Error(`${promql}: ${body.error}`);
  return body.data.result;
}

test('Prometheus scrapes the coordinator and a worker: the task count and a non-zero rate', async (t) => {
  t.timeout(180_000);
  const prefix = uniquePrefix();
  const [monitorPort, workerPort, promPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const common = { redisUrl: redis.server.url, prefix };
  daemons.push(
    await spawnCoordinator({
      ...common,
      id: `coord-${prefix}`,
      args: ['--monitor', '--port', String(monitorPort)],
    }),
    await spawnWorker({
      ...common,
      id: `worker-${prefix}`,
      args: ['--metrics-port', String(workerPort)],
    }),
  );

  storage = await mkdtemp(join(tmpdir(), 'dtps-prometheus-'));
  const config = join(storage, 'prometheus.yml');
  await writeFile(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      'scrape_configs:',
      '  - job_name: dtps-coordinator',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${monitorPort}']`,
      '  - job_name: dtps-worker',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${workerPort}']`,
      '',
    ].join('\n'),
  );
  const base = `http://127.0.0.1:${promPort}`;
  let log = '';
  prometheus = spawn(
    PROMETHEUS,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(storage, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  prometheus.stderr?.on('data', (c: Buffer) => {
    log = (log + c.toString()).slice(-4000);
  });
  await waitFor(async () => (await fetch(`${base}/-/ready`).catch(() => undefined))?.ok === true, {
    what: 'Prometheus ready',
    details: () => log,
  });
  // Both targets up before the work starts, so that the first samples are before it.
  await waitFor(async () => (await query(base, 'up == 1')).length === 2, {
    what: 'both targets up',
    details: async () => JSON.stringify(await query(base, 'up')),
  });

  const client = new Client({ redis: redis.server.client(), prefix });
  const ids: string[] = [];
  const start = Date.now();
  try {
    // 30 s of steady work: a few tasks every half second.
    while (Date.now() - start < RUN_MS) {
      const round = await client.submitMany(
        Array.from({ length: PER_ROUND }, () => ({ type: 'sleep', payload: { ms: 5 } })),
      );
      ids.push(...round.map((r) => r.id));
      await new Promise((r) => setTimeout(r, ROUND_MS));
    }
    for (const id of ids) t.is((await client.wait(id, { timeoutMs: 30_000 })).state, 'succeeded');
  } finally {
    await client.close();
  }
  const end = Date.now();
  const ran = ids.length;

  // The fleet view (coordinator) and the worker's own count both reach the number run.
  const fleet = `dtps_tasks_succeeded_total{job="dtps-coordinator",queue="default"}`;
  const own = `sum(dtps_tasks_succeeded_total{job="dtps-worker",queue="default"})`;
  let seen = '';
  await waitFor(
    async () => {
      const [f, w] = await Promise.all([query(base, fleet), query(base, own)]);
      seen = JSON.stringify({ fleet: f, worker: w });
      return Number(f[0]?.value?.[1]) === ran && Number(w[0]?.value?.[1]) === ran;
    },
    { what: `both counts at ${ran}`, timeoutMs: 20_000, details: () => seen },
  );
  t.pass(`${ran} tasks counted by Prometheus from the coordinator and the worker`);

  // A non-zero rate while it ran, from each.
  for (const job of ['dtps-coordinator', 'dtps-worker']) {
    const rate = await query(base, `sum(rate(dtps_tasks_succeeded_total{job="${job}"}[5s]))`, {
      start: start / 1000,
      end: end / 1000,
      step: 1,
    });
    const during = (rate[0]?.values ?? []).map(([, v]) => Number(v));
    const peak = Math.max(0, ...during);
    t.true(peak > 0, `${job}: rate samples ${JSON.stringify(during)}`);
    t.log(`${job}: peak rate ${peak.toFixed(1)} tasks/s over ${during.length} points`);
  }
  // The worker's histograms and gauges reach Prometheus with the dtps_ prefix.
  const runTime = await query(base, `sum(dtps_task_run_seconds_count{job="dtps-worker"})`);
  t.is(Number(runTime[0]?.value?.[1]), ran);
  t.is((await query(base, `dtps_worker_pool_size{job="dtps-worker"}`)).length, 1);
});
