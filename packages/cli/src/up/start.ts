/**
 * The start of `dtps up`, part by part: Redis (found or started), the
 * state file, the coordinator with the monitor, the worker; then the wait
 * until they show they are up. What has started is written down as it
 * starts, so that a start that fails or is stopped half-way is undone by the
 * stop sequence (stop.ts); a start that completes returns what runs.
 */
import { mkdir } from 'node:fs/promises';
import { Client, type DtpsConfig, engineOptionsFrom } from '@dtps/core';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { childEnv, coordinatorArgs, type Launch, startDaemon, workerArgs } from './daemons.js';
import { cleanUpEarlierRun } from './leftovers.js';
import { missingProgram, type UpLayout } from './paths.js';
import { freePortOn, portIsFree } from './ports.js';
import { type Daemon, UpFailure } from './processes.js';
import { waitUntilReady } from './ready-wait.js';
import { findOrStartRedis, type UpRedis } from './redis-part.js';
import { StateFile } from './state-file.js';
import type { Supervisor } from './supervisor.js';

/** What `dtps up` was asked for, flags already checked. */
export interface UpOptions {
  /** Monitor port; the configured one (7420) when absent. */
  port?: number;
  /** The worker's initial pool size; the configured one when absent. */
  workers?: number;
  demo: boolean;
  /** Run the console in the foreground (only on a terminal). */
  console: boolean;
  jsonLogs: boolean;
}

/**
 * What has started so far, each part set as soon as it runs: all the stop
 * sequence has to go by when the start did not complete.
 */
export interface StartedSoFar {
  config?: DtpsConfig;
  state?: StateFile;
  redis?: UpRedis;
  client?: Client;
  coordinator?: Daemon;
  worker?: Daemon;
}

/** Everything a completed start runs. */
export interface Running {
  config: DtpsConfig;
  launch: Launch;
  redis: UpRedis;
  client: Client;
  coordinator: Daemon;
  worker: Daemon;
  monitorUrl: string;
}

/** What the start goes by. */
export interface StartInput {
  ctx: CommandContext;
  opts: UpOptions;
  layout: UpLayout;
  supervisor: Supervisor;
  /** Why the console cannot run when it was asked for: said once the daemons are known to be there. */
  consoleMissing: string | undefined;
  note: (text: string) => void;
}

/**
 * Starts every daemon part, recording each in `started` as it runs. Resolves
 * with what runs, or undefined when a stop was asked for on the way (then
 * `started` holds what is to be stopped). Throws when a part cannot start.
 */
export async function startParts(input: StartInput, started: StartedSoFar): Promise<Running | undefined> {
  const { ctx, opts, layout, supervisor, note } = input;
  const aborted = () => supervisor.signal.aborted;
  const loaded = await ctx.config();
  const config = loaded.config;
  started.config = config;
  // The demo tasks' submits are traced like any other (the daemons start their own from the same config).
  await ctx.telemetry();

  for (const name of ['coordinator', 'worker'] as const) {
    const missing = missingProgram(name);
    if (missing !== undefined) throw new UpFailure('not_built', missing, ExitCode.unsuccessful);
  }
  if (input.consoleMissing !== undefined) note(`${input.consoleMissing}: running without the console`);

  await mkdir(layout.logs, { recursive: true });
  await cleanUpEarlierRun(layout.state, note);
  const state = new StateFile(layout.state);
  started.state = state;

  const redis = await findOrStartRedis(config.redis.url, {
    layout,
    path: ctx.environment.env.PATH,
    state,
    signal: supervisor.signal,
    note,
  });
  started.redis = redis;
  // Watched from here on: an attempt that lost its port to another process is no death.
  if (redis.local !== undefined) supervisor.watch(redis.local.daemon);
  if (aborted()) return undefined;
  await state.setRedis(redis.url);
  const client = new Client(engineOptionsFrom(config, redis.redis));
  started.client = client;
  if (aborted()) return undefined;

  const monitorPort = await monitorPortOf(config, opts.port, note);
  const monitorUrl = `http://${urlHost(config.monitor.host)}:${monitorPort}/`;
  const launch: Launch = {
    layout,
    env: childEnv(ctx.environment.env, redis.url, config),
    configFile: loaded.file,
  };
  const daemon = async (name: 'coordinator' | 'worker', args: readonly string[]): Promise<Daemon> => {
    const d = startDaemon(launch, name, args);
    supervisor.watch(d);
    await state.add({ name: d.name, pid: d.pid ?? 0, marks: [d.name] });
    return d;
  };
  const coordinator = await daemon('coordinator', coordinatorArgs(launch, monitorPort, opts.jsonLogs));
  started.coordinator = coordinator;
  if (aborted()) return undefined;
  const worker = await daemon('worker', workerArgs(launch, config, opts.workers, opts.jsonLogs));
  started.worker = worker;

  await waitUntilReady({
    client,
    worker,
    coordinator,
    monitorUrl,
    layout,
    onRegistered: (id) => supervisor.workerRegistered(id),
    signal: supervisor.signal,
    note,
  });
  if (aborted()) return undefined;
  return { config, launch, redis, client, coordinator, worker, monitorUrl };
}

/** The configured (or --port) monitor port, or a free one when it is taken. */
async function monitorPortOf(
  config: DtpsConfig,
  wanted: number | undefined,
  note: (text: string) => void,
): Promise<number> {
  const port = wanted ?? config.monitor.port;
  if (await portIsFree(config.monitor.host, port)) return port;
  const free = await freePortOn(config.monitor.host);
  note(`port ${port} is taken: the monitor uses port ${free} instead`);
  return free;
}

/** The host of the monitor's URL: a wildcard address is reached on loopback; IPv6 in brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
