/**
 * telemetry.traceRateLimit's token bucket: a burst of one second's worth,
 * then as many a second as the limit, refilled continuously and never above
 * the burst.
 */
import test from 'ava';
import { TraceRateLimiter } from '../../src/telemetry/rate-limit.js';

/** How many of `n` takes at time `at` the limiter allows. */
function allowed(limiter: TraceRateLimiter, n: number, at: number): number {
  let yes = 0;
  for (let i = 0; i < n; i++) if (limiter.take(at)) yes++;
  return yes;
}

test('a burst of one second’s worth, then nothing until time passes', (t) => {
  const limiter = new TraceRateLimiter(100, 0);
  t.is(allowed(limiter, 150, 0), 100);
  t.is(allowed(limiter, 10, 0), 0);
});

test('refills at the limit’s rate, continuously', (t) => {
  const limiter = new TraceRateLimiter(100, 0);
  allowed(limiter, 100, 0);
  t.is(allowed(limiter, 10, 50), 5, '50 ms: five traces');
  t.is(allowed(limiter, 10, 60), 1, '10 ms more: one');
  t.is(allowed(limiter, 1000, 1060), 100, 'a second idle: the burst again');
});

test('never holds more than the burst, however long it idles', (t) => {
  const limiter = new TraceRateLimiter(10, 0);
  t.is(allowed(limiter, 100, 3_600_000), 10);
});

test('a limit under one a second still lets a trace through now and then', (t) => {
  const limiter = new TraceRateLimiter(0.5, 0);
  t.is(allowed(limiter, 5, 0), 1);
  t.is(allowed(limiter, 5, 1000), 0);
  t.is(allowed(limiter, 5, 2000), 1);
});

test('a clock that steps back takes nothing away', (t) => {
  const limiter = new TraceRateLimiter(100, 1000);
  allowed(limiter, 100, 1000);
  t.is(allowed(limiter, 10, 900), 0);
  t.is(allowed(limiter, 10, 1010), 1);
});
