#!/usr/bin/env node
/**
 * dtps-tui: parse flags, load config, open the Redis connection, run the
 * console, wire signals. Everything else lives in the app.
 */
import {
  createRedis,
  EXIT_CODE_HELP,
  ExitCode,
  exitCodeOf,
  explainRedisError,
  loadConfig,
  startTelemetry,
  telemetryOptionsOf,
  upRedisNotice,
} from '@dtps/core';
import meow from 'meow';

const cli = meow(
  `
  Usage
    $ dtps-tui [options]

  A full-screen console for dtps: live charts of throughput, latency and
  queue depth, the workers with their heartbeats, the tasks with their
  details; submit tasks, scale, pause and resume workers, cancel and retry
  tasks from the keyboard. Works without a coordinator; with one it shows
  the coordinator's rolled-up series. Press ? inside for the keys.

  Options
    --redis URL      Redis URL (redis://, rediss://, redis+sentinel://, redis+cluster://)
    --queue Q        Queue to show first (default: the configured queue, default)
    --prefix P       Redis key prefix (default dtps)
    --config FILE    Config file (default: .dtpsrc.yaml and friends, searched upward)

  Keys
    Tab views · n new task · + - pool size · [ ] { } min/max · s stealing
    p pause/resume · c cancel · r retry · / filter · ? help · q quit

  Exit codes
${EXIT_CODE_HELP.map((l) => `  ${l}`).join('\n')}

  Examples
    $ dtps-tui
    $ dtps-tui --redis redis://:secret@redis:6379 --queue emails
`,
  {
    importMeta: import.meta,
    // The help text says what the console is; package.json's description would say it twice.
    description: false,
    flags: {
      redis: { type: 'string' },
      queue: { type: 'string' },
      prefix: { type: 'string' },
      config: { type: 'string' },
    },
  },
);

async function main(): Promise<void> {
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    process.stderr.write(
      'dtps-tui: draws a full-screen console; run it in a terminal (stdin and stdout a TTY)\n',
    );
    process.exit(ExitCode.usage);
  }
  const f = cli.flags;
  const { config, up } = await loadConfig({
    ...(f.config ? { configFile: f.config } : {}),
    flags: { 'redis.url': f.redis, prefix: f.prefix, queue: f.queue },
    flagNames: { 'redis.url': '--redis', prefix: '--prefix', queue: '--queue' },
  });
  if (up) process.stderr.write(`dtps-tui: ${upRedisNotice(up, process.cwd())}\n`);
  // Not connectRedis: the console starts at once and shows "connecting" (or
  // "lost") in its banner until Redis answers, then reconnects by itself
  // whenever it goes away. One retry a command keeps reads from hanging
  // while it is away.
  const redis = createRedis(config.redis.url, {
    maxRetriesPerRequest: 1,
    connectTimeoutMs: 3000,
    name: 'dtps-tui',
    tls: config.redis.tls,
  });
  // The banner reports connection trouble; without a listener ioredis would print it over the screen.
  redis.on('error', () => undefined);

  // An interactive terminal is not a CI job, whatever the environment says:
  // Ink draws nothing until exit when it believes it runs in CI (is-in-ci
  // reads the environment when Ink is loaded, hence the late import).
  for (const name of Object.keys(process.env))
    if (name === 'CI' || name.startsWith('CI_')) delete process.env[name];
  // Submits from the console's form are traced when the config turns traces on.
  const stopTelemetry = await startTelemetry('dtps-tui', telemetryOptionsOf(config.telemetry));
  const { runConsole } = await import('./console.js');
  const handle = runConsole({ redis, config });

  // SIGTERM: how process managers and `dtps up` ask to stop. SIGHUP: the
  // terminal went away. SIGINT: `kill -INT` (Ctrl-C itself arrives as a key
  // in raw mode and quits through the keymap).
  for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.on(signal, () => handle.stop());
  await handle.done;
  await stopTelemetry();
  redis.disconnect();
  process.exit(ExitCode.ok);
}

main().catch((thrown: unknown) => {
  const err = explainRedisError(thrown);
  process.stderr.write(`dtps-tui: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(exitCodeOf(err));
});
