/**
 * telemetry.traceRateLimit's token bucket: a burst of one second's worth,
 * then as many a second as the limit, refilled continuously and never above
 * the burst.
 */
import test from 'ava';
import { TraceRateLimiter } from '../../src/telemetry/rate-limit.js';
import { attemptSampled, installSampling } from '../../src/telemetry/sampler.js';

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

test('a worker’s decision: the limit counts first attempts of tasks without trace context, nothing else', (t) => {
  const at = 1_000;
  installSampling({ share: 1, limiter: new TraceRateLimiter(1, at) });
  try {
    t.true(attemptSampled('task-a', null, 1, at), 'the one token');
    t.false(attemptSampled('task-b', null, 1, at), 'no token left: the stand-in trace is not started');
    // A later attempt still without a stored decision (its first worker died): by task id, as the coordinator decides.
    t.true(attemptSampled('task-b', null, 2, at));
    const carrier = (flags: string) => ({
      traceparent: `00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-${flags}`,
    });
    t.true(
      attemptSampled('task-c', carrier('01'), 1, at),
      'a stored decision is followed, whatever the limit',
    );
    t.false(attemptSampled('task-c', carrier('00'), 1, at));
  } finally {
    installSampling(undefined);
  }
  t.true(attemptSampled('task-d', null, 1, at), 'without dtps’s SDK, the application’s sampler decides');
});
