/**
 * What the flow-control acceptance tests share: a scope on any Redis (single
 * server or Cluster, from its URL), the operator's `dtps` with that scope's
 * environment, and the rate-limit run that test 1 does on both.
 */
import {
  Client,
  createRedis,
  type RedisClient,
  rangeEvents,
  type TaskSpec,
  type TransitionEvent,
} from '@dtps/core';
import { uniquePrefix, waitForValue } from '@dtps/core/testing';
import type { ExecutionContext } from 'ava';
import { type CliResult, dtps } from './cli.js';
import { type Daemon, spawnWorker } from './daemon.js';
import { EVENTS_ENV, EVENTS_MAX_LEN } from './fixture.js';
import {
  maxInWindow,
  startAndFinishTimes,
  startsByWorker,
  startsInOrder,
  transitionsTo,
} from './flow-checks.js';

/**
 * The daemons' environment: event streams and retention long enough to hold a whole run (the
 * tests read every transition and every task's start time at the end).
 */
export const FLOW_ENV = { ...EVENTS_ENV, DTPS_RETENTION_SUCCEEDED_MAX: '1000000' };

/** A key prefix of its own on a Redis given by URL, with a Client and the operator's CLI. */
export interface FlowScope {
  url: string;
  prefix: string;
  redis: RedisClient;
  client: Client;
  /** `dtps ...args --json` on this scope; fails the test on a non-zero exit. */
  cli(t: ExecutionContext, args: readonly string[]): Promise<unknown>;
  /** The default queue's whole event stream, oldest first. */
  events(): Promise<TransitionEvent[]>;
  /** A task's hash key in the default queue. */
  taskKey(id: string): string;
  close(): Promise<void>;
}

/** A scope on `url` (`redis://` or `redis+cluster://`). */
export function flowScope(url: string): FlowScope {
  const prefix = uniquePrefix();
  const redis = createRedis(url);
  const client = new Client({ redis, prefix, eventsMaxLen: EVENTS_MAX_LEN });
  const k = client.ctx.keys('default');
  const env = { DTPS_REDIS_URL: url, DTPS_PREFIX: prefix, ...FLOW_ENV };
  return {
    url,
    prefix,
    redis,
    client,
    async cli(t, args) {
      const r: CliResult = await dtps([...args, '--json'], env);
      t.is(r.code, 0, `dtps ${args.join(' ')}: ${r.stderr}`);
      return JSON.parse(r.stdout);
    },
    async events() {
      const out: TransitionEvent[] = [];
      let from = '-';
      for (;;) {
        const batch = await rangeEvents(redis, k.events, from, 5000);
        out.push(...batch);
        if (batch.length < 5000) return out;
        from = `(${batch.at(-1)!.streamId}`;
      }
    },
    taskKey: (id) => k.task(id),
    async close() {
      await client.close();
      redis.disconnect();
    },
  };
}

/** Submits in batches of 1,000 (one script call each); returns the ids in order. */
export async function submitAll(client: Client, specs: readonly TaskSpec[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < specs.length; i += 1000) {
    ids.push(...(await client.submitMany(specs.slice(i, i + 1000))).map((r) => r.id));
  }
  return ids;
}

/**
 * Script calls served so far by a single server (FCALL and EVALSHA, from INFO commandstats), or
 * null on a Cluster: how often workers call while a limit holds them back.
 */
async function scriptCalls(redis: RedisClient): Promise<number | null> {
  if (!('info' in redis) || 'nodes' in redis) return null;
  const info = await redis.info('commandstats');
  let n = 0;
  for (const m of info.matchAll(/^cmdstat_(?:fcall|evalsha|fcall_ro|eval):calls=(\d+)/gm)) n += Number(m[1]);
  return n;
}

/** A whole number from the environment, or the default. */
export function envCount(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number ≥ 1, got ${v}`);
  return n;
}

/** What a rate run measured. */
export interface RateFigures {
  tasks: number;
  /** Most starts in any window of the limit, by the task hashes' start times (the claim's clock). */
  maxByStartTime: number;
  /** The same by the event stream's entry times (Redis's clock, when each claim ran). */
  maxByStream: number;
  /** The same in windows 25 ms shorter: the stream's excess is the few ms a claim waits to run. */
  maxByStreamShorter: number;
  /** First start to last start, ms, and the least the limit allows. */
  startSpanMs: number;
  idealSpanMs: number;
  /** First start to last finish, ms, and tasks / rate. */
  makespanMs: number;
  idealMakespanMs: number;
  /** Script calls (FCALL/EVALSHA) per second of the run, all daemons together; null on a Cluster. */
  scriptCallsPerSec: number | null;
  /** Most and median ms by which Redis ran a claim after the claim's clock read its start time. */
  maxLagMs: number;
  medianLagMs: number;
  byWorker: Record<string, number>;
}

/**
 * Issue 19's first "done when": a rate limit of `rate` per second on a type (set with `dtps
 * queue limit`), three worker processes of 50 slots, `tasks` no-op tasks of that type queued.
 * Checks the window from the recorded start times and the run's length, returns the figures.
 */
export async function rateRun(
  t: ExecutionContext,
  s: FlowScope,
  daemons: Daemon[],
  opts: { tasks: number; rate: number; slots: number },
): Promise<RateFigures> {
  const PER_MS = 1000;
  await s.cli(t, [
    'queue',
    'limit',
    'default',
    '--type',
    'noop',
    '--rate',
    String(opts.rate),
    '--per',
    '1000',
  ]);
  const workers = await Promise.all(
    [1, 2, 3].map((i) =>
      spawnWorker({ redisUrl: s.url, prefix: s.prefix, id: `rate-${i}`, slots: opts.slots, env: FLOW_ENV }),
    ),
  );
  daemons.push(...workers);
  const callsBefore = await scriptCalls(s.redis);
  const ids = await submitAll(
    s.client,
    Array.from({ length: opts.tasks }, () => ({ type: 'noop' })),
  );
  const idealMakespanMs = (opts.tasks / opts.rate) * PER_MS;
  await waitForValue(
    () => s.client.counts(),
    (c) => c.succeeded === opts.tasks,
    {
      timeoutMs: idealMakespanMs * 2 + 30_000,
      intervalMs: 250,
      what: 'every task to succeed',
      details: () => workers.map((w) => w.tail(5)).join('\n'),
    },
  );

  const callsAfter = await scriptCalls(s.redis);
  const { st, ft } = await startAndFinishTimes(s.redis, s.taskKey, ids);
  const events = await s.events();
  const starts = startsInOrder(events);
  const succeeded = transitionsTo(events, 'succeeded');
  t.is(starts.length, opts.tasks, 'each task started once');
  t.true(
    ids.every((id) => succeeded.get(id) === 1),
    'each task succeeded once',
  );
  const byStart = maxInWindow(st, PER_MS);
  const byStream = maxInWindow(
    starts.map((x) => x.at),
    PER_MS,
  );
  const first = Math.min(...st);
  const stOf = new Map(ids.map((id, i) => [id, st[i]!]));
  const lags = starts.map((x) => x.at - stOf.get(x.id)!).sort((a, b) => a - b);
  const figures: RateFigures = {
    tasks: opts.tasks,
    maxByStartTime: byStart.max,
    maxByStream: byStream.max,
    maxByStreamShorter: maxInWindow(
      starts.map((x) => x.at),
      PER_MS - 25,
    ).max,
    startSpanMs: Math.max(...st) - first,
    idealSpanMs: (Math.ceil(opts.tasks / opts.rate) - 1) * PER_MS,
    makespanMs: Math.max(...ft) - first,
    idealMakespanMs,
    scriptCallsPerSec:
      callsBefore === null || callsAfter === null
        ? null
        : Math.round(((callsAfter - callsBefore) * 1000) / (Math.max(...ft) - first)),
    maxLagMs: lags.at(-1) ?? 0,
    medianLagMs: lags[Math.floor(lags.length / 2)] ?? 0,
    byWorker: startsByWorker(starts),
  };
  t.log(JSON.stringify(figures));
  t.true(
    byStart.max <= opts.rate,
    `at most ${opts.rate} starts in any ${PER_MS} ms window; ${byStart.max} from ${byStart.from}`,
  );
  // A worker claims at most its slots (50): each window's 100 starts are shared across workers.
  t.true(Object.keys(figures.byWorker).length >= 2, 'more than one worker took part');
  // The bound: the limit is the only thing that paces this run, so it ends within 10 %
  // of the least the limit allows (first to last start; noop tasks end at once).
  t.true(
    figures.startSpanMs <= figures.idealSpanMs * 1.1,
    `within 10 % of the ideal: ${figures.startSpanMs} ms vs ${figures.idealSpanMs} ms`,
  );
  return figures;
}
