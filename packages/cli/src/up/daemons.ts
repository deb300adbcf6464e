/**
 * The coordinator and the worker of `dtps up`: their command lines, their
 * environment, and their start as daemons logging to `.dtps/logs`.
 */
import { join } from 'node:path';
import { type DtpsConfig, parseQueueEntry } from '@dtps/core';
import { binPath, PROGRAMS, type UpLayout } from './paths.js';
import { Daemon } from './processes.js';

/** What every child of one `dtps up` is started with. */
export interface Launch {
  layout: UpLayout;
  /** The environment of every child: the configured one, pointed at the Redis in use. */
  env: NodeJS.ProcessEnv;
  /** The config file the children are to read too, if there is one. */
  configFile: string | undefined;
}

/** The environment of every child: `base`, pointed at the Redis in use and the configured names. */
export function childEnv(base: NodeJS.ProcessEnv, redisUrl: string, config: DtpsConfig): NodeJS.ProcessEnv {
  return { ...base, DTPS_REDIS_URL: redisUrl, DTPS_PREFIX: config.prefix, DTPS_QUEUE: config.queue };
}

/** Flags both daemons take: their log format and the config file. */
function commonFlags(launch: Launch, jsonLogs: boolean): string[] {
  return [
    '--log-format',
    jsonLogs ? 'json' : 'pretty',
    ...(launch.configFile === undefined ? [] : ['--config', launch.configFile]),
  ];
}

/** `dtps-coordinator --monitor` on `port`. */
export function coordinatorArgs(launch: Launch, port: number, jsonLogs: boolean): string[] {
  return ['--monitor', '--port', String(port), ...commonFlags(launch, jsonLogs)];
}

/** `dtps-worker --steal`, with `workers` slots when given. */
export function workerArgs(
  launch: Launch,
  config: DtpsConfig,
  workers: number | undefined,
  jsonLogs: boolean,
): string[] {
  return [
    '--steal',
    ...(workers === undefined ? [] : ['--workers', String(workers)]),
    ...workerQueues(config).flatMap((q) => ['--queue', q]),
    ...(config.worker.strict ? ['--strict'] : []),
    ...commonFlags(launch, jsonLogs),
  ];
}

/**
 * The worker's `--queue` values: its configured queues (weights kept), and the queue that
 * `dtps submit` and the demo use if they lack it — with weight 1 in a weighted list, since a
 * list is weighted throughout or not at all.
 */
export function workerQueues(config: DtpsConfig): string[] {
  const entries = config.worker.queues.map(parseQueueEntry);
  const out = entries.map((e) => (e.weight === null ? e.name : `${e.name}:${e.weight}`));
  if (!entries.some((e) => e.name === config.queue)) {
    out.push(entries.some((e) => e.weight !== null) ? `${config.queue}:1` : config.queue);
  }
  return out;
}

/** Starts `dtps-<name>` as a daemon, its output in `.dtps/logs/<name>.log`. */
export function startDaemon(launch: Launch, name: 'coordinator' | 'worker', args: readonly string[]): Daemon {
  return Daemon.start({
    name: PROGRAMS[name].bin,
    command: process.execPath,
    args: [binPath(name), ...args],
    env: launch.env,
    cwd: launch.layout.cwd,
    logFile: join(launch.layout.logs, `${name}.log`),
  });
}
