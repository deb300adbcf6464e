/**
 * Watches the parts of `dtps up` and the signals it gets, and decides: an
 * exit or a signal either asks for the stop (once, with its reason) or, for
 * a worker that an operator drained, is only reported. What is started
 * reports here; nothing here starts or stops a part, except that a repeated
 * Ctrl-C hurries the one being stopped.
 */
import { PROGRAMS } from './paths.js';
import type { Daemon, ExitStatus, Foreground } from './processes.js';

/** Why a `dtps up` stops. */
export type StopReason =
  | { kind: 'signal'; signal: NodeJS.Signals }
  | { kind: 'console'; status: ExitStatus }
  | { kind: 'died'; daemon: Daemon; status: ExitStatus };

/** A worker that exited 0 while up ran on: drained or stopped by an operator. */
export interface WorkerLeft {
  pid: number | undefined;
  /** Its id in the registry; undefined when it left before registering. */
  id: string | undefined;
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Signals this soon after the first are the same Ctrl-C delivered twice. */
const DUPLICATE_SIGNAL_MS = 1000;

export class Supervisor {
  readonly #stop = new AbortController();
  readonly #onWorkerLeft: (left: WorkerLeft) => void;
  #reason: StopReason | undefined;
  /** Set once the stop sequence runs: exits from then on are its own doing. */
  #stopping = false;
  /** The part the stop sequence waits for now: a second Ctrl-C hurries it. */
  #current: Daemon | undefined;
  #signals = 0;
  #firstSignalAt: number | undefined;
  #workerId: string | undefined;

  constructor(onWorkerLeft: (left: WorkerLeft) => void) {
    this.#onWorkerLeft = onWorkerLeft;
  }

  /** Aborted once a stop is asked for (by a signal, an exit, or the stop sequence itself). */
  get signal(): AbortSignal {
    return this.#stop.signal;
  }

  /** Why the run stops; undefined while it runs, and when it ended by finishing or failing its start. */
  get reason(): StopReason | undefined {
    return this.#reason;
  }

  /** Listens for Ctrl-C, SIGTERM and SIGHUP; returns what stops listening. */
  listen(): () => void {
    const onSignal = (signal: NodeJS.Signals) => this.#onSignal(signal);
    for (const s of SIGNALS) process.on(s, onSignal);
    return () => {
      for (const s of SIGNALS) process.off(s, onSignal);
    };
  }

  /**
   * A daemon that exits before the stop is a reason to stop everything,
   * except the worker exiting 0: it was drained (`dtps drain`) or stopped
   * (SIGTERM) by an operator, an act rather than a crash, and the rest
   * keeps serving (another worker may join, `dtps submit` still queues).
   */
  watch(daemon: Daemon): void {
    void daemon.exited.then((status) => {
      if (this.#stopping) return;
      if (daemon.name === PROGRAMS.worker.bin && status.code === 0)
        this.#onWorkerLeft({ pid: daemon.pid, id: this.#workerId });
      else this.#requestStop({ kind: 'died', daemon, status });
    });
  }

  /** The console quitting (`q`), or dying, stops everything. */
  watchConsole(console: Foreground): void {
    void console.exited.then((status) => {
      if (!this.#stopping) this.#requestStop({ kind: 'console', status });
    });
  }

  /** The worker's id in the registry, once it has registered: named when it leaves. */
  workerRegistered(id: string): void {
    this.#workerId = id;
  }

  /** The stop sequence begins: no exit is a decision any more. */
  beginStop(): void {
    this.#stopping = true;
    this.#stop.abort();
  }

  /** The part the stop sequence waits for now (undefined: none a signal could hurry). */
  waitingFor(daemon: Daemon | undefined): void {
    this.#current = daemon;
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
    this.#current?.signal(this.#signals === 2 ? 'SIGTERM' : 'SIGKILL');
  }
}
