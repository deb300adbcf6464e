import type { ClaimedTask } from '@dtps/core';
import type { HandlerMap } from '../handlers/types.js';
import type { AttemptHooks, Executor } from './executor.js';
import { InlineContext } from './inline-context.js';

/** Runs handlers in the worker's own event loop: the right choice for I/O-bound work. */
export class InlineExecutor implements Executor {
  readonly #handlers: HandlerMap;
  readonly types: readonly string[];

  constructor(handlers: HandlerMap) {
    this.#handlers = handlers;
    this.types = Object.keys(handlers).sort();
  }

  has(type: string): boolean {
    return Object.hasOwn(this.#handlers, type);
  }

  async run(
    task: ClaimedTask,
    attempt: number,
    abort: { readonly signal: AbortSignal },
    hooks: AttemptHooks,
  ): Promise<unknown> {
    const handler = this.#handlers[task.type]!;
    return handler(task.payload, new InlineContext(task, attempt, abort, hooks));
  }

  async close(): Promise<void> {}
}
