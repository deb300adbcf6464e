/**
 * One run of `dtps up`: starts Redis (when none answers), a coordinator with
 * the monitor, a worker and the console (or status lines), waits for Ctrl-C,
 * the console's `q` or a daemon's death, and stops everything in order.
 *
 * The parts, and which file holds each: the start of the daemons and Redis
 * (start.ts, with redis-part.ts and daemons.ts), what runs in front of them
 * (front.ts), the watch over exits and signals that decides when to stop
 * (supervisor.ts), and the stop sequence (stop.ts). This file only wires
 * them, and says how the run ended. Nothing is left running, whichever way
 * the run ends, short of `dtps up` being SIGKILLed (then the next `dtps up`
 * here cleans up: see leftovers.ts).
 */
import type { CommandContext } from '../context.js';
import { reportOf } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { DemoRun, printStatus, startConsole } from './front.js';
import { layoutOf, missingProgram, PROGRAMS, shown, type UpLayout } from './paths.js';
import { describeExit, indent, tailFile, UpFailure } from './processes.js';
import { type ReadySummary, readyEvent, readyText } from './ready.js';
import { type Running, type StartedSoFar, startParts, type UpOptions } from './start.js';
import { type FrontParts, stopEverything } from './stop.js';
import { type StopReason, Supervisor, type WorkerLeft } from './supervisor.js';

export type { UpOptions } from './start.js';

export class UpSession {
  readonly #ctx: CommandContext;
  readonly #opts: UpOptions;
  readonly #layout: UpLayout;
  /** Why the console cannot run, when it was asked for and is not built. */
  readonly #consoleMissing: string | undefined;
  /** Whether the console runs in front (asked for, and there). */
  readonly #console: boolean;

  constructor(ctx: CommandContext, opts: UpOptions) {
    this.#ctx = ctx;
    this.#opts = opts;
    this.#layout = layoutOf(ctx.environment.cwd);
    this.#consoleMissing = opts.console ? missingProgram('console') : undefined;
    this.#console = opts.console && this.#consoleMissing === undefined;
  }

  async run(): Promise<ExitCode> {
    const supervisor = new Supervisor((left) => this.#workerLeft(left));
    const stopListening = supervisor.listen();
    const started: StartedSoFar = {};
    const front: FrontParts = {};
    // Said as they come, and repeated in the ready summary.
    const notes: string[] = [];
    const note = (text: string) => {
      notes.push(text);
      this.#ctx.out.note(text);
    };
    let code: ExitCode;
    try {
      let failure: unknown;
      try {
        const running = await startParts(
          {
            ctx: this.#ctx,
            opts: this.#opts,
            layout: this.#layout,
            supervisor,
            consoleMissing: this.#consoleMissing,
            note,
          },
          started,
        );
        if (running !== undefined) await this.#serve(running, supervisor, front, notes);
      } catch (err) {
        failure = err;
      }
      code = await stopEverything({
        started,
        front,
        supervisor,
        out: this.#ctx.out,
        layout: this.#layout,
        report: () => this.#outcome(supervisor.reason, failure, started),
      });
    } finally {
      stopListening();
    }
    if (started.redis !== undefined)
      this.#ctx.out.result({ event: 'stopped', exit: code }, () => 'all stopped');
    return code;
  }

  /** Says where everything is, starts what runs in front, and waits for the stop. */
  async #serve(
    running: Running,
    supervisor: Supervisor,
    front: FrontParts,
    notes: readonly string[],
  ): Promise<void> {
    this.#printReady(running, notes);
    const { config, client, launch } = running;
    if (this.#opts.demo) front.demo = DemoRun.start(client, config.queue, this.#layout.logs);
    if (!this.#console) return printStatus(client, this.#ctx.out, supervisor.signal);
    front.console = startConsole(launch, running.redis.url, config.prefix, config.queue);
    supervisor.watchConsole(front.console);
    const stopped = supervisor.signal;
    if (!stopped.aborted)
      await new Promise((resolve) => stopped.addEventListener('abort', resolve, { once: true }));
  }

  #printReady(running: Running, notes: readonly string[]): void {
    const local = running.redis.local;
    const summary: ReadySummary = {
      layout: this.#layout,
      url: running.redis.url,
      monitorUrl: running.monitorUrl,
      coordinator: running.coordinator,
      worker: running.worker,
      demo: this.#opts.demo,
      console: this.#console,
      notes,
      ...(local === undefined ? {} : { local: local.daemon }),
    };
    this.#ctx.out.result(readyEvent(summary), () => readyText(summary));
  }

  /** A worker drained while up runs on. The console owns the screen, and shows the worker gone by itself. */
  #workerLeft(left: WorkerLeft): void {
    if (this.#console) return;
    const text = `worker ${left.id ?? '(unregistered)'} (pid ${left.pid}) drained and exited; the rest keeps running`;
    this.#ctx.out.result(
      { event: 'worker_exited', worker: left.id ?? null, pid: left.pid, code: 0 },
      () => text,
    );
  }

  /** Says why the run ends (for a death: with the log's tail; for a failed start: the error) and gives the exit code. */
  async #outcome(reason: StopReason | undefined, failure: unknown, started: StartedSoFar): Promise<ExitCode> {
    if (reason === undefined) {
      if (failure === undefined) return ExitCode.ok;
      const report =
        failure instanceof UpFailure
          ? { code: failure.code, message: failure.message, exit: failure.exit }
          : reportOf(failure, started.redis?.url ?? started.config?.redis.url);
      this.#ctx.out.error(report);
      return report.exit;
    }
    if (reason.kind === 'signal') return ExitCode.ok;
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
}
