/**
 * decodeSpec parses a plain stored spec once for the tasks that share it
 * (tasks submitted in one millisecond with the same type and options store
 * the same JSON): each task still gets its own fields with its own id, a
 * spec with lists or objects is parsed for every task (no task shares them
 * with another), and a damaged spec met after a good one is still refused.
 */
import test from 'ava';
import { CorruptTaskError } from '../../src/errors.js';
import { decodeSpec } from '../../src/task/codec.js';
import { DEFAULT_BACKOFF } from '../../src/task/validate.js';

test('tasks sharing a plain spec each get their own fields', (t) => {
  const json = '{"t":"noop","c":1765000000000,"p":5,"r":2}';
  const a = decodeSpec('a', 'q', json);
  const b = decodeSpec('b', 'q2', `${json}`);
  t.not(a, b);
  t.like(a, { id: 'a', queue: 'q', type: 'noop', priority: 5, maxRetries: 2, createdAt: 1765000000000 });
  t.like(b, { id: 'b', queue: 'q2', type: 'noop', priority: 5, maxRetries: 2, createdAt: 1765000000000 });
  t.is(a.backoff, DEFAULT_BACKOFF);
  t.not(a.dependsOn, b.dependsOn);
  t.deepEqual(b.dependsOn, []);
});

test('lists and objects of a spec are never shared between tasks', (t) => {
  const json =
    '{"t":"x","c":1,"p":5,"r":0,"b":{"type":"fixed","baseMs":5,"maxMs":5,"jitter":false},"dp":["p1"],"tr":{"traceparent":"00-1-2-01"}}';
  const a = decodeSpec('a', 'q', json);
  const b = decodeSpec('b', 'q', json);
  t.deepEqual(a.dependsOn, ['p1']);
  t.not(a.dependsOn, b.dependsOn);
  t.not(a.backoff, b.backoff);
  t.not(a.trace, b.trace);
});

test('a damaged spec after a good one is refused; the good one reads again after it', (t) => {
  const good = '{"t":"noop","c":5,"p":5,"r":0}';
  decodeSpec('a', 'q', good);
  t.throws(() => decodeSpec('b', 'q', '{"t":"noop","c":5,"p":11,"r":0}'), { instanceOf: CorruptTaskError });
  t.throws(() => decodeSpec('c', 'q', ''), { instanceOf: CorruptTaskError });
  t.throws(() => decodeSpec('d', 'q', undefined), { instanceOf: CorruptTaskError });
  t.like(decodeSpec('e', 'q', good), { id: 'e', type: 'noop', createdAt: 5 });
});
