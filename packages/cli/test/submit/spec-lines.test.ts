import { Readable } from 'node:stream';
import { DtpsError } from '@dtps/core';
import test from 'ava';
import { lineError, readSpecLines } from '../../src/submit/spec-lines.js';

const read = (text: string, defaults = {}) => readSpecLines(Readable.from([text]), defaults);

test('one spec a line; blank lines skipped but counted; aliases and defaults applied', async (t) => {
  const lines = await read('{"type":"a","retries":2}\n\n  \n{"timeout":5,"delay":7,"dependsOn":"x, y"}\r\n', {
    priority: 4,
  });
  t.deepEqual(
    lines.map((l) => [l.line, l.spec]),
    [
      [1, { type: 'a', priority: 4, maxRetries: 2 }],
      [4, { type: 'noop', priority: 4, timeoutMs: 5, delayMs: 7, dependsOn: ['x', 'y'] }],
    ],
  );
  t.deepEqual([...lines[0]!.aliases], [['maxRetries', 'retries']]);
});

test('a line that is not a JSON object names its line', async (t) => {
  await t.throwsAsync(read('{"type":"a"}\n"text"\n'), {
    message: /^line 2: a task spec must be a JSON object/,
  });
  await t.throwsAsync(read('{"type":"a"}\n{oops}\n'), { message: /^line 2: not valid JSON/ });
});

test('lineError speaks the alias the line used', (t) => {
  const err = lineError(
    3,
    new DtpsError('invalid_argument', 'maxRetries: must be an integer from 0 to 100, got 200', {
      field: 'maxRetries',
    }),
    new Map([['maxRetries', 'retries']]),
  );
  t.is(err.message, 'line 3: retries: must be an integer from 0 to 100, got 200');
  t.is(err.field, 'retries');
  t.is((err as DtpsError & { line: number }).line, 3);
});
