#!/usr/bin/env node
/**
 * dtps-worker: parse flags, load config, start the Worker, wire signals.
 * Everything else lives in the Worker runtime.
 */
import {
  connectDaemonRedis,
  createLogger,
  EXIT_CODE_HELP,
  ExitCode,
  engineOptionsFrom,
  exitCodeOf,
  explainRedisError,
  loadConfig,
  startTelemetry,
  telemetryOptionsOf,
  upRedisNotice,
} from '@dtps/core';
import meow from 'meow';
import { DEMO_HANDLERS_URL } from './handlers/load.js';
import { VERSION, Worker } from './worker.js';

const cli = meow(
  `
  Usage
    $ dtps-worker [options]

  Runs a worker that executes tasks. Without --handlers it runs the demo
  handlers: noop, echo, sleep {ms}, cpu {ms}, flaky {failTimes}, fail {message, permanent}.

  Options
    --redis URL          Redis URL (redis://, rediss://, redis+sentinel://, redis+cluster://)
    --queue Q[:WEIGHT]   Queue to serve; repeat for several (default: default). Without weights,
                         strict priority in the order given; with a weight (1-1000) on every
                         queue, slots are shared in that proportion between queues with work
    --strict             Strict priority even with weights (the heaviest queue first)
    --workers N          Initial pool size (default 5)
    --min N              Autoscaler lower bound (default 1)
    --max N              Autoscaler upper bound (default 10)
    --steal              Take unstarted tasks from busy peers when idle
    --handlers FILE      Handler module: default export maps task type -> async (payload, ctx) => result
    --isolation MODE     inline (default) or thread (CPU-bound handlers, in a thread pool)
    --prefetch N         Tasks reserved ahead of free slots (default: the pool size)
    --id NAME            Worker id (default: host-pid-random)
    --grace MS           How long running tasks may finish on SIGTERM (default 30000)
    --log-format FORMAT  pretty (default) or json
    --config FILE        Config file (default: .dtpsrc.yaml and friends, searched upward)
    --prefix P           Redis key prefix (default dtps)
    --metrics-port N     Serve this worker's metrics for Prometheus at http://127.0.0.1:N/metrics
                         (worker.metricsHost for another address)

  Signals
    SIGTERM, SIGINT      Stop taking work, hand the window back, let running tasks finish, exit 0;
                         ends within --grace (+1 s to report) whatever Redis does: what could
                         not be handed back is recovered by the coordinator
    a second one         Stop now (running tasks are recovered by the coordinator), exit 130

  Exit codes
${EXIT_CODE_HELP.map((l) => `  ${l}`).join('\n')}

  Examples
    $ dtps-worker --workers 8 --max 32 --steal
    $ dtps-worker --handlers ./tasks.mjs --queue emails --queue reports
    $ dtps-worker --queue critical:6 --queue default:3 --queue low:1
    $ DTPS_REDIS_URL=redis://:secret@redis:6379 dtps-worker --isolation thread --handlers ./cpu.mjs
`,
  {
    importMeta: import.meta,
    version: VERSION,
    // An absent switch stays undefined, so that DTPS_* and the config file can set it.
    booleanDefault: undefined,
    flags: {
      redis: { type: 'string' },
      queue: { type: 'string', isMultiple: true },
      strict: { type: 'boolean' },
      workers: { type: 'number' },
      min: { type: 'number' },
      max: { type: 'number' },
      steal: { type: 'boolean' },
      handlers: { type: 'string' },
      isolation: { type: 'string' },
      prefetch: { type: 'number' },
      id: { type: 'string' },
      grace: { type: 'number' },
      logFormat: { type: 'string' },
      config: { type: 'string' },
      prefix: { type: 'string' },
      metricsPort: { type: 'number' },
    },
  },
);

async function main(): Promise<void> {
  const f = cli.flags;
  const flags: Record<string, unknown> = {
    'redis.url': f.redis,
    prefix: f.prefix,
    logFormat: f.logFormat,
    'worker.queues': f.queue && f.queue.length > 0 ? f.queue : undefined,
    'worker.strict': f.strict,
    'worker.workers': f.workers,
    'worker.min': f.min,
    'worker.max': f.max,
    'worker.steal': f.steal,
    'worker.handlers': f.handlers,
    'worker.isolation': f.isolation,
    'worker.prefetch': f.prefetch,
    'worker.id': f.id,
    'worker.graceMs': f.grace,
    'worker.metricsPort': f.metricsPort,
  };
  const flagNames: Record<string, string> = {
    'redis.url': '--redis',
    logFormat: '--log-format',
    'worker.queues': '--queue',
    'worker.strict': '--strict',
    'worker.workers': '--workers',
    'worker.handlers': '--handlers',
    'worker.graceMs': '--grace',
    'worker.metricsPort': '--metrics-port',
  };
  const { config, up } = await loadConfig({
    ...(f.config ? { configFile: f.config } : {}),
    flags,
    flagNames,
  });
  if (up) process.stderr.write(`dtps-worker: ${upRedisNotice(up, process.cwd())}\n`);
  const w = config.worker;
  const log = createLogger({ format: config.logFormat, name: 'dtps-worker' });
  const stopTelemetry = await startTelemetry('dtps-worker', {
    ...telemetryOptionsOf(config.telemetry),
    ...(w.metricsPort !== undefined ? { metricsPort: w.metricsPort, metricsHost: w.metricsHost } : {}),
  });
  const redis = await connectDaemonRedis('dtps-worker', config.redis, log);
  const handlersModule = w.handlers ?? DEMO_HANDLERS_URL;
  const worker = new Worker({
    redis,
    engine: engineOptionsFrom(config, redis),
    queues: w.queues,
    strict: w.strict,
    handlersModule,
    pool: { size: Math.min(Math.max(w.workers, w.min), w.max), min: w.min, max: w.max },
    steal: w.steal,
    ...(w.prefetch !== undefined ? { prefetch: w.prefetch } : {}),
    isolation: w.isolation,
    ...(w.id !== undefined ? { id: w.id } : {}),
    heartbeatMs: w.heartbeatMs,
    graceMs: w.graceMs,
    idleBlockMs: w.idleBlockMs,
    autoscale: { cooldownMs: w.autoscaleCooldownMs },
    logger: log,
  });

  let signals = 0;
  const shutdown = async (signal: string) => {
    signals++;
    if (signals === 1) {
      log.info({ signal }, 'stopping gracefully (send it again to stop now)');
      await worker.close();
      redis.disconnect();
      await stopTelemetry();
      process.exit(ExitCode.ok);
    } else {
      log.warn({ signal }, 'stopping now');
      await worker.forceClose();
      process.exit(ExitCode.forced);
    }
  };
  // SIGTERM: how process managers ask to stop. SIGINT: Ctrl-C in a terminal.
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  // An operator's `dtps drain`: the worker finished its running tasks and takes no more.
  worker.onDrained = () => void shutdown('drain');
  await worker.start();
}

main().catch((thrown: unknown) => {
  // A refusal (NOPERM on a key, OOM…) named as such, not as "EXECABORT Transaction discarded".
  const err = explainRedisError(thrown);
  process.stderr.write(`dtps-worker: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(exitCodeOf(err));
});
