/**
 * fast-check arbitraries for fuzz tests: JS values a handler might return,
 * good and bad. fast-check is given by the caller (a test's devDependency),
 * so that this module imports nothing at run time.
 */
import type fcModule from 'fast-check';
import type { Arbitrary } from 'fast-check';

/**
 * `handlerOutput`: anything a handler might return — JSON, odd JS values (Maps,
 * Dates, sparse arrays…) and nasty ones (BigInts, cycles, functions, symbols,
 * throwing getters and toJSON), nested too; `nastyValue`: only the nasty ones.
 */
export function handlerOutputs(fc: typeof fcModule): {
  handlerOutput: Arbitrary<unknown>;
  nastyValue: Arbitrary<unknown>;
} {
  /** An object that refers to itself, holding `v`. */
  function cyclic(v: unknown): unknown {
    const o: Record<string, unknown> = { v };
    o.self = o;
    return o;
  }

  /** Values JSON cannot hold, or whose encoding throws. */
  const nastyValue: Arbitrary<unknown> = fc.oneof(
    fc.bigInt().map((n) => ({ n })),
    fc.bigInt(),
    fc.constant(() => 'a function'),
    fc.string().map((d) => Symbol(d)),
    fc.jsonValue().map(cyclic),
    fc.string().map((m) => ({
      toJSON() {
        throw new Error(m);
      },
      [fc.toStringMethod]: () => `{toJSON() { throw ${JSON.stringify(m)} }}`,
    })),
    fc.string().map((m) =>
      Object.defineProperty({ [fc.toStringMethod]: () => `{get x() { throw ${JSON.stringify(m)} }}` }, 'x', {
        enumerable: true,
        get() {
          throw new TypeError(m);
        },
      }),
    ),
    fc.constant({ toJSON: () => undefined }),
  );

  /** Anything a handler might return: JSON, odd JS values (Maps, Dates, sparse arrays…), and nasty ones, nested too. */
  const handlerOutput: Arbitrary<unknown> = fc.oneof(
    { arbitrary: fc.jsonValue(), weight: 3 },
    {
      arbitrary: fc.anything({
        withBigInt: true,
        withBoxedValues: true,
        withDate: true,
        withMap: true,
        withSet: true,
        withNullPrototype: true,
        withSparseArray: true,
        withTypedArray: true,
        withUnicodeString: true,
      }),
      weight: 3,
    },
    { arbitrary: nastyValue, weight: 2 },
    { arbitrary: fc.tuple(fc.jsonValue(), nastyValue).map(([a, b]) => ({ a, deep: [b] })), weight: 1 },
  );
  return { handlerOutput, nastyValue };
}

/** What storing `v` must do: the JSON it reads back as, or 'refused'. The oracle is JSON.stringify itself. */
export function expectedStorage(v: unknown, maxBytes: number): { json: string } | 'refused' {
  if (v === undefined) return { json: 'null' };
  if (typeof v === 'function' || typeof v === 'symbol') return 'refused';
  let json: string | undefined;
  try {
    json = JSON.stringify(v);
  } catch {
    return 'refused';
  }
  if (json === undefined || Buffer.byteLength(json) > maxBytes) return 'refused';
  return { json };
}
