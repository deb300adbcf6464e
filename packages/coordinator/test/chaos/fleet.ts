/**
 * The processes of a chaos run: three `dtps-worker` and two
 * `dtps-coordinator` daemons (real child processes, their bins as an
 * operator runs them) with short heartbeats and timeouts, each slot
 * restarted under a new id (an incarnation: `w2.3` is worker slot 2's third
 * process) after the driver kills it.
 */
import { fileURLToPath } from 'node:url';
import { DaemonProcess } from '@dtps/core/testing';
import { spawnWorker } from '../e2e/daemon.js';

/** This file is packages/coordinator/dist/test/chaos/fleet.js. */
const COORDINATOR_BIN = fileURLToPath(new URL('../../../bin/dtps-coordinator.js', import.meta.url));
const WORKER_BIN = fileURLToPath(new URL('../../../../worker/bin/dtps-worker.js', import.meta.url));
const HANDLERS = fileURLToPath(new URL('./handlers.js', import.meta.url));

/** Timing and sizes of the fleet. */
export interface FleetSettings {
  redisUrl: string;
  recorderUrl: string;
  prefix: string;
  /** Worker heartbeat period, ms. */
  heartbeatMs: number;
  /** Silence after which the leader declares a worker dead, ms. */
  heartbeatTimeoutMs: number;
  /** Leader lease, ms. */
  leaseMs: number;
  /** Slots per worker (fixed pool). */
  slots: number;
  /** Length cap of the event streams: large enough to keep every transition of the run. */
  eventsMaxLen: number;
}

export const WORKER_SLOTS = 3;
export const COORDINATOR_SLOTS = 2;

/**
 * Keeps every terminal task for the whole run: retention is enforced where a
 * task ends (worker) and by the janitor (leader), by default past 10,000
 * succeeded tasks, which would delete what the checks read.
 */
const KEEP_ALL = {
  DTPS_RETENTION_SUCCEEDED_MAX: '10000000',
  DTPS_RETENTION_FAILED_MAX: '10000000',
  DTPS_RETENTION_EXPIRED_MAX: '10000000',
  DTPS_RETENTION_CANCELLED_MAX: '10000000',
};

export class Fleet {
  /** The current process of each worker slot. */
  readonly workers: DaemonProcess[] = [];
  /** The current process of each coordinator slot. */
  readonly coordinators: DaemonProcess[] = [];
  /** Every process started, in order (for cleanup and for the crash check). */
  readonly all: DaemonProcess[] = [];
  readonly #generation = new Map<string, number>();

  constructor(readonly settings: FleetSettings) {}

  /** Starts every worker and coordinator; resolves once each has logged its start. */
  async start(): Promise<void> {
    for (let i = 0; i < COORDINATOR_SLOTS; i++) await this.startCoordinator(i);
    await Promise.all(Array.from({ length: WORKER_SLOTS }, (_, i) => this.startWorker(i)));
  }

  /** Starts a new incarnation of worker slot `i` (the old one must be gone). */
  async startWorker(i: number): Promise<DaemonProcess> {
    const s = this.settings;
    const d = await spawnWorker({
      bin: WORKER_BIN,
      handlers: HANDLERS,
      redisUrl: s.redisUrl,
      prefix: s.prefix,
      id: this.#nextId(`w${i + 1}`),
      slots: s.slots,
      heartbeatMs: s.heartbeatMs,
      // The last worker steals, so stealing meets the faults too.
      args: i === WORKER_SLOTS - 1 ? ['--steal'] : [],
      env: {
        DTPS_EVENTS_MAX_LEN: String(s.eventsMaxLen),
        DTPS_CHAOS_RECORDER_URL: s.recorderUrl,
        ...KEEP_ALL,
      },
      startTimeoutMs: 60_000,
    });
    this.workers[i] = d;
    this.all.push(d);
    return d;
  }

  /** Starts a new incarnation of coordinator slot `i`. */
  async startCoordinator(i: number): Promise<DaemonProcess> {
    const s = this.settings;
    const d = await DaemonProcess.spawn(
      {
        name: 'coordinator',
        bin: COORDINATOR_BIN,
        idEnv: 'DTPS_COORDINATOR_ID',
        startedMsg: 'coordinator started',
      },
      {
        redisUrl: s.redisUrl,
        prefix: s.prefix,
        id: this.#nextId(`c${i + 1}`),
        env: {
          DTPS_COORDINATOR_LEASE_MS: String(s.leaseMs),
          DTPS_COORDINATOR_HEARTBEAT_TIMEOUT_MS: String(s.heartbeatTimeoutMs),
          DTPS_COORDINATOR_SWEEP_INTERVAL_MS: '100',
          DTPS_EVENTS_MAX_LEN: String(s.eventsMaxLen),
          ...KEEP_ALL,
        },
        startTimeoutMs: 60_000,
      },
    );
    this.coordinators[i] = d;
    this.all.push(d);
    return d;
  }

  /** The slot of the coordinator process whose id is `id`, or -1. */
  coordinatorSlot(id: string): number {
    return this.coordinators.findIndex((c) => c.id === id && c.alive);
  }

  /** Processes that exited although the driver did not kill them (a crash is a finding). */
  crashed(killed: ReadonlySet<string>): DaemonProcess[] {
    return this.all.filter((d) => !d.alive && !killed.has(d.id));
  }

  /** SIGCONT then SIGKILL every process still running. */
  async stop(): Promise<void> {
    await Promise.all(this.all.map((d) => d.stop()));
  }

  #nextId(slot: string): string {
    const n = (this.#generation.get(slot) ?? 0) + 1;
    this.#generation.set(slot, n);
    return `${slot}.${n}`;
  }
}
