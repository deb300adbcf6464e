/**
 * Runs inside a pool thread (Piscina): loads the handler module once per
 * thread and calls one handler per task. Progress and log lines go back over
 * the task's MessagePort. An abort terminates the thread, so the handler's
 * signal here never needs to fire.
 */
import type { MessagePort } from 'node:worker_threads';
import {
  checkProgress,
  encodeResult,
  errorText,
  isPermanent,
  logLine,
  retryAfterOf,
} from '@dtps/core/output';
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
  /** A RateLimitedError's wait, or null. */
  retryAfterMs?: number | null;
  /** Set when the handler's result could not be encoded (the message says why). */
  reason?: 'unencodable_result';
}

/** What a thread returns: the handler's result, encoded here (one string crosses threads, not an object graph). */
export interface ThreadResult {
  dtpsJson: string;
}

let handlers: Promise<HandlerMap> | undefined;

export default async function runInThread(t: ThreadTask | { warmup: true }): Promise<ThreadResult | null> {
  handlers ??= import((workerData as { handlersModule: string }).handlersModule).then(
    (m) => (m.default ?? m) as HandlerMap,
  );
  const map = await handlers;
  // A warm-up only loads the module, so that the first task's timeout does not pay for it.
  if ('warmup' in t) return null;
  const never = new AbortController();
  let result: unknown;
  try {
    result = await map[t.type]!(t.payload, {
      signal: never.signal,
      task: t.task,
      parents: t.parents,
      // Checked here, where the handler calls it: a bad value throws back to the handler,
      // and only plain numbers and strings cross to the worker's thread.
      progress: (percent) => t.port.postMessage({ progress: checkProgress(percent) }),
      log: (message) => t.port.postMessage({ log: logLine(message) }),
    });
  } catch (err) {
    const thrown: ThreadError = {
      dtpsThreadError: true,
      message: errorText(err),
      permanent: isPermanent(err),
      retryAfterMs: retryAfterOf(err),
    };
    throw thrown;
  } finally {
    t.port.close();
  }
  try {
    return { dtpsJson: encodeResult(result) };
  } catch (err) {
    const thrown: ThreadError = {
      dtpsThreadError: true,
      message: errorText(err),
      permanent: true,
      reason: 'unencodable_result',
    };
    throw thrown;
  }
}
