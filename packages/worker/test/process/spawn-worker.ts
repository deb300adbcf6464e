/**
 * Runs the built `dtps-worker` daemon as a real child process (see
 * DaemonProcess in @dtps/core/testing).
 */
import { fileURLToPath } from 'node:url';
import { type DaemonOptions, DaemonProcess } from '@dtps/core/testing';

export { RECORDING_HANDLERS, stopAll } from '@dtps/core/testing';

/** The compiled daemon: this file is dist/test/process/spawn-worker.js. */
export const WORKER_BIN = fileURLToPath(new URL('../../src/bin.js', import.meta.url));

/** A `dtps-worker` child process. */
export type WorkerProcess = DaemonProcess;

/** Spawns the daemon (flags in `args`); by default resolves once it has logged 'worker started'. */
export function startWorker(opts: DaemonOptions): Promise<WorkerProcess> {
  return DaemonProcess.spawn(
    { name: 'worker', bin: WORKER_BIN, idEnv: 'DTPS_WORKER_ID', startedMsg: 'worker started' },
    opts,
  );
}
