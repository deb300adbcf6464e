/**
 * Runs inside a pool thread (Piscina): loads the handler module once per
 * thread and calls one handler per task. Progress and log lines go back over
 * the task's MessagePort. An abort terminates the thread, so the handler's
 * signal here never needs to fire.
 */
import type { MessagePort } from 'node:worker_threads';
import { workerData } from 'piscina';
import type { HandlerMap } from '../handlers/types.js';

export interface ThreadTask {
  type: string;
  payload: unknown;
  task: {
    id: string;
    queue: string;
    type: string;
    attempt: number;
    priority: number;
    maxRetries: number;
    deadline: number | null;
  };
  parents: Record<string, unknown>;
  port: MessagePort;
}

/** What a thread throws: errors are cloned across threads, so the permanent flag travels as data. */
export interface ThreadError {
  dtpsThreadError: true;
  message: string;
  permanent: boolean;
}

let handlers: Promise<HandlerMap> | undefined;

export default async function runInThread(t: ThreadTask | { warmup: true }): Promise<unknown> {
  handlers ??= import((workerData as { handlersModule: string }).handlersModule).then(
    (m) => (m.default ?? m) as HandlerMap,
  );
  const map = await handlers;
  // A warm-up only loads the module, so that the first task's timeout does not pay for it.
  if ('warmup' in t) return null;
  const never = new AbortController();
  try {
    return await map[t.type]!(t.payload, {
      signal: never.signal,
      task: t.task,
      parents: t.parents,
      progress: (percent) => t.port.postMessage({ progress: percent }),
      log: (message) => t.port.postMessage({ log: message }),
    });
  } catch (err) {
    const thrown: ThreadError = {
      dtpsThreadError: true,
      message: err instanceof Error ? err.message : String(err),
      permanent:
        (err as { permanent?: unknown })?.permanent === true || (err as Error)?.name === 'PermanentError',
    };
    throw thrown;
  } finally {
    t.port.close();
  }
}
