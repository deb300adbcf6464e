/**
 * Fuzzing of what handlers hand back and of the decoders of stored data:
 * encodeResult refuses with UnencodableValueError only, and what it accepts
 * reads back as JSON.stringify would have it; errorText, logLine, decodeTask
 * and decodeTaskRows never throw, whatever they are given.
 */
import test from 'ava';
import fc from 'fast-check';
import {
  checkProgress,
  DtpsError,
  decodeInboxMessage,
  encodeResult,
  errorText,
  LOG_LINE_MAX_CHARS,
  logLine,
  RESULT_MAX_BYTES,
  UnencodableValueError,
  ValidationError,
} from '../../src/index.js';
import { decodeTask } from '../../src/task/codec.js';
import { expectedStorage, handlerOutputs } from '../../src/testing/index.js';

const { handlerOutput } = handlerOutputs(fc);

test('encodeResult: stores what JSON can hold, refuses the rest with unencodable_result, never anything else', (t) => {
  fc.assert(
    fc.property(handlerOutput, (v) => {
      const expected = expectedStorage(v, RESULT_MAX_BYTES);
      let got: { json: string } | 'refused';
      try {
        got = { json: encodeResult(v) };
      } catch (err) {
        if (!(err instanceof UnencodableValueError)) throw err;
        if (err.code !== 'unencodable_result' || err.field !== 'result') throw err;
        got = 'refused';
      }
      if (got === 'refused' || expected === 'refused') return got === expected;
      return got.json === expected.json && JSON.stringify(JSON.parse(got.json)) === got.json;
    }),
    { numRuns: 2000 },
  );
  t.pass();
});

test('encodeResult refuses more than the byte limit', (t) => {
  const err = t.throws(() => encodeResult('é'.repeat(60), 100), { instanceOf: UnencodableValueError });
  t.regex(err!.message, /is 122 bytes of JSON; the limit is 100/);
});

test('errorText and logLine never throw and stay bounded, whatever was thrown or logged', (t) => {
  fc.assert(
    fc.property(handlerOutput, (v) => {
      const a = errorText(v);
      const b = logLine(v);
      return typeof a === 'string' && typeof b === 'string' && b.length <= LOG_LINE_MAX_CHARS + 40;
    }),
    { numRuns: 1000 },
  );
  const hostile = new Proxy(
    {},
    {
      get() {
        throw new Error('no');
      },
      getPrototypeOf() {
        throw new Error('no');
      },
    },
  );
  t.is(typeof errorText(hostile), 'string');
  t.is(typeof logLine(hostile), 'string');
});

test('checkProgress: a number from 0 to 100, else a ValidationError on `progress`', (t) => {
  fc.assert(
    fc.property(handlerOutput, fc.double(), (v, d) => {
      for (const x of [v, d]) {
        try {
          const n = checkProgress(x);
          if (!(typeof x === 'number' && x >= 0 && x <= 100 && n === Math.round(x))) return false;
        } catch (err) {
          if (!(err instanceof ValidationError) || err.field !== 'progress') return false;
        }
      }
      return true;
    }),
    { numRuns: 1000 },
  );
  t.pass();
});

/** Stored-looking strings: JSON, near-JSON and garbage. */
const storedString = fc.oneof(
  fc.string(),
  fc.json(),
  fc.constant(''),
  fc.integer().map(String),
  fc.constant('{"t":'),
);
const FIELDS = ['d', 'pl', 's', 'a', 'r', 'e', 'eh', 'rs', 'w', 'pg', 'st', 'ft'] as const;

test('decodeTask never throws on a damaged hash; what it could not read is named in `unreadable`', (t) => {
  fc.assert(
    fc.property(fc.dictionary(fc.constantFrom(...FIELDS), storedString), (fields) => {
      const task = decodeTask('id1', 'q', fields);
      if (task.unreadable !== undefined) {
        return typeof task.unreadable.field === 'string' && task.unreadable.reason.length > 0;
      }
      return typeof task.type === 'string';
    }),
    { numRuns: 2000 },
  );
  t.pass();
});

test('decodeInboxMessage never throws: a task it cannot decode comes back marked corrupt', (t) => {
  fc.assert(
    fc.property(fc.array(storedString, { maxLength: 30 }), (parts) => {
      for (const task of decodeInboxMessage('q', parts.join('\n'))) {
        if (task.corrupt !== undefined && task.corrupt.length === 0) return false;
      }
      return true;
    }),
    { numRuns: 2000 },
  );
  t.true(DtpsError !== undefined);
});
