import { PermanentError } from '@dtps/core';
import test from 'ava';
import demo from '../../src/handlers/demo.js';
import type { HandlerContext } from '../../src/handlers/types.js';

function ctx(over: { attempt?: number; signal?: AbortSignal } = {}) {
  const progressed: number[] = [];
  const c: HandlerContext = {
    signal: over.signal ?? new AbortController().signal,
    task: {
      id: 't1',
      queue: 'default',
      type: 'x',
      attempt: over.attempt ?? 1,
      priority: 5,
      maxRetries: 3,
      deadline: null,
    },
    progress: (n) => progressed.push(n),
    log: () => {},
    parents: {},
  };
  return { c, progressed };
}

test('the demo map has exactly the handlers docs/design.md §5 names', (t) => {
  t.deepEqual(Object.keys(demo).sort(), ['cpu', 'echo', 'fail', 'flaky', 'noop', 'sleep']);
});

test('noop returns null; echo returns its payload', async (t) => {
  t.is(await demo.noop!(undefined, ctx().c), null);
  const payload = { a: [1, 2], b: 'x' };
  t.is(await demo.echo!(payload, ctx().c), payload);
  t.is(await demo.echo!('s', ctx().c), 's');
});

test('sleep waits ms, reporting progress up to 100', async (t) => {
  const { c, progressed } = ctx();
  const started = performance.now();
  t.deepEqual(await demo.sleep!({ ms: 60 }, c), { sleptMs: 60 });
  t.true(performance.now() - started >= 55);
  t.true(progressed.length >= 1);
  t.is(progressed.at(-1), 100);
});

test('sleep honours its signal: an abort ends a 10 s sleep at once', async (t) => {
  const ac = new AbortController();
  const { c } = ctx({ signal: ac.signal });
  const started = performance.now();
  const p = demo.sleep!({ ms: 10_000 }, c) as Promise<unknown>;
  setTimeout(() => ac.abort('timeout'), 30);
  await t.throwsAsync(p, { message: /aborted: timeout/ });
  const took = performance.now() - started;
  t.log(`aborted after ${took.toFixed(1)} ms`);
  t.true(took < 2000, `took ${took} ms`);
});

test('sleep with an already aborted signal rejects at once', async (t) => {
  const ac = new AbortController();
  ac.abort('cancelled');
  const started = performance.now();
  const err = await t.throwsAsync(
    Promise.resolve(demo.sleep!({ ms: 10_000 }, ctx({ signal: ac.signal }).c)),
    { any: true },
  );
  t.is(err as unknown, 'cancelled', 'rejects with the abort reason');
  t.true(performance.now() - started < 1000);
});

test('sleep and cpu refuse a bad ms with a PermanentError', async (t) => {
  await t.throwsAsync(async () => demo.sleep!({ ms: -1 }, ctx().c), {
    instanceOf: PermanentError,
    message: /payload\.ms/,
  });
  t.throws(() => demo.cpu!({ ms: 'lots' }, ctx().c), { instanceOf: PermanentError, message: /payload\.ms/ });
});

test('cpu busies the thread for about ms and returns', (t) => {
  const started = performance.now();
  const r = demo.cpu!({ ms: 50 }, ctx().c) as { busyMs: number; checksum: number };
  const took = performance.now() - started;
  t.is(r.busyMs, 50);
  t.is(typeof r.checksum, 'number');
  t.true(took >= 50, `took ${took} ms`);
  t.true(took < 5000, `took ${took} ms`);
});

test('cpu stops when its signal has fired', (t) => {
  const ac = new AbortController();
  ac.abort('timeout');
  t.throws(() => demo.cpu!({ ms: 10_000 }, ctx({ signal: ac.signal }).c), { message: /aborted/ });
});

test('flaky fails failTimes attempts, then succeeds', (t) => {
  for (const attempt of [1, 2]) {
    t.throws(() => demo.flaky!({ failTimes: 2 }, ctx({ attempt }).c), {
      message: new RegExp(`attempt ${attempt} of 2`),
    });
  }
  t.deepEqual(demo.flaky!({ failTimes: 2 }, ctx({ attempt: 3 }).c), { attempt: 3 });
  t.throws(() => demo.flaky!({}, ctx({ attempt: 1 }).c), undefined, 'failTimes defaults to 1');
  t.deepEqual(demo.flaky!({}, ctx({ attempt: 2 }).c), { attempt: 2 });
  t.deepEqual(demo.flaky!({ failTimes: 0 }, ctx({ attempt: 1 }).c), { attempt: 1 });
});

test('fail always throws; PermanentError when permanent', (t) => {
  const perm = t.throws(() => demo.fail!({ message: 'bad input', permanent: true }, ctx().c), {
    instanceOf: PermanentError,
  });
  t.is(perm?.message, 'bad input');
  const plain = t.throws(() => demo.fail!({ message: 'try again' }, ctx().c));
  t.false(plain instanceof PermanentError);
  t.is(plain?.message, 'try again');
  t.throws(() => demo.fail!(null, ctx().c), { message: /always fails/ });
});
