import type { Context, ContextManager } from '@opentelemetry/api';
import { api } from './tracing.js';

/**
 * A context manager that carries the active context through synchronous
 * calls only (`context.with(ctx, fn)`: active while `fn` runs, up to its first
 * await). dtps's own spans need no more: they pass their parents explicitly,
 * and a submit takes the active context before it awaits anything. The SDK's
 * default (AsyncLocalStorage) tracks every promise of the process, which
 * costs a busy worker more than its spans do; see docs/observability.md.
 */
export class SyncContextManager implements ContextManager {
  #current: Context | undefined;

  active(): Context {
    return this.#current ?? api().ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const previous = this.#current;
    this.#current = context;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.#current = previous;
    }
  }

  bind<T>(context: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const fn = target as unknown as (...args: unknown[]) => unknown;
    return ((...args: unknown[]) => this.with(context, () => fn(...args))) as unknown as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.#current = undefined;
    return this;
  }
}
