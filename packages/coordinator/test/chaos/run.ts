/**
 * `pnpm test:chaos`: 20,000 tasks through three worker and two coordinator
 * processes while a seeded driver kills and stops them and kills Redis; then
 * every invariant is checked from Redis and from the handlers' recording,
 * and a summary is printed. Exit code 0 when nothing was violated, 1 otherwise.
 *
 * Environment: DTPS_CHAOS_SEED (replays a run's workload and fault schedule),
 * DTPS_CHAOS_TASKS (default 20000), DTPS_CHAOS_SUBMIT_MS (how long submitting
 * is spread over, default 60000), DTPS_CHAOS_DUMP (a JSON file to write the
 * evidence to: faults, runs, tasks, transitions), DTPS_CHAOS_LOGS (a folder
 * to keep every daemon's log and Redis's log in). The whole run is bounded to 290 s.
 * See docs/chaos.md.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, createRedis, Inspector } from '@dtps/core';
import { RedisServer } from '@dtps/core/testing';
import { check } from './checks.js';
import { readDeclaredDead, readRuns, readTasks, readTotals, readTransitions } from './evidence.js';
import { FaultDriver } from './faults.js';
import { Fleet, type FleetSettings } from './fleet.js';
import { produce } from './producer.js';
import { measure } from './recovery.js';
import { Rng, seedFromEnv } from './rng.js';
import { summarize } from './summary.js';
import { planWorkload } from './workload.js';

const DEFAULT_SEED = 20_261_207;
/** The bound is 5 minutes; the run gives up (and fails) a little before. */
const BUDGET_MS = 290_000;
/** How long the tasks may take to end once submitting and faults are over. */
const DRAIN_MS = 90_000;
const TIMING = { heartbeatMs: 250, heartbeatTimeoutMs: 2000, leaseMs: 2000 };

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const log = (line: string) => process.stdout.write(`[chaos ${elapsed()}] ${line}\n`);

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

async function main(): Promise<number> {
  const seed = seedFromEnv(DEFAULT_SEED);
  const total = intFromEnv('DTPS_CHAOS_TASKS', 20_000);
  const spreadMs = intFromEnv('DTPS_CHAOS_SUBMIT_MS', 60_000);
  log(`seed ${seed} (replay with DTPS_CHAOS_SEED=${seed}); ${total} tasks over ${spreadMs} ms`);
  const rng = new Rng(seed);
  const batches = planWorkload(rng, total, 200);
  const planned = batches.flat();

  const [redis, recorderServer] = await Promise.all([
    RedisServer.start({ appendonly: true, appendfsync: 'always', args: ['--aof-load-truncated', 'no'] }),
    RedisServer.start(),
  ]);
  const settings: FleetSettings = {
    redisUrl: redis.url,
    recorderUrl: recorderServer.url,
    prefix: 'chaos',
    slots: 16,
    eventsMaxLen: 10_000_000,
    ...TIMING,
  };
  // The driver's connection waits out a Redis restart instead of failing its commands.
  const conn = createRedis(redis.url, { maxRetriesPerRequest: null, name: 'chaos-driver' });
  conn.on('error', () => {});
  const client = new Client({ redis: conn, prefix: settings.prefix, eventsMaxLen: settings.eventsMaxLen });
  const inspector = new Inspector(client.ctx);
  const fleet = new Fleet(settings);
  const cleanup = async () => {
    await fleet.stop();
    await client.close().catch(() => {});
    conn.disconnect();
    await Promise.all([redis.stop(), recorderServer.stop()]);
  };
  const budget = setTimeout(() => {
    log(`over the ${BUDGET_MS / 1000} s budget: FAIL (seed ${seed})`);
    void cleanup().finally(() => process.exit(1));
  }, BUDGET_MS);

  try {
    await fleet.start();
    log('3 workers and 2 coordinators started');
    const driver = new FaultDriver(
      rng,
      { fleet, redis, client, inspector },
      () => TIMING.heartbeatTimeoutMs,
      log,
    );
    let producing = true;
    const producer = produce(client, batches, spreadMs, `s${seed}`).finally(() => {
      producing = false;
    });
    const progress = setInterval(() => {
      void client.counts().then(
        (c) => log(`counts ${JSON.stringify(c)}`),
        () => {},
      );
    }, 15_000);
    const [produced] = await Promise.all([producer, driver.run(() => !producing)]);
    log(
      `submitted ${produced.ids.length} tasks; ${driver.faults.length} faults; waiting for every task to end`,
    );
    await drain(client, DRAIN_MS);
    clearInterval(progress);
    // A worker continued after SIGSTOP may still be recording the end of its stale runs, and a
    // worker killed last, holding nothing, is declared dead only after the heartbeat timeout.
    const lastFault = Math.max(0, ...driver.faults.map((f) => f.continuedAt ?? f.at));
    await sleep(Math.max(1000, lastFault + TIMING.heartbeatTimeoutMs + 1500 - Date.now()));

    const ids = produced.ids;
    const [tasks, transitions, totals, declaredDead] = await Promise.all([
      readTasks(client, ids),
      readTransitions(client),
      readTotals(client),
      readDeclaredDead(client),
    ]);
    const runs = await readRuns(recorderServer.client());
    const verdict = check({
      planned,
      ids,
      tasks,
      runs,
      transitions,
      totals,
      faults: driver.faults,
      declaredDead,
    });
    for (const d of fleet.crashed(driver.killed)) {
      verdict.violations.push(`process ${d.kind} ${d.id} exited by itself\n${d.tail(10)}`);
    }
    const byId = new Map(tasks.filter((t) => t !== undefined).map((t) => [t.id, t]));
    const recovery = measure(driver.faults, byId, runs, declaredDead);
    const redisNotes = await redisLogNotes(redis);
    const summary = summarize({
      seed,
      tasks: new Set(ids).size,
      resubmits: produced.resubmits,
      faults: driver.faults,
      verdict,
      recovery,
      settings: TIMING,
      redisNotes,
      wallMs: Date.now() - started,
    });
    process.stdout.write(`${summary}\n`);
    await keepLogs(fleet, redis);
    const dump = process.env.DTPS_CHAOS_DUMP;
    if (dump) {
      const evidence = {
        seed,
        faults: driver.faults,
        declaredDead: [...declaredDead],
        runs,
        ids,
        planned,
        tasks,
        transitions: [...transitions],
      };
      await writeFile(dump, JSON.stringify(evidence));
      log(`evidence written to ${dump}`);
    }
    return verdict.violations.length + recovery.unrecovered.length === 0 ? 0 : 1;
  } finally {
    clearTimeout(budget);
    await cleanup();
  }
}

/**
 * What Redis said about its AOF on a restart: a kill -9 in the middle of a
 * write leaves a torn tail, which Redis truncates (`aof-load-truncated`); a
 * tear inside a MULTI block leaves the block open in the file, and the next
 * restart replays later writes inside it (see docs/chaos.md).
 */
async function redisLogNotes(redis: RedisServer): Promise<string[]> {
  const text = await readFile(redis.logFile, 'utf8').catch(() => '');
  return text.split('\n').filter((l) => /Truncating the AOF|CRITICAL|MULTI calls can not be nested/.test(l));
}

/** With DTPS_CHAOS_LOGS=dir: copies every daemon's log and the dtps Redis's log there (they go with the run). */
async function keepLogs(fleet: Fleet, redis: RedisServer): Promise<void> {
  const dir = process.env.DTPS_CHAOS_LOGS;
  if (!dir) return;
  await mkdir(dir, { recursive: true });
  await Promise.all(fleet.all.map((d) => writeFile(join(dir, `${d.id}.log`), d.output)));
  await copyFile(redis.logFile, join(dir, 'redis.log'));
  log(`logs kept in ${dir}`);
}

/** Waits until no task is left unfinished, or `timeoutMs` passed (the checks then name the stragglers). */
async function drain(client: Client, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const c = await client.counts();
    const open = c.pending + c.scheduled + c.queued + c.reserved + c.running;
    if (open === 0) return;
    await sleep(250);
  }
  log(`tasks still unfinished after ${timeoutMs} ms`);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `chaos run failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
