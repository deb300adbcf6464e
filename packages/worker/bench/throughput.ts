/**
 * The `process` group: no-op tasks through ONE worker process. The queue is
 * pre-loaded (not timed) while the worker is paused; the timed run is from
 * `resume` until every outcome has reached Redis, with Redis commands and CPU
 * per processed task from the INFO deltas over exactly that run.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, type LimitTarget, type RedisClient, type ScriptMode } from '@dtps/core';
import { type BenchCase, type BenchGroup, caseGroup, intArg } from '@dtps/core/bench';
import { BenchWorker, type SpawnOptions } from './bench-worker.js';
import { preload } from './preload.js';
import { scriptsArg } from './protocol.js';
import { RESULTS_DIR } from './results-dir.js';

export interface ThroughputOptions {
  slots: number;
  /** null: the pool size (the worker's default). */
  prefetch: number | null;
  /** Writes a CPU profile of the worker (node --cpu-prof) to this folder. */
  cpuProfDir?: string;
  scripts?: ScriptMode;
  /** What telemetry the worker exports by OTLP/HTTP to a sink in this process. */
  telemetry?: Telemetry;
  /** The worker's telemetry.traceRateLimit (`--telemetry traces:0`); absent: the config's default. */
  traceRateLimit?: number;
  /** A flow-control limit set on the queue that never binds (`--limit`): what limits cost. */
  limit?: LimitCase;
}

export function throughputCase(redisUrl: string, o: ThroughputOptions): BenchCase {
  let worker: BenchWorker | undefined;
  const prefetch = o.prefetch ?? o.slots;
  return {
    name: `noop-${o.slots}${o.prefetch === null ? '' : `-p${o.prefetch}`}${o.telemetry && o.telemetry !== 'off' ? `-${o.telemetry === 'on' ? 'telemetry' : o.telemetry}` : ''}${o.traceRateLimit === undefined ? '' : `-tracelimit${o.traceRateLimit}`}${o.limit && o.limit !== 'none' ? `-${o.limit}` : ''}`,
    description: `no-op tasks through one worker process: ${o.slots} slots, prefetch ${prefetch}${o.telemetry && o.telemetry !== 'off' ? `, ${TELEMETRY_TEXT[o.telemetry]} on (OTLP/HTTP to a local sink)` : ''}${o.traceRateLimit === undefined ? '' : `, trace rate limit ${o.traceRateLimit === 0 ? 'none' : `${o.traceRateLimit}/s`}`}${o.limit && o.limit !== 'none' ? `, ${LIMIT_TEXT[o.limit]}` : ''}; queue pre-loaded, timed from resume until all are succeeded`,
    async prepare(env, tasks) {
      if (!worker) {
        const spawn: SpawnOptions = o.cpuProfDir
          ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfDir}`] }
          : {};
        worker = await BenchWorker.spawn(
          {
            redisUrl,
            id: `bench-${o.slots}`,
            slots: o.slots,
            prefetch: o.prefetch,
            steal: false,
            idleBlockMs: null,
            scripts: o.scripts ?? 'functions',
            ...(o.telemetry && o.telemetry !== 'off'
              ? {
                  otlpEndpoint: await otlpSink(),
                  traces: o.telemetry !== 'metrics',
                  metrics: o.telemetry !== 'traces',
                  ...(o.traceRateLimit === undefined ? {} : { traceRateLimit: o.traceRateLimit }),
                }
              : {}),
          },
          spawn,
        );
        await worker.start();
      }
      await worker.pause();
      await setLimit(env.redis, o.limit ?? 'none');
      await preload(env.redis, tasks, (i) => ({ type: 'noop', payload: { i } }));
    },
    async run(_env, tasks) {
      const { usage } = await worker!.resume(tasks);
      return { cpuUs: usage.cpuUs, eventLoopUtilization: usage.eventLoopUtilization };
    },
    async after() {
      await worker?.close();
      worker = undefined;
    },
  };
}

export function processGroup(): BenchGroup {
  return caseGroup({
    name: 'process',
    resultsDir: RESULTS_DIR,
    options: {
      // Worker configurations: slots, or slots:prefetch (default prefetch: the pool size).
      slots: { type: 'string', default: '5,50,200,400:0' },
      prefetch: { type: 'string' },
      'cpu-prof': { type: 'string' },
      scripts: { type: 'string', default: 'functions' },
      // off, on (traces and metrics), metrics, traces, both (= off,on): a comma list, run in that order;
      // `on:0`, `traces:500`: with that telemetry.traceRateLimit (0: none; default: the config's).
      telemetry: { type: 'string', default: 'off' },
      // none, queue-rate, queue-concurrency, type-rate, type-concurrency, all: limits that never
      // bind, set on the queue before each case (a comma list, run in that order).
      limit: { type: 'string', default: 'none' },
    },
    cases: ({ args, redisUrl }) =>
      String(args.slots)
        .split(',')
        .flatMap((s) => {
          const [slots, prefetch] = s.trim().split(':');
          const p = prefetch ?? (typeof args.prefetch === 'string' ? args.prefetch : undefined);
          return telemetryArg(args.telemetry).flatMap(({ telemetry, traceRateLimit }) =>
            limitArg(args.limit).map((limit) =>
              throughputCase(redisUrl, {
                slots: intArg('slots', slots),
                prefetch: p === undefined ? null : intArg('prefetch', p, 0),
                ...(typeof args['cpu-prof'] === 'string' ? { cpuProfDir: args['cpu-prof'] } : {}),
                scripts: scriptsArg(args.scripts),
                telemetry,
                ...(traceRateLimit === undefined ? {} : { traceRateLimit }),
                limit,
              }),
            ),
          );
        }),
    // The aims are those of one worker process set up for throughput (400 slots); fewer slots
    // are shown for what they give, not held to them (5 slots are bound by round trips).
    targets: [
      {
        caseName: 'noop-400-p0',
        label: '≥ 45,000 tasks/s',
        limit: 45_000,
        kind: 'min',
        value: (r) => r.tasksPerSec,
      },
      {
        caseName: 'noop-400-p0',
        label: '≤ 15 µs Redis CPU/task',
        limit: 15,
        kind: 'atMost',
        value: (r) => r.redis.cpuUsPerTask,
      },
    ],
  });
}

type Telemetry = 'off' | 'on' | 'metrics' | 'traces';
const TELEMETRY_TEXT: Record<Telemetry, string> = {
  off: 'nothing',
  on: 'traces and metrics',
  metrics: 'metrics',
  traces: 'traces',
};

/** One `--telemetry` item: what the worker exports, and its trace rate limit when given (`traces:0`). */
interface TelemetryCase {
  telemetry: Telemetry;
  traceRateLimit?: number;
}

/** `--telemetry`: the cases to run of each configuration, in order (`both` = `off,on`). */
function telemetryArg(value: string | boolean | undefined): TelemetryCase[] {
  if (value === undefined) return [{ telemetry: 'off' }];
  return String(value)
    .split(',')
    .flatMap((v): TelemetryCase[] => {
      const [t = '', limit] = v.trim().split(':');
      if (t === 'both' && limit === undefined) return [{ telemetry: 'off' }, { telemetry: 'on' }];
      if (!(t in TELEMETRY_TEXT))
        throw new Error(`--telemetry: "${t}" is not off, on, metrics, traces or both`);
      if (limit === undefined) return [{ telemetry: t as Telemetry }];
      const traceRateLimit = Number(limit);
      if (!(traceRateLimit >= 0) || t === 'off' || t === 'metrics')
        throw new Error(`--telemetry: "${v}": a trace rate limit (a number >= 0) goes with on or traces`);
      return [{ telemetry: t as Telemetry, traceRateLimit }];
    });
}

let sink: Promise<string> | undefined;
/**
 * An OTLP/HTTP receiver that reads and drops what it is sent (a collector's
 * cost is not the worker's): the worker still builds, serialises and posts
 * every export. One per bench run, on a free loopback port.
 */
function otlpSink(): Promise<string> {
  sink ??= new Promise((resolve) => {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    });
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    );
    server.unref();
  });
  return sink;
}

type LimitCase = 'none' | 'queue-rate' | 'queue-concurrency' | 'type-rate' | 'type-concurrency' | 'all';
const LIMIT_TEXT: Record<LimitCase, string> = {
  none: 'no limit',
  'queue-rate': 'a queue rate limit that never binds',
  'queue-concurrency': 'a queue concurrency cap that never binds',
  'type-rate': 'a type rate limit that never binds',
  'type-concurrency': 'a type concurrency cap that never binds',
  all: 'queue and type rate limits and caps that never bind',
};
/** Far above what one worker reaches: the limit is checked and counted, never binding. */
const NEVER_BINDING = { rate: { n: 1_000_000, perMs: 1000 }, concurrency: 1_000_000 };

/** `--limit`: the limit cases to run of each configuration, in order. */
function limitArg(value: string | boolean | undefined): LimitCase[] {
  if (value === undefined) return ['none'];
  return String(value)
    .split(',')
    .map((v) => {
      const l = v.trim();
      if (l in LIMIT_TEXT) return l as LimitCase;
      throw new Error(`--limit: "${l}" is not one of ${Object.keys(LIMIT_TEXT).join(', ')}`);
    });
}

/** Sets the case's limits on the default queue (and clears every other). */
async function setLimit(redis: RedisClient, limit: LimitCase): Promise<void> {
  const client = new Client({ redis });
  try {
    for (const l of await client.queueState('default').then((s) => s.limits))
      await client.clearQueueLimit('default', { scope: l.scope, key: l.key });
    const scopes: LimitTarget[] = [];
    if (limit === 'all' || limit.startsWith('queue')) scopes.push({ scope: 'queue' });
    if (limit === 'all' || limit.startsWith('type')) scopes.push({ scope: 'type', key: 'noop' });
    for (const target of scopes) {
      await client.setQueueLimit('default', {
        ...target,
        ...(limit === 'all' || limit.endsWith('rate') ? { rate: NEVER_BINDING.rate } : {}),
        ...(limit === 'all' || limit.endsWith('concurrency')
          ? { concurrency: NEVER_BINDING.concurrency }
          : {}),
      });
    }
  } finally {
    await client.close();
  }
}
