/**
 * Waiting for `dtps up`'s daemons to show they are up: the worker in the
 * registry, the monitor answering /healthz.
 */
import { hostname } from 'node:os';
import type { Client } from '@dtps/core';
import { shown, type UpLayout } from './paths.js';
import { type Daemon, pause } from './processes.js';

/** How long the daemons get to show they are up before `dtps up` says it cannot tell. */
const READY_TIMEOUT_MS = 20_000;

/** What {@link waitUntilReady} watches. */
export interface ReadyWatch {
  client: Client;
  worker: Daemon;
  coordinator: Daemon;
  monitorUrl: string;
  layout: UpLayout;
  /** Hears the worker's registry id as soon as it shows. */
  onRegistered: (id: string) => void;
  /** Ends the wait early (a stop was asked for). */
  signal: AbortSignal;
  note: (text: string) => void;
}

/**
 * Waits until the worker shows in the registry and the monitor answers
 * /healthz. Neither is fatal when late: a note says which did not show (a
 * daemon's death is the supervisor's to decide).
 */
export async function waitUntilReady(w: ReadyWatch): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let registered = false;
  let healthy = false;
  while (!(registered && healthy) && Date.now() < deadline && !w.signal.aborted) {
    if (!registered) {
      const list = await w.client.workers().catch(() => []);
      const id = list.find((x) => x.pid === w.worker.pid && x.host === hostname())?.id;
      if (id !== undefined) {
        registered = true;
        w.onRegistered(id);
      }
    }
    if (!healthy) {
      healthy = await fetch(`${w.monitorUrl}healthz`, { signal: AbortSignal.timeout(1000) })
        .then((r) => r.ok)
        .catch(() => false);
    }
    if (!(registered && healthy)) await pause(200, w.signal);
  }
  if (w.signal.aborted) return;
  const seconds = READY_TIMEOUT_MS / 1000;
  if (!registered)
    w.note(`the worker has not registered within ${seconds} s; see ${shown(w.layout, w.worker.logFile)}`);
  if (!healthy) {
    const log = shown(w.layout, w.coordinator.logFile);
    w.note(`the monitor did not answer ${w.monitorUrl}healthz within ${seconds} s; see ${log}`);
  }
}
