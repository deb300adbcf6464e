/**
 * A worker child process for the bench: one embedded Worker with the bench's
 * handlers (`noop`, `sleep`), a silent logger and a fixed pool, driven over
 * IPC by the parent (see protocol.ts). Run with `fork()`; its config comes in
 * the DTPS_BENCH_WORKER environment variable.
 */
import { performance } from 'node:perf_hooks';
import { connectRedis, DEFAULT_TRACE_RATE_LIMIT, startTelemetry, telemetryOptionsOf } from '@dtps/core';
import type { HandlerMap } from '../src/index.js';
import { Worker } from '../src/index.js';
import { type ChildConfig, CONFIG_ENV, type Reply, type Request, type Usage } from './protocol.js';

const config = JSON.parse(process.env[CONFIG_ENV] ?? '') as ChildConfig;

/** Plain handlers: the bench measures the engine and the runtime, not the demo handlers' progress reports. */
const handlers: HandlerMap = {
  noop: () => null,
  sleep: (payload, ctx) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, Number((payload as { ms?: number }).ms ?? 0), null);
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(new Error('aborted'));
      });
    }),
};

// `--telemetry`: traces and/or metrics on, exported by OTLP/HTTP as a deployed worker would; or,
// without it, tracing as the environment says (DTPS_TELEMETRY_*), to measure its cost.
const stopTelemetry = await startTelemetry('dtps-worker', {
  ...telemetryOptionsOf({
    traces: config.otlpEndpoint ? (config.traces ?? false) : process.env.DTPS_TELEMETRY_TRACES === 'true',
    otlpEndpoint: config.otlpEndpoint ?? process.env.DTPS_TELEMETRY_OTLP_ENDPOINT,
    traceSampleRatio: Number(process.env.DTPS_TELEMETRY_TRACE_SAMPLE_RATIO ?? 1),
    traceRateLimit:
      config.traceRateLimit ??
      Number(process.env.DTPS_TELEMETRY_TRACE_RATE_LIMIT ?? DEFAULT_TRACE_RATE_LIMIT),
  }),
  ...(config.otlpEndpoint ? { metrics: config.metrics ?? false, metricsOptions: { intervalMs: 1000 } } : {}),
  asyncContext: process.env.DTPS_BENCH_ASYNC_CONTEXT === 'true',
});
const redis = await connectRedis(config.redisUrl);
const worker = new Worker({
  redis,
  id: config.id,
  handlers,
  pool: { size: config.slots, min: config.slots, max: config.slots },
  ...(config.prefetch === null ? {} : { prefetch: config.prefetch }),
  steal: config.steal,
  ...(config.idleBlockMs === null ? {} : { idleBlockMs: config.idleBlockMs }),
  autoscale: { enabled: false },
  engine: { scripts: config.scripts ?? 'functions' },
});

let cpu0 = process.cpuUsage();
let elu0 = performance.eventLoopUtilization();

/** CPU and event loop use since the last call (or since start). */
function usage(): Usage {
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  cpu0 = process.cpuUsage();
  elu0 = performance.eventLoopUtilization();
  return {
    cpuUs: cpu.user + cpu.system,
    eventLoopUtilization: elu.utilization,
    processed: worker.stats.processed,
  };
}

/** `processed` when the worker was paused: the preloaded tasks are counted from there. */
let processedAtPause = 0;

/**
 * Resolves once `n` more outcomes than at the pause have reached Redis (a
 * local check every 5 ms, no Redis command). Counted from the pause, not from
 * the resume: a claim already under way when the pause came may take some of
 * the preloaded tasks before the resume, and counting from the resume then
 * waited for tasks that would never come.
 */
function processedMore(n: number): Promise<void> {
  const target = processedAtPause + n;
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (worker.stats.processed >= target) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
}

async function handle(req: Request): Promise<Reply> {
  switch (req.op) {
    case 'start':
      await worker.start();
      usage();
      return { op: 'started' };
    case 'pause':
      worker.apply({ command: 'pause' });
      processedAtPause = worker.stats.processed;
      return { op: 'paused' };
    case 'resume': {
      const done = processedMore(req.tasks);
      usage();
      const t0 = performance.now();
      worker.apply({ command: 'resume' });
      await done;
      const ms = performance.now() - t0;
      return { op: 'resumed', ms, usage: usage() };
    }
    case 'usage':
      return { op: 'usage', usage: usage() };
    case 'close':
      await worker.close({ graceMs: 5000 });
      await stopTelemetry();
      redis.disconnect();
      return { op: 'closed' };
  }
}

// One request at a time, answered in order.
let queue = Promise.resolve();
process.on('message', (req: Request) => {
  queue = queue.then(async () => {
    let reply: Reply;
    try {
      reply = await handle(req);
    } catch (err) {
      reply = { op: 'error', message: (err as Error).stack ?? String(err) };
    }
    process.send!(reply);
    if (reply.op === 'closed') process.disconnect();
  });
});
process.send!({ op: 'ready' });
