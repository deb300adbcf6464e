/**
 * Runs the built daemons (`dtps-coordinator`, `dtps-worker`) as real child
 * processes (see DaemonProcess in @dtps/core/testing), with fast settings
 * for tests.
 */
import { fileURLToPath } from 'node:url';
import { type DaemonOptions, DaemonProcess, RECORDING_HANDLERS } from '@dtps/core/testing';

export { type LogLine, stopAll } from '@dtps/core/testing';

/** The compiled coordinator daemon: this file is packages/coordinator/dist/test/e2e/daemon.js. */
export const COORDINATOR_BIN = fileURLToPath(new URL('../../src/bin.js', import.meta.url));

/** The compiled worker daemon, in the sibling package. */
export const WORKER_BIN = fileURLToPath(new URL('../../../../worker/dist/src/bin.js', import.meta.url));

/** The worker's demo handlers (`flaky` fails its first attempts, `echo` returns its payload). */
export const DEMO_HANDLERS = fileURLToPath(
  new URL('../../../../worker/dist/src/handlers/demo.js', import.meta.url),
);

/** A daemon child process. */
export type Daemon = DaemonProcess;
type SpawnOptions = DaemonOptions;

/** Fast settings of a worker for tests: 200 ms heartbeats, a fixed pool (no autoscaling surprises). */
export interface WorkerSpawnOptions extends SpawnOptions {
  /** Pool size (min = size); default 4. */
  slots?: number;
  /** Largest pool an operator may scale to (default `slots`: a fixed pool). */
  max?: number;
  /** Heartbeat period, ms (default 200). */
  heartbeatMs?: number;
  /** The handler module (default the recording handlers). */
  handlers?: string;
  /** The bin to run (default the compiled entry, {@link WORKER_BIN}). */
  bin?: string;
}

/** Starts `dtps-worker`, by default with the recording handlers; resolves once it has logged 'worker started'. */
export function spawnWorker(opts: WorkerSpawnOptions): Promise<Daemon> {
  const slots = String(opts.slots ?? 4);
  return DaemonProcess.spawn(
    { name: 'worker', bin: opts.bin ?? WORKER_BIN, idEnv: 'DTPS_WORKER_ID', startedMsg: 'worker started' },
    {
      ...opts,
      args: [
        '--handlers',
        opts.handlers ?? RECORDING_HANDLERS,
        '--workers',
        slots,
        '--min',
        slots,
        '--max',
        String(opts.max ?? slots),
        ...(opts.args ?? []),
      ],
      env: { DTPS_WORKER_HEARTBEAT_MS: String(opts.heartbeatMs ?? 200), ...opts.env },
    },
  );
}

/** Fast settings of a coordinator for tests. */
export interface CoordinatorSpawnOptions extends SpawnOptions {
  /** Leader lease, ms (default 5000, the daemon's default). */
  leaseMs?: number;
  /** Worker heartbeat timeout, ms (default 1500). */
  heartbeatTimeoutMs?: number;
  /** Sweep interval, ms (default 200). */
  sweepIntervalMs?: number;
}

/**
 * Starts `dtps-coordinator` (never with --monitor here); resolves once it
 * has logged 'coordinator started'.
 */
export function spawnCoordinator(opts: CoordinatorSpawnOptions): Promise<Daemon> {
  return DaemonProcess.spawn(
    {
      name: 'coordinator',
      bin: COORDINATOR_BIN,
      idEnv: 'DTPS_COORDINATOR_ID',
      startedMsg: 'coordinator started',
    },
    {
      ...opts,
      env: {
        DTPS_COORDINATOR_LEASE_MS: String(opts.leaseMs ?? 5000),
        DTPS_COORDINATOR_HEARTBEAT_TIMEOUT_MS: String(opts.heartbeatTimeoutMs ?? 1500),
        DTPS_COORDINATOR_SWEEP_INTERVAL_MS: String(opts.sweepIntervalMs ?? 200),
        ...opts.env,
      },
    },
  );
}
