/**
 * One run of `dtps up`: starts Redis (when none answers), a coordinator with
 * the monitor, a worker and the console (or status lines), waits for Ctrl-C,
 * the console's `q` or a daemon's death, and stops everything in order.
 *
 * Order of the stop: demo tasks, console, worker (it hands its tasks back
 * while Redis still runs), coordinator, and the redis-server if this run
 * started it. Nothing is left running, whichever way the run ends, short of
 * `dtps up` being SIGKILLed (then the next `dtps up` here cleans up: see
 * leftovers.ts).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Client, type DtpsConfig, engineOptionsFrom, type RedisClient, redactRedisUrl } from '@dtps/core';
import type { CommandContext } from '../context.js';
import { reportOf } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { DemoTrickle } from './demo-trickle.js';
import { cleanUpEarlierRun, StateFile } from './leftovers.js';
import { binPath, layoutOf, missingProgram, PROGRAMS, shown, type UpLayout } from './paths.js';
import { freePortOn, portIsFree } from './ports.js';
import {
  Daemon,
  describeExit,
  type ExitStatus,
  Foreground,
  indent,
  pause,
  tailFile,
  UpFailure,
} from './processes.js';
import { type ReadySummary, readyEvent, readyText } from './ready.js';
import {
  findRedisServer,
  LocalRedis,
  noRedisServerError,
  PROBE_TIMEOUT_MS,
  tryRedis,
} from './redis-local.js';
import { type Snapshot, snapshot, statusLine } from './status.js';

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

/** How long the daemons get to show they are up before `dtps up` says it cannot tell. */
const READY_TIMEOUT_MS = 20_000;
/** How often the status line is printed without the console. */
const STATUS_EVERY_MS = 5000;
/** How long the coordinator and the console get to stop before SIGKILL. */
const STOP_GRACE_MS = 10_000;
/** Signals this soon after the first are the same Ctrl-C delivered twice. */
const DUPLICATE_SIGNAL_MS = 1000;
/** How much longer than its own grace time the worker gets before SIGKILL. */
const WORKER_EXTRA_MS = 5000;

type StopReason =
  | { kind: 'signal'; signal: NodeJS.Signals }
  | { kind: 'console'; status: ExitStatus }
  | { kind: 'died'; daemon: Daemon; status: ExitStatus };

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export class UpSession {
  readonly #ctx: CommandContext;
  readonly #opts: UpOptions;
  readonly #layout: UpLayout;
  readonly #stop = new AbortController();
  #reason: StopReason | undefined;
  #shuttingDown = false;
  #signals = 0;
  #firstSignalAt: number | undefined;
  /** What is being stopped right now: a second Ctrl-C hurries it. */
  #stopping: Daemon | undefined;

  #config: DtpsConfig | undefined;
  #configFile: string | undefined;
  #url = '';
  #redis: RedisClient | undefined;
  #local: LocalRedis | undefined;
  #client: Client | undefined;
  #coordinator: Daemon | undefined;
  #worker: Daemon | undefined;
  /** The worker's id in the registry, once it has registered. */
  #workerId: string | undefined;
  #console: Foreground | undefined;
  #trickle: DemoTrickle | undefined;
  #demoLog: WriteStream | undefined;
  #state: StateFile;
  #monitorUrl = '';
  #notes: string[] = [];
  /** Whether anything was started (or connected) that the stop has to end. */
  get #started(): boolean {
    return this.#redis !== undefined || this.#local !== undefined;
  }

  constructor(ctx: CommandContext, opts: UpOptions) {
    this.#ctx = ctx;
    this.#opts = opts;
    this.#layout = layoutOf(ctx.environment.cwd);
    this.#state = new StateFile(this.#layout.state);
  }

  async run(): Promise<ExitCode> {
    const onSignal = (signal: NodeJS.Signals) => this.#onSignal(signal);
    for (const s of SIGNALS) process.on(s, onSignal);
    let code: ExitCode;
    try {
      let failure: unknown;
      try {
        await this.#start();
        if (!this.#stop.signal.aborted) await this.#serve();
      } catch (err) {
        failure = err;
      }
      // The console first, so that what follows is said on the terminal, not under the console.
      await this.#stopFront();
      if (this.#reason !== undefined) {
        code = await this.#outcome();
      } else if (failure === undefined) {
        code = ExitCode.ok;
      } else {
        const report =
          failure instanceof UpFailure
            ? { code: failure.code, message: failure.message, exit: failure.exit }
            : reportOf(failure, this.#url || undefined);
        this.#ctx.out.error(report);
        code = report.exit;
      }
      await this.#shutdown();
    } finally {
      for (const s of SIGNALS) process.off(s, onSignal);
    }
    if (this.#started) this.#ctx.out.result({ event: 'stopped', exit: code }, () => 'all stopped');
    return code;
  }

  // --- start -------------------------------------------------------------

  async #start(): Promise<void> {
    const loaded = await this.#ctx.config();
    const config = loaded.config;
    this.#config = config;
    this.#configFile = loaded.file;
    this.#url = config.redis.url;

    for (const name of ['coordinator', 'worker'] as const) {
      const missing = missingProgram(name);
      if (missing !== undefined) throw new UpFailure('not_built', missing, ExitCode.unsuccessful);
    }
    if (this.#opts.console) {
      const missing = missingProgram('console');
      if (missing !== undefined) {
        this.#note(`${missing}: running without the console`);
        this.#opts.console = false;
      }
    }

    await mkdir(this.#layout.logs, { recursive: true });
    await cleanUpEarlierRun(this.#layout.state, (text) => this.#note(text));

    await this.#startRedis(config.redis.url);
    if (this.#stop.signal.aborted) return;
    await this.#state.setRedis(this.#url);
    const redis = this.#redis!;
    this.#client = new Client(engineOptionsFrom(config, redis));

    if (this.#stop.signal.aborted) return;
    const monitorPort = await this.#monitorPort(config);
    const host = config.monitor.host;
    const urlHost =
      host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    this.#monitorUrl = `http://${urlHost}:${monitorPort}/`;

    const logFormat = this.#opts.jsonLogs ? 'json' : 'pretty';
    const common = [
      '--log-format',
      logFormat,
      ...(this.#configFile === undefined ? [] : ['--config', this.#configFile]),
    ];
    this.#coordinator = await this.#daemon('coordinator', [
      '--monitor',
      '--port',
      String(monitorPort),
      ...common,
    ]);
    if (this.#stop.signal.aborted) return;
    // The worker serves the queue that `dtps submit` and the demo use, besides its configured ones.
    const queues = [...new Set([...config.worker.queues, config.queue])];
    this.#worker = await this.#daemon('worker', [
      '--steal',
      ...(this.#opts.workers === undefined ? [] : ['--workers', String(this.#opts.workers)]),
      ...queues.flatMap((q) => ['--queue', q]),
      ...common,
    ]);
    await this.#waitReady();
  }

  async #startRedis(url: string): Promise<void> {
    const found = await tryRedis(url);
    if (found !== undefined) {
      this.#redis = found;
      return;
    }
    const binary = await findRedisServer(this.#ctx.environment.env.PATH);
    if (binary === undefined) throw noRedisServerError(url);
    this.#note(
      `no Redis answered at ${redactRedisUrl(url)} within ${PROBE_TIMEOUT_MS / 1000} s: ` +
        `starting redis-server with its data in ${shown(this.#layout, this.#layout.redis)}`,
    );
    this.#local = await LocalRedis.start(
      binary,
      this.#layout,
      async (daemon, port) => {
        await this.#state.add({
          name: 'redis-server',
          pid: daemon.pid ?? 0,
          marks: ['redis-server', `:${port}`],
        });
      },
      this.#stop.signal,
    );
    // Watched from here on: an attempt that lost its port to another process is no death.
    this.#watch(this.#local.daemon);
    this.#redis = this.#local.redis;
    this.#url = this.#local.url;
  }

  /** The configured (or --port) monitor port, or a free one when it is taken. */
  async #monitorPort(config: DtpsConfig): Promise<number> {
    const wanted = this.#opts.port ?? config.monitor.port;
    if (await portIsFree(config.monitor.host, wanted)) return wanted;
    const port = await freePortOn(config.monitor.host);
    this.#note(`port ${wanted} is taken: the monitor uses port ${port} instead`);
    return port;
  }

  /** Environment of every child: the configured one, pointed at the Redis in use. */
  #childEnv(): NodeJS.ProcessEnv {
    const config = this.#config!;
    return {
      ...this.#ctx.environment.env,
      DTPS_REDIS_URL: this.#url,
      DTPS_PREFIX: config.prefix,
      DTPS_QUEUE: config.queue,
    };
  }

  async #daemon(name: 'coordinator' | 'worker', args: readonly string[]): Promise<Daemon> {
    const program = PROGRAMS[name].bin;
    const daemon = Daemon.start({
      name: program,
      command: process.execPath,
      args: [binPath(name), ...args],
      env: this.#childEnv(),
      cwd: this.#layout.cwd,
      logFile: join(this.#layout.logs, `${name}.log`),
    });
    this.#watch(daemon);
    await this.#state.add({ name: program, pid: daemon.pid ?? 0, marks: [program] });
    return daemon;
  }

  /**
   * A daemon that exits before the stop is a reason to stop everything,
   * except the worker exiting 0: it was drained (`dtps drain`) or stopped
   * (SIGTERM) by an operator, an act rather than a crash, and the rest
   * keeps serving (another worker may join, `dtps submit` still queues).
   */
  #watch(daemon: Daemon): void {
    void daemon.exited.then((status) => {
      if (this.#shuttingDown) return;
      if (daemon.name === PROGRAMS.worker.bin && status.code === 0) this.#workerLeft(daemon);
      else this.#requestStop({ kind: 'died', daemon, status });
    });
  }

  #workerLeft(daemon: Daemon): void {
    const who = `worker ${this.#workerId ?? '(unregistered)'} (pid ${daemon.pid})`;
    const text = `${who} drained and exited; the rest keeps running`;
    // The console owns the screen, and shows the worker gone by itself.
    if (this.#opts.console) this.#notes.push(text);
    else
      this.#ctx.out.result(
        { event: 'worker_exited', worker: this.#workerId ?? null, pid: daemon.pid, code: 0 },
        () => text,
      );
  }

  /**
   * Waits until the worker shows in the registry and the monitor answers
   * /healthz. Neither is fatal when late (a note says so); a daemon's death is.
   */
  async #waitReady(): Promise<void> {
    const client = this.#client!;
    const worker = this.#worker!;
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let registered = false;
    let healthy = false;
    while (!(registered && healthy) && Date.now() < deadline && !this.#stop.signal.aborted) {
      if (!registered) {
        const list = await client.workers().catch(() => []);
        this.#workerId = list.find((w) => w.pid === worker.pid && w.host === hostname())?.id;
        registered = this.#workerId !== undefined;
      }
      if (!healthy) {
        healthy = await fetch(`${this.#monitorUrl}healthz`, { signal: AbortSignal.timeout(1000) })
          .then((r) => r.ok)
          .catch(() => false);
      }
      if (!(registered && healthy)) await pause(200, this.#stop.signal);
    }
    if (this.#stop.signal.aborted) return;
    const seconds = READY_TIMEOUT_MS / 1000;
    if (!registered)
      this.#note(
        `the worker has not registered within ${seconds} s; see ${shown(this.#layout, worker.logFile)}`,
      );
    if (!healthy) {
      const log = shown(this.#layout, this.#coordinator!.logFile);
      this.#note(`the monitor did not answer ${this.#monitorUrl}healthz within ${seconds} s; see ${log}`);
    }
  }

  // --- run ---------------------------------------------------------------

  async #serve(): Promise<void> {
    this.#printReady();
    if (this.#opts.demo) {
      this.#demoLog = createWriteStream(join(this.#layout.logs, 'demo.log'));
      this.#demoLog.on('error', () => undefined);
      const log = this.#demoLog;
      this.#trickle = new DemoTrickle({
        client: this.#client!,
        queue: this.#config!.queue,
        log: (line) => log.write(`${new Date().toISOString()} ${line}\n`),
      });
      this.#trickle.start();
    }
    if (this.#opts.console) {
      this.#startConsole();
      await new Promise((resolve) => this.#stop.signal.addEventListener('abort', resolve, { once: true }));
      return;
    }
    while (!this.#stop.signal.aborted) {
      let s: Snapshot | undefined;
      try {
        s = await snapshot(this.#client!);
      } catch (err) {
        this.#ctx.out.note(`status unavailable: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (s !== undefined && !this.#stop.signal.aborted) {
        const status = s;
        this.#ctx.out.result({ event: 'status', ...status }, () => statusLine(status));
      }
      await pause(STATUS_EVERY_MS, this.#stop.signal);
    }
  }

  #startConsole(): void {
    const config = this.#config!;
    const url = this.#url;
    const args = [
      binPath('console'),
      '--prefix',
      config.prefix,
      '--queue',
      config.queue,
      // The URL travels in the environment; on the command line only when it holds no secret.
      ...(redactRedisUrl(url) === url ? ['--redis', url] : []),
      ...(this.#configFile === undefined ? [] : ['--config', this.#configFile]),
    ];
    this.#console = new Foreground(
      PROGRAMS.console.bin,
      process.execPath,
      args,
      this.#childEnv(),
      this.#layout.cwd,
    );
    void this.#console.exited.then((status) => {
      if (!this.#shuttingDown) this.#requestStop({ kind: 'console', status });
    });
  }

  #printReady(): void {
    const summary: ReadySummary = {
      layout: this.#layout,
      url: this.#url,
      monitorUrl: this.#monitorUrl,
      coordinator: this.#coordinator!,
      worker: this.#worker!,
      demo: this.#opts.demo,
      console: this.#opts.console,
      notes: this.#notes,
      ...(this.#local === undefined ? {} : { local: this.#local.daemon }),
    };
    this.#ctx.out.result(readyEvent(summary), () => readyText(summary));
  }

  // --- stop --------------------------------------------------------------

  #note(text: string): void {
    this.#notes.push(text);
    this.#ctx.out.note(text);
  }

  #requestStop(reason: StopReason): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    this.#stop.abort();
  }

  #onSignal(signal: NodeJS.Signals): void {
    const now = Date.now();
    // One Ctrl-C under `pnpm start` arrives twice: from the terminal and
    // forwarded by pnpm. Only a later one means "again".
    if (this.#firstSignalAt !== undefined && now - this.#firstSignalAt < DUPLICATE_SIGNAL_MS) return;
    this.#firstSignalAt ??= now;
    this.#signals += 1;
    if (this.#signals === 1) {
      this.#requestStop({ kind: 'signal', signal });
      return;
    }
    // Again: what is stopping now stops at once (the daemons take a second
    // SIGTERM as "now"); a third time, it is killed.
    this.#stopping?.signal(this.#signals === 2 ? 'SIGTERM' : 'SIGKILL');
  }

  /** Says why the run ends (for a death: with the log's tail) and gives the exit code. */
  async #outcome(): Promise<ExitCode> {
    const reason = this.#reason;
    if (reason === undefined || reason.kind === 'signal') return ExitCode.ok;
    if (reason.kind === 'console') {
      if (reason.status.code === 0) return ExitCode.ok;
      this.#ctx.out.rawError(`dtps: the console (${PROGRAMS.console.bin}) ${describeExit(reason.status)}`);
      return ExitCode.unsuccessful;
    }
    const { daemon, status } = reason;
    const tail = await tailFile(daemon.logFile);
    this.#ctx.out.rawError(
      `dtps: ${daemon.name} (pid ${daemon.pid}) ${describeExit(status)} unexpectedly; ` +
        `the last lines of ${shown(this.#layout, daemon.logFile)}:\n${indent(tail)}`,
    );
    return ExitCode.unsuccessful;
  }

  /** Stops the demo tasks, then the console. Says nothing: the console may still own the screen. */
  async #stopFront(): Promise<void> {
    this.#shuttingDown = true;
    this.#stop.abort();
    await this.#trickle?.stop().catch(() => undefined);
    await new Promise<void>((resolve) => (this.#demoLog ? this.#demoLog.end(resolve) : resolve()));
    await this.#console?.stop(STOP_GRACE_MS);
  }

  /** Stops the rest, in order, saying so: worker, coordinator, Redis if started here. Never throws. */
  async #shutdown(): Promise<void> {
    const say = (text: string) => this.#ctx.out.note(text);
    if (this.#started) say(`stopping${this.#worker?.alive ? ' (Ctrl-C again to stop at once)' : ''}`);
    if (this.#trickle) say(`  demo tasks: stopped (${this.#trickle.submitted} submitted)`);
    if (this.#console) say(`  ${PROGRAMS.console.bin}: stopped`);
    const graceMs = (this.#config?.worker.graceMs ?? 30_000) + WORKER_EXTRA_MS;
    await this.#stopDaemon(this.#worker, graceMs);
    await this.#stopDaemon(this.#coordinator, STOP_GRACE_MS);
    await this.#client?.close().catch(() => undefined);
    if (this.#local) {
      const { daemon } = this.#local;
      this.#stopping = daemon;
      const wasAlive = daemon.alive;
      await this.#local.shutdown().catch(() => undefined);
      if (wasAlive) {
        say(
          `  redis-server (pid ${daemon.pid}): shut down, data kept in ${shown(this.#layout, this.#layout.redis)}`,
        );
      }
    } else {
      this.#redis?.disconnect();
    }
    this.#stopping = undefined;
    await this.#state.remove().catch(() => undefined);
  }

  async #stopDaemon(daemon: Daemon | undefined, graceMs: number): Promise<void> {
    if (daemon === undefined || !daemon.alive) return;
    this.#stopping = daemon;
    const { status, killed } = await daemon.stop(graceMs);
    this.#ctx.out.note(
      `  ${daemon.name} (pid ${daemon.pid}): ${killed ? `killed after ${graceMs / 1000} s` : stoppedText(status)}`,
    );
  }
}

function stoppedText(status: ExitStatus): string {
  // SIGTERM ends a daemon by default until it has set up its own handler: early in its start.
  return status.code === 0 || status.signal === 'SIGTERM' ? 'stopped' : `stopped (${describeExit(status)})`;
}
