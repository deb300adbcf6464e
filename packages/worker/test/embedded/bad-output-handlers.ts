/**
 * Handlers whose output cannot be stored, for the bad-output tests (inline,
 * and in pool threads, which import the compiled file by its file URL).
 */
import type { HandlerMap } from '../../src/index.js';

/** An object that refers to itself. */
function circular(): unknown {
  const o: Record<string, unknown> = { name: 'loop' };
  o.self = o;
  return o;
}

const handlers: HandlerMap = {
  okay: async (payload) => ({ ok: payload }),
  big: async () => ({ n: 10n }),
  circular: async () => circular(),
  badJson: async () => ({
    toJSON() {
      throw new Error('toJSON refuses');
    },
  }),
  fn: async () => () => 'a function',
  sym: async () => Symbol('s'),
  nothing: async () => undefined,
  huge: async () => 'x'.repeat(17 * 1024 * 1024),
  /** Passes a bad progress and logs what is not a string: returns the code of what progress threw. */
  hooks: async (_payload, ctx) => {
    ctx.log({ not: 'a string' } as unknown as string);
    ctx.log('y'.repeat(100_000));
    for (const bad of [Number.NaN, 101, -1, '50', 10n]) {
      try {
        ctx.progress(bad as number);
        return `progress(${String(bad)}) did not throw`;
      } catch (err) {
        if ((err as { code?: string }).code !== 'invalid_argument') return `progress threw ${String(err)}`;
      }
    }
    ctx.progress(40);
    return 'checked';
  },
  /** Throws something whose every property throws. */
  nastyThrow: async () => {
    throw new Proxy(
      {},
      {
        get() {
          throw new Error('no looking');
        },
        getPrototypeOf() {
          throw new Error('no prototype');
        },
      },
    );
  },
};

export default handlers;
