import { PermanentError, systemClock } from '@dtps/core';
import test from 'ava';
import { InlineExecutor } from '../../src/executor/inline-executor.js';
import { RunningAttempt, runAttempt } from '../../src/executor/run-attempt.js';
import type { HandlerMap } from '../../src/handlers/types.js';
import { claimed, recordingHooks } from './fixtures.js';

/** Resolves once `signal` fires. */
function whenAborted(signal: AbortSignal): Promise<void> {
  return new Promise((r) => signal.addEventListener('abort', () => r(), { once: true }));
}

function run(handlers: HandlerMap, over: Parameters<typeof claimed>[0] = {}) {
  const task = claimed({ type: 'h', ...over });
  const running = new RunningAttempt(task, 1);
  const hooks = recordingHooks();
  const outcome = runAttempt(new InlineExecutor(handlers), running, hooks, systemClock);
  return { running, hooks, outcome, task };
}

test('success: the result, and the handler sees payload and context', async (t) => {
  let seen: unknown;
  const { outcome, hooks, task } = run(
    {
      h: (payload, ctx) => {
        seen = { payload, id: ctx.task.id, attempt: ctx.task.attempt, aborted: ctx.signal.aborted };
        ctx.progress(50);
        ctx.log('hello');
        return { doubled: (payload as number) * 2 };
      },
    },
    { payload: 21 },
  );
  t.deepEqual(await outcome, { kind: 'succeeded', result: { doubled: 42 }, json: '{"doubled":42}' });
  t.deepEqual(seen, { payload: 21, id: task.id, attempt: 1, aborted: false });
  t.deepEqual(hooks.progressed, [50]);
  t.deepEqual(hooks.logged, ['hello']);
});

test('a handler error fails the attempt (retryable)', async (t) => {
  const { outcome } = run({
    h: async () => {
      throw new Error('boom');
    },
  });
  t.deepEqual(await outcome, { kind: 'failed', message: 'boom', reason: 'handler_error', permanent: false });
});

test('a synchronous throw and a thrown non-Error are failures too', async (t) => {
  t.like(
    await run({
      h: () => {
        throw new TypeError('sync');
      },
    }).outcome,
    { kind: 'failed', message: 'sync', permanent: false },
  );
  t.like(
    await run({
      h: () => {
        throw { code: 7 };
      },
    }).outcome,
    { kind: 'failed', message: '{"code":7}', reason: 'handler_error' },
  );
});

test('PermanentError (or any error flagged permanent) is a permanent failure', async (t) => {
  t.deepEqual(
    await run({
      h: () => {
        throw new PermanentError('bad input');
      },
    }).outcome,
    { kind: 'failed', message: 'bad input', reason: 'handler_error', permanent: true },
  );
  t.like(
    await run({
      h: () => {
        throw Object.assign(new Error('flagged'), { permanent: true });
      },
    }).outcome,
    { kind: 'failed', permanent: true },
  );
});

test('timeoutMs aborts the signal with reason timeout', async (t) => {
  let signal: AbortSignal | undefined;
  const { outcome } = run(
    {
      h: (_p, ctx) => {
        signal = ctx.signal;
        return new Promise((_res, rej) =>
          ctx.signal.addEventListener('abort', () => rej(new Error('stopped'))),
        );
      },
    },
    { timeoutMs: 40 },
  );
  t.deepEqual(await outcome, { kind: 'aborted', reason: 'timeout' });
  t.true(signal?.aborted);
  t.is(signal?.reason, 'timeout');
});

test('a handler that ignores its signal is abandoned: the outcome comes at the timeout, its late result is discarded', async (t) => {
  let lateResultAt = 0;
  const started = performance.now();
  const { outcome } = run(
    {
      h: async () => {
        await new Promise((r) => setTimeout(r, 300));
        lateResultAt = performance.now();
        return 'late';
      },
    },
    { timeoutMs: 30 },
  );
  const o = await outcome;
  const at = performance.now();
  t.deepEqual(o, { kind: 'aborted', reason: 'timeout' });
  t.is(lateResultAt, 0, 'the outcome came before the handler finished');
  t.log(`outcome after ${(at - started).toFixed(1)} ms`);
  await new Promise((r) => setTimeout(r, 350));
  t.true(lateResultAt > 0, 'the handler did finish later');
  t.deepEqual(await outcome, { kind: 'aborted', reason: 'timeout' }, 'and its result changed nothing');
});

test('the deadline aborts the signal with reason deadline', async (t) => {
  const { outcome, running } = run(
    {
      h: (_p, ctx) =>
        new Promise((_r, rej) => ctx.signal.addEventListener('abort', () => rej(new Error('x')))),
    },
    { deadline: Date.now() + 40 },
  );
  t.deepEqual(await outcome, { kind: 'aborted', reason: 'deadline' });
  t.is(running.controller.signal.reason, 'deadline');
});

test('a deadline already past aborts at once, and the handler is never called', async (t) => {
  // Redis may have started the attempt against a late `now` (a round resent after an outage), or
  // this worker may have been stopped between the start and here: the handler must not run.
  let called = false;
  const { outcome } = run(
    {
      h: () => {
        called = true;
        return new Promise(() => {});
      },
    },
    { deadline: Date.now() - 1000 },
  );
  t.deepEqual(await outcome, { kind: 'aborted', reason: 'deadline' });
  t.false(called);
});

test('the earlier of timeout and deadline wins', async (t) => {
  const never = { h: () => new Promise(() => {}) };
  t.deepEqual(await run(never, { timeoutMs: 20, deadline: Date.now() + 5000 }).outcome, {
    kind: 'aborted',
    reason: 'timeout',
  });
  t.deepEqual(await run(never, { timeoutMs: 5000, deadline: Date.now() + 20 }).outcome, {
    kind: 'aborted',
    reason: 'deadline',
  });
});

test('cancellation from outside aborts with reason cancelled', async (t) => {
  let signal: AbortSignal | undefined;
  const { outcome, running } = run({
    h: (_p, ctx) => {
      signal = ctx.signal;
      return new Promise(() => {});
    },
  });
  await new Promise((r) => setImmediate(r));
  const fired = whenAborted(signal!);
  running.abort('cancelled');
  running.abort('shutdown'); // a second abort changes nothing
  await fired;
  t.deepEqual(await outcome, { kind: 'aborted', reason: 'cancelled' });
  t.is(signal?.reason, 'cancelled');
});

test('a finished attempt leaves no timer behind: its signal never fires later', async (t) => {
  const { outcome, running } = run({ h: () => 'quick' }, { timeoutMs: 30, deadline: Date.now() + 40 });
  t.deepEqual(await outcome, { kind: 'succeeded', result: 'quick', json: '"quick"' });
  await new Promise((r) => setTimeout(r, 80));
  t.false(running.controller.signal.aborted);
});

test('an unknown type fails permanently with unknown_task_type, without calling anything', async (t) => {
  let called = false;
  const task = claimed({ type: 'nope' });
  const o = await runAttempt(
    new InlineExecutor({
      a: () => {
        called = true;
      },
      b: () => {},
    }),
    new RunningAttempt(task, 1),
    recordingHooks(),
    systemClock,
  );
  t.like(o, { kind: 'failed', reason: 'unknown_task_type', permanent: true });
  t.regex((o as { message: string }).message, /"nope".*handles: a, b/);
  t.false(called);
});

test('an inherited property is not a handler (unknown_task_type, not a crash)', async (t) => {
  const o = await runAttempt(
    new InlineExecutor({ a: () => 1 }),
    new RunningAttempt(claimed({ type: 'toString' }), 1),
    recordingHooks(),
    systemClock,
  );
  t.like(o, { kind: 'failed', reason: 'unknown_task_type', permanent: true });
});

// Regression: runAttempt arms `setTimeout(abort('deadline'), deadline - now)`. Node
// timers hold at most 2^31-1 ms (~24.8 days); a longer delay fires after 1 ms
// (TimeoutOverflowWarning). So a task whose deadline is more than ~24.8 days
// away is aborted as 'deadline' right after it starts (and the engine then
// ends it, though its deadline is far off). Fix: only arm the timer when the
// delay fits (e.g. `if (delay <= 2_147_483_647)`), or re-arm in steps.
test('a deadline 30 days away does not abort the attempt', async (t) => {
  const { outcome } = run(
    { h: () => new Promise((r) => setTimeout(() => r('done'), 50)) },
    { deadline: Date.now() + 30 * 24 * 3600_000 },
  );
  t.deepEqual(await outcome, { kind: 'succeeded', result: 'done', json: '"done"' });
});

test('a handler may destructure its context: progress and log work unbound', async (t) => {
  const { outcome, hooks, task } = run({
    h: (_p, { progress, log, task: info, signal, parents }) => {
      progress(10);
      log('destructured');
      return { id: info.id, attempt: info.attempt, aborted: signal.aborted, parents };
    },
  });
  t.like(await outcome, {
    kind: 'succeeded',
    result: { id: task.id, attempt: 1, aborted: false, parents: {} },
  });
  t.deepEqual(hooks.progressed, [10]);
  t.deepEqual(hooks.logged, ['destructured']);
});

test('a result that cannot be stored fails the attempt at once, permanently, naming the task and the reason', async (t) => {
  const { outcome, task } = run({ h: async () => ({ deep: [{ n: 10n }] }) });
  t.deepEqual(await outcome, {
    kind: 'failed',
    message: `task ${task.id} (type h): result: contains a BigInt at $.deep[0].n, which JSON cannot hold (convert it to a string or number)`,
    reason: 'unencodable_result',
    permanent: true,
  });
});

test('a task the engine could not decode is not run: it fails with corrupt_task', async (t) => {
  let ran = false;
  const { outcome } = run(
    {
      h: () => {
        ran = true;
      },
    },
    { corrupt: 'task t0: stored spec is corrupt: the stored value is not JSON' },
  );
  t.deepEqual(await outcome, {
    kind: 'failed',
    message: 'task t0: stored spec is corrupt: the stored value is not JSON',
    reason: 'corrupt_task',
    permanent: true,
  });
  t.false(ran);
});
