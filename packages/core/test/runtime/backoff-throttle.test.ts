/** The retry primitives every Redis loop uses: full-jitter backoff and the log throttle. */
import { Writable } from 'node:stream';
import test from 'ava';
import { Backoff, createLogger, LogThrottle } from '../../src/index.js';

function capturing(): { log: ReturnType<typeof createLogger>; msgs: string[] } {
  const msgs: string[] = [];
  const dest = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) msgs.push(JSON.parse(line).msg);
      cb();
    },
  });
  return { log: createLogger({ format: 'json', dest }), msgs };
}

test('backoff: full jitter under a doubling ceiling, capped, floored, reset by a success', (t) => {
  const top = new Backoff({ baseMs: 100, capMs: 1000, random: () => 0.999999 });
  t.deepEqual(
    Array.from({ length: 6 }, () => top.next()),
    [99, 199, 399, 799, 999, 999],
  );
  top.reset();
  t.is(top.failures, 0);
  t.is(top.next(), 99, 'a success starts again from the base');
  const low = new Backoff({ baseMs: 100, capMs: 1000, floorMs: 50, random: () => 0 });
  t.is(low.next(), 50, 'never under the floor');
  const real = new Backoff({ baseMs: 100, capMs: 800 });
  for (let i = 0; i < 200; i++) {
    const d = real.next();
    t.true(d >= 0 && d < 800);
  }
});

test('log throttle: the first occurrence at once, repeats summarised once per interval, a new error at once', async (t) => {
  const { log, msgs } = capturing();
  const throttle = new LogThrottle(log, 200);
  for (let i = 0; i < 1000; i++) throttle.warn({ err: 'OOM no memory' }, 'round failed');
  throttle.warn({ err: 'NOPERM no' }, 'round failed');
  t.deepEqual(msgs, ['round failed', 'round failed'], 'one line per distinct error');
  await new Promise((r) => setTimeout(r, 300));
  t.deepEqual(msgs.slice(2), ['round failed (repeated 999 times in 200 ms)']);
  // Still failing: one summary per interval, not a fresh first line.
  for (let i = 0; i < 5; i++) throttle.warn({ err: 'OOM no memory' }, 'round failed');
  t.is(msgs.length, 3);
  await new Promise((r) => setTimeout(r, 300));
  t.is(msgs.length, 4);
  t.regex(msgs[3]!, /repeated 5 times/);
  // Quiet for an interval: the next one is logged at once again.
  await new Promise((r) => setTimeout(r, 500));
  throttle.warn({ err: 'OOM no memory' }, 'round failed');
  t.is(msgs.at(-1), 'round failed');
  throttle.warn({ err: 'OOM no memory' }, 'round failed');
  throttle.flush();
  t.regex(msgs.at(-1)!, /repeated 1 times/, 'a stop flushes the count');
});
