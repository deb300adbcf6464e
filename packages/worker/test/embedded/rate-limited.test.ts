/**
 * A handler that meets a rate limit outside dtps says so with RateLimitedError: the task goes
 * back to wait the time asked and runs again, and the attempt does not count against its
 * retries (a task with no retries left still gets its next attempt). Past its deadline the
 * wait ends the task `expired`.
 */
import { RateLimitedError } from '@dtps/core';
import { useRedisServer } from '@dtps/core/testing';
import test from 'ava';
import { embed } from './harness.js';

const redis = useRedisServer(test);

test.serial(
  'RateLimitedError puts the task back for the time asked, without burning an attempt',
  async (t) => {
    const calls: number[] = [];
    const e = await embed(t, redis.server, {
      handlers: {
        api: async (_p, ctx) => {
          calls.push(Date.now());
          if (calls.length <= 2) throw new RateLimitedError(150);
          return { attempt: ctx.task.attempt };
        },
      },
    });
    // No retries at all: only attempts that are not rate-limited count.
    const { id } = await e.client.submit({ type: 'api', maxRetries: 0 });
    const task = await e.client.wait(id, { timeoutMs: 15_000 });
    t.is(task.state, 'succeeded');
    t.is(calls.length, 3, 'two rate-limited attempts, then the one that ran');
    t.deepEqual(task.result, { attempt: 1 }, 'the successful run is the first counted attempt');
    t.is(task.errors.length, 0, 'a rate-limited attempt is not an error');
    t.true(calls[1]! - calls[0]! >= 140, `waited as asked: ${calls[1]! - calls[0]!} ms`);
    const events = (await e.redis.xrange(e.client.ctx.keys('default').events, '-', '+')) as [
      string,
      string[],
    ][];
    const reasons = events.map(([, f]) => f.join(' ')).filter((f) => f.includes('rate_limited'));
    t.is(reasons.length, 2, 'each wait is in the event stream, reason rate_limited');
  },
);

test.serial('a wait that would pass the deadline ends the task expired', async (t) => {
  const e = await embed(t, redis.server, {
    handlers: {
      api: async () => {
        throw new RateLimitedError(60_000);
      },
    },
  });
  const { id } = await e.client.submit({ type: 'api', deadline: Date.now() + 10_000 });
  const task = await e.client.wait(id, { timeoutMs: 15_000 });
  t.like(task, { state: 'expired', reason: 'deadline' });
});
