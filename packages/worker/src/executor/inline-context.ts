import type { ClaimedTask } from '@dtps/core';
import type { HandlerContext } from '../handlers/types.js';
import type { AttemptHooks } from './executor.js';

/**
 * What an inline handler gets as `ctx`: one object per attempt whose parts
 * are made when the handler reads them (getters on the prototype, so that a
 * handler may still destructure `{ signal, progress }`). A no-op handler that
 * reads nothing costs one allocation, not five.
 */
export class InlineContext implements HandlerContext {
  readonly #task: ClaimedTask;
  readonly #attempt: number;
  readonly #abort: { readonly signal: AbortSignal };
  readonly #hooks: AttemptHooks;
  #info: HandlerContext['task'] | undefined;

  constructor(
    task: ClaimedTask,
    attempt: number,
    abort: { readonly signal: AbortSignal },
    hooks: AttemptHooks,
  ) {
    this.#task = task;
    this.#attempt = attempt;
    this.#abort = abort;
    this.#hooks = hooks;
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  get task(): HandlerContext['task'] {
    const t = this.#task;
    this.#info ??= {
      id: t.id,
      queue: t.queue,
      type: t.type,
      attempt: this.#attempt,
      priority: t.priority,
      maxRetries: t.maxRetries,
      deadline: t.deadline,
    };
    return this.#info;
  }

  get progress(): (percent: number) => void {
    return this.#hooks.progress;
  }

  get log(): (message: string) => void {
    return this.#hooks.log;
  }

  get parents(): Record<string, unknown> {
    return this.#hooks.parents;
  }
}
