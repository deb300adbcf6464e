#!/usr/bin/env node
/**
 * dtps-coordinator: parse flags, load config, start the Coordinator, wire
 * signals. Everything else lives in the Coordinator runtime.
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
  parseLimitLine,
  startTelemetry,
  telemetryOptionsOf,
  upRedisNotice,
} from '@dtps/core';
import meow from 'meow';
import { Coordinator } from './coordinator.js';
import { assertBindAllowed } from './monitor/auth.js';

const cli = meow(
  `
  Usage
    $ dtps-coordinator [options]

  The control plane: detects dead workers and recovers their tasks, promotes
  due tasks, expires tasks past their deadline, enforces retention, rolls up
  metrics, and (with --monitor) serves the HTTP monitor. Run several: one
  leads, the others stand by and take over within the lease time.

  Options
    --redis URL          Redis URL (redis://, rediss://, redis+sentinel://, redis+cluster://)
    --monitor            Serve the HTTP monitor: JSON API, SSE, /metrics, web dashboard
    --host HOST          Monitor address (default 127.0.0.1; others need a token)
    --port PORT          Monitor port (default 7420)
    --token TOKEN        Bearer token for changing endpoints (or DTPS_API_TOKEN)
    --id NAME            Coordinator id (default host-pid-random)
    --lease MS           Leader lease time (default 5000)
    --heartbeat-timeout MS  Silence after which a worker is declared dead (default 5000)
    --log-format FORMAT  pretty (default) or json
    --config FILE        Config file (default: .dtpsrc.yaml and friends, searched upward)
    --prefix P           Redis key prefix (default dtps)

  Signals
    SIGTERM, SIGINT      Stop the sweeps, hand the lease over, exit 0 (within 5 s whatever
                         Redis does); a second one: stop now, exit 130

  Exit codes
${EXIT_CODE_HELP.map((l) => `  ${l}`).join('\n')}

  Examples
    $ dtps-coordinator --monitor
    $ DTPS_API_TOKEN=s3cret dtps-coordinator --monitor --host 0.0.0.0
`,
  {
    importMeta: import.meta,
    // An absent switch stays undefined, so that DTPS_* and the config file can set it.
    booleanDefault: undefined,
    flags: {
      redis: { type: 'string' },
      monitor: { type: 'boolean' },
      host: { type: 'string' },
      port: { type: 'number' },
      token: { type: 'string' },
      id: { type: 'string' },
      lease: { type: 'number' },
      heartbeatTimeout: { type: 'number' },
      logFormat: { type: 'string' },
      config: { type: 'string' },
      prefix: { type: 'string' },
    },
  },
);

async function main(): Promise<void> {
  const f = cli.flags;
  const { config, up } = await loadConfig({
    ...(f.config ? { configFile: f.config } : {}),
    flags: {
      'redis.url': f.redis,
      prefix: f.prefix,
      logFormat: f.logFormat,
      'monitor.enabled': f.monitor,
      'monitor.host': f.host,
      'monitor.port': f.port,
      'monitor.token': f.token,
      'coordinator.id': f.id,
      'coordinator.leaseMs': f.lease,
      'coordinator.heartbeatTimeoutMs': f.heartbeatTimeout,
    },
    flagNames: {
      'redis.url': '--redis',
      logFormat: '--log-format',
      'monitor.enabled': '--monitor',
      'monitor.host': '--host',
      'monitor.port': '--port',
      'monitor.token': '--token',
      'coordinator.id': '--id',
      'coordinator.leaseMs': '--lease',
      'coordinator.heartbeatTimeoutMs': '--heartbeat-timeout',
    },
  });
  // A monitor that may not listen (no token beyond loopback, a token no request could carry)
  // is a configuration error: say so before anything connects.
  if (config.monitor.enabled) assertBindAllowed(config.monitor.host, config.monitor.token || undefined);
  if (up) process.stderr.write(`dtps-coordinator: ${upRedisNotice(up, process.cwd())}\n`);
  const log = createLogger({ format: config.logFormat, name: 'dtps-coordinator' });
  const stopTelemetry = await startTelemetry('dtps-coordinator', telemetryOptionsOf(config.telemetry));
  const redis = await connectDaemonRedis('dtps-coordinator', config.redis, log);
  const c = config.coordinator;
  const coordinator = new Coordinator({
    redis,
    engine: engineOptionsFrom(config, redis),
    ...(c.id ? { id: c.id } : {}),
    leaseMs: c.leaseMs,
    heartbeatTimeoutMs: c.heartbeatTimeoutMs,
    sweepIntervalMs: c.sweepIntervalMs,
    janitorIntervalMs: c.janitorIntervalMs,
    limits: config.limits.map((line) => parseLimitLine(line)),
    scheduleGraceMs: c.scheduleGraceMs,
    schedules: config.schedules,
    ...(config.monitor.enabled
      ? {
          monitor: {
            host: config.monitor.host,
            port: config.monitor.port,
            ...(config.monitor.token ? { token: config.monitor.token } : {}),
          },
        }
      : {}),
    logger: log,
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) process.exit(ExitCode.forced); // a second signal: now
    stopping = true;
    log.info({ signal }, 'stopping');
    await coordinator.close();
    redis.disconnect();
    await stopTelemetry();
    process.exit(ExitCode.ok);
  };
  // SIGTERM: process managers; SIGINT: Ctrl-C. Both hand the lease over at once.
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  await coordinator.start();
}

main().catch((thrown: unknown) => {
  const err = explainRedisError(thrown);
  process.stderr.write(`dtps-coordinator: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(exitCodeOf(err));
});
