/**
 * The scenarios of `pnpm bench --peers`, each run the same way for every
 * system on a flushed Redis: submit (single calls, bulk chunks), process
 * (pre-loaded queue, one or two worker processes), and latency at a steady
 * rate. Every run reads Redis's CPU and commands (INFO deltas over exactly
 * the timed part) and, for process runs, Redis memory per queued and per
 * retained task and the worker processes' CPU and RSS.
 */
import { diff, type RedisSnapshot, round, slidingWindow, snapshot } from '@dtps/core/bench';
import type { Redis } from 'ioredis';
import { paced } from '../paced.js';
import { type Distribution, distribution } from '../percentiles.js';
import { allProcessed, PeerWorker } from './peer-worker.js';
import { producer, type RedisAddress } from './producers.js';
import { nowMs, type Payload, type Variant } from './settings.js';

/** What one run of one case with one system gave. */
export interface Sample {
  tasks: number;
  /** Tasks per second over the timed part (process and submit cases). */
  tasksPerSec?: number;
  redisCpuUsPerTask: number;
  redisCommandsPerTask: number;
  /** The busiest commands (by Redis time): calls and µs per task. */
  commands: { name: string; callsPerTask: number; usecPerTask: number }[];
  /** used_memory growth per task while queued (process cases). */
  memQueuedBytesPerTask?: number;
  /** used_memory left after processing, per task the system keeps (null: it keeps none). */
  memRetainedBytesPerTask?: number | null;
  /** used_memory left after processing, per processed task. */
  memLeftBytesPerTask?: number;
  workerCpuUsPerTask?: number;
  /** CPU of the producer process (this one) over the timed part, per task (submit cases). */
  producerCpuUsPerTask?: number;
  /** Largest RSS among the worker processes, MiB. */
  workerMaxRssMiB?: number;
  /** Submit → acknowledged in the worker, ms. */
  ackMs?: Distribution;
  /** Submit → completion seen by the producer (wait/events), ms; null: the variant sends none. */
  producerMs?: Distribution | null;
  /** The submit call alone, ms. */
  submitMs?: Distribution;
}

export interface CaseEnv {
  addr: RedisAddress;
  /** Commands (FLUSHALL, preload bookkeeping) and the INFO reads. */
  redis: Redis;
  /** Node flags for the worker children (`--cpu-prof`). */
  execArgv: string[];
}

export interface PeerCase {
  name: string;
  description: string;
  run(env: CaseEnv, v: Variant): Promise<Sample>;
}

async function usedMemory(redis: Redis): Promise<number> {
  const m = /used_memory:(\d+)/.exec(await redis.info('memory'));
  return Number(m?.[1] ?? Number.NaN);
}

function redisFigures(before: RedisSnapshot, after: RedisSnapshot, tasks: number) {
  const d = diff(before, after);
  return {
    redisCpuUsPerTask: round(d.cpuUs / tasks, 2),
    redisCommandsPerTask: round(d.totalCalls / tasks, 2),
    commands: d.commands.slice(0, 10).map((c) => ({
      name: c.name,
      callsPerTask: round(c.calls / tasks, 2),
      usecPerTask: round(c.usec / tasks, 2),
    })),
  };
}

/** How many finished tasks each variant keeps by default (dtps: 10,000 succeeded; the fast peers: none). */
function retainedOf(v: Variant, tasks: number): number {
  if (v === 'dtps') return Math.min(tasks, 10_000);
  return v.endsWith('-fast') ? 0 : tasks;
}

export function submitCase(kind: 'single' | 'bulk', tasks: number): PeerCase {
  return {
    name: `submit-${kind}`,
    description:
      kind === 'single'
        ? `${tasks.toLocaleString('en-US')} single submit calls, 1,000 in flight`
        : `${tasks.toLocaleString('en-US')} tasks in bulk calls of 1,000, one call at a time`,
    async run(env, v) {
      await env.redis.flushall();
      const p = await producer(v, env.addr);
      try {
        const before = await snapshot(env.redis);
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        if (kind === 'single') await slidingWindow(tasks, 1000, (i) => p.submit({ i }));
        else
          await slidingWindow(Math.ceil(tasks / 1000), 1, (k) =>
            p.submitMany(chunk(k * 1000, Math.min(tasks, (k + 1) * 1000))),
          );
        const ms = performance.now() - t0;
        const cpu = process.cpuUsage(cpu0);
        const after = await snapshot(env.redis);
        return {
          tasks,
          tasksPerSec: Math.round((tasks / ms) * 1000),
          // The steady figure on a loaded machine, where throughput follows the neighbours.
          producerCpuUsPerTask: round((cpu.user + cpu.system) / tasks, 2),
          ...redisFigures(before, after, tasks),
        };
      } finally {
        await p.close();
      }
    },
  };
}

function chunk(from: number, to: number): Payload[] {
  const out: Payload[] = [];
  for (let i = from; i < to; i++) out.push({ i });
  return out;
}

/**
 * Tasks each worker process runs before the timed part starts: a process's first
 * thousands of tasks pay its JIT warm-up (about 185 ms of CPU for a dtps worker,
 * measured per thread), which says nothing about a worker that runs for hours and
 * would weigh on a case of two small processes most.
 */
export const WARMUP_PER_PROCESS = 10_000;

export function processCase(tasks: number, processes: number, concurrency: number): PeerCase {
  const warmup = WARMUP_PER_PROCESS * processes;
  return {
    name: processes === 1 ? `process-c${concurrency}` : `process-${processes}x${concurrency}`,
    description: `${tasks.toLocaleString('en-US')} pre-loaded no-op tasks timed after ${warmup.toLocaleString('en-US')} of warm-up, ${processes} worker process${processes > 1 ? 'es' : ''} of concurrency ${concurrency}`,
    async run(env, v) {
      await env.redis.flushall();
      const workers: PeerWorker[] = [];
      try {
        for (let i = 0; i < processes; i++)
          workers.push(
            await PeerWorker.spawn(
              {
                variant: v,
                redisUrl: env.addr.url,
                host: env.addr.host,
                port: env.addr.port,
                concurrency,
                trackLatency: false,
              },
              env.execArgv,
            ),
          );
        const loaded = warmup + tasks;
        const m0 = await usedMemory(env.redis);
        const p = await producer(v, env.addr);
        try {
          await slidingWindow(Math.ceil(loaded / 1000), 2, (k) =>
            p.submitMany(chunk(k * 1000, Math.min(loaded, (k + 1) * 1000))),
          );
        } finally {
          await p.close();
        }
        const m1 = await usedMemory(env.redis);
        // The warm-up: the workers start on the whole backlog, and the timed part begins at the
        // progress report that shows the warm-up's tasks done (the workers never stop between).
        for (const w of workers) w.go();
        // Start and end are read off the children's samples (their clock, within SAMPLE_MS of
        // the moment), not from when a report reached this process.
        const start = await allProcessed(workers, warmup, 600_000);
        // Redis's figures count from the moment the children took the mark (their count then).
        const marked = await Promise.all(workers.map((w) => w.mark()));
        const before = await snapshot(env.redis);
        const end = await allProcessed(workers, loaded, 600_000);
        const after = await snapshot(env.redis);
        const stops = await Promise.all(workers.map((w) => w.stop()));
        const m2 = await usedMemory(env.redis);
        const timed = loaded - start.processed;
        const timedInChildren = stops.reduce((a, s) => a + s.processed - s.processedAtMark, 0);
        const retained = retainedOf(v, loaded);
        return {
          tasks,
          tasksPerSec: Math.round((timed / (end.at - start.at)) * 1000),
          ...redisFigures(before, after, loaded - marked.reduce((a, n) => a + n, 0)),
          memQueuedBytesPerTask: Math.round((m1 - m0) / loaded),
          memRetainedBytesPerTask: retained > 0 ? Math.round((m2 - m0) / retained) : null,
          memLeftBytesPerTask: Math.round((m2 - m0) / loaded),
          workerCpuUsPerTask: round(stops.reduce((a, s) => a + s.cpuUs, 0) / timedInChildren, 1),
          workerMaxRssMiB: round(Math.max(...stops.map((s) => s.maxRssBytes)) / 2 ** 20, 1),
        };
      } finally {
        await Promise.all(workers.map((w) => w.close().catch(() => {})));
      }
    },
  };
}

/**
 * Steady single submits through one worker process. With `wait`, the producer
 * also follows completions (dtps: the event stream wait() reads; BullMQ:
 * QueueEvents; bee-queue: its pub/sub events), whose cost then shows in Redis's
 * figures; without, only the worker's acknowledgement is timed, and Redis's
 * figures are those of the queue alone.
 */
export function latencyCase(
  rate: number,
  seconds: number,
  warmupSeconds: number,
  slots: number,
  wait: boolean,
): PeerCase {
  return {
    name: `latency-${rate}${wait ? '-wait' : ''}`,
    description: `single submits at ${rate}/s for ${seconds} s (after ${warmupSeconds} s warm-up), one worker process of concurrency ${slots}${wait ? '; the producer follows completions (wait/events)' : '; timed at the worker'}`,
    async run(env, v) {
      await env.redis.flushall();
      const worker = await PeerWorker.spawn(
        {
          variant: v,
          redisUrl: env.addr.url,
          host: env.addr.host,
          port: env.addr.port,
          concurrency: slots,
          trackLatency: true,
        },
        env.execArgv,
      );
      const p = await producer(v, env.addr);
      try {
        const submittedAt = new Map<string, number>();
        const seenMs: number[] = [];
        let seen = 0;
        const early = new Map<string, number>();
        const watching =
          wait &&
          (await p.watch((id) => {
            const at = nowMs();
            const t0 = submittedAt.get(id);
            if (t0 !== undefined) {
              seenMs.push(at - t0);
              seen++;
            } else early.set(id, at);
          }));
        worker.go();
        const warm = Math.round(rate * warmupSeconds);
        const count = Math.round(rate * seconds);
        const submitMs: number[] = [];
        await paced(warm, 1000 / rate, async (i) => void (await p.submit({ i, t0: nowMs(), w: 1 })));
        const before = await snapshot(env.redis);
        await paced(count, 1000 / rate, async (i) => {
          const t0 = nowMs();
          const id = await p.submit({ i, t0 });
          submitMs.push(nowMs() - t0);
          // A completion may be seen before submit() returned.
          const at = early.get(id);
          if (at !== undefined) {
            early.delete(id);
            seenMs.push(at - t0);
            seen++;
          } else submittedAt.set(id, t0);
        });
        const deadline = performance.now() + 10_000;
        while (
          (worker.processed < warm + count || (watching && seen < count)) &&
          performance.now() < deadline
        )
          await new Promise((r) => setTimeout(r, 10));
        const after = await snapshot(env.redis);
        const stop = await worker.stop();
        return {
          tasks: count,
          ...redisFigures(before, after, count),
          workerCpuUsPerTask: round(stop.cpuUs / (warm + count), 1),
          workerMaxRssMiB: round(stop.maxRssBytes / 2 ** 20, 1),
          ackMs: distribution(stop.acks),
          producerMs: watching ? distribution(seenMs) : null,
          submitMs: distribution(submitMs),
        };
      } finally {
        await p.close();
        await worker.close().catch(() => {});
      }
    },
  };
}
