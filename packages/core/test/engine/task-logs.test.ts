/**
 * Stored task logs (appendLogs-1.lua through WorkerOps.appendLogs): kept with
 * the task within TASK_LOG_MAX_LINES and TASK_LOG_MAX_BYTES, over attempts,
 * deleted with the task, never written for a task that is gone.
 */
import test from 'ava';
import { DEFAULT_RETENTION } from '../../src/context.js';
import { LogBuffer, TASK_LOG_MAX_BYTES, TASK_LOG_MAX_LINES, trimQueue } from '../../src/index.js';
import { claim, useEngine } from './fixture.js';

const engine = useEngine(test);
const Q = 'default';

test('the lines of an attempt are stored with its task and read back with it', async (t) => {
  const e = await engine.make();
  const ops = e.ops('w1');
  const { id } = await e.client.submit({ type: 'x' });
  await claim(ops, Q, { max: 1, start: 1 });
  const stored = await ops.appendLogs(Q, [
    {
      id,
      attempt: 1,
      lines: [
        [1000, 'first'],
        [1001, 'ünïcode "quoted" \n newline'],
      ],
    },
  ]);
  t.is(stored, 1);
  t.deepEqual((await e.client.get(id)).logs, [
    { at: 1000, attempt: 1, message: 'first' },
    { at: 1001, attempt: 1, message: 'ünïcode "quoted" \n newline' },
  ]);
  // A task that logged nothing has no lines.
  const quiet = await e.client.submit({ type: 'x' });
  t.deepEqual((await e.client.get(quiet.id)).logs, []);
});

test('a task keeps the newest lines within both bounds, over all its attempts', async (t) => {
  const e = await engine.make();
  const ops = e.ops('w1');
  const { id } = await e.client.submit({ type: 'x' });
  await claim(ops, Q, { max: 1, start: 1 });
  const lines = (n: number, from: number, text = (i: number) => `line ${i}`) =>
    Array.from({ length: n }, (_, i) => [from + i, text(from + i)] as [number, string]);
  await ops.appendLogs(Q, [{ id, attempt: 1, lines: lines(80, 0) }]);
  await e.redis.hset(e.client.ctx.keys(Q).task(id), 'a', '2'); // a second attempt ran
  await ops.appendLogs(Q, [{ id, attempt: 2, lines: lines(50, 80) }]);
  let logs = (await e.client.get(id)).logs;
  t.is(logs.length, TASK_LOG_MAX_LINES);
  t.deepEqual(logs[0], { at: 30, attempt: 1, message: 'line 30' });
  t.deepEqual(logs.at(-1), { at: 129, attempt: 2, message: 'line 129' });
  // Long lines: the byte bound keeps fewer.
  const big = (i: number) => `${i}`.padEnd(8000, '.');
  await ops.appendLogs(Q, [{ id, attempt: 2, lines: lines(20, 200, big) }]);
  logs = (await e.client.get(id)).logs;
  t.is(logs.length, Math.floor(TASK_LOG_MAX_BYTES / 8000));
  t.is(logs.at(-1)!.message, big(219));
  t.true(logs.reduce((n, l) => n + Buffer.byteLength(l.message), 0) <= TASK_LOG_MAX_BYTES);
});

test('one call carries many attempts; a task that is gone gets nothing written', async (t) => {
  const e = await engine.make({
    retention: { ...DEFAULT_RETENTION, succeeded: { ageMs: 1000, max: 1000 } },
  });
  const ops = e.ops('w1');
  const a = await e.client.submit({ type: 'x' });
  const b = await e.client.submit({ type: 'x' });
  await claim(ops, Q, { max: 2, start: 2 });
  await ops.complete(Q, [
    { id: a.id, attempt: 1, result: null },
    { id: b.id, attempt: 1, result: null },
  ]);
  e.clock.advance(2000);
  t.is(await trimQueue(e.client.ctx, Q), 2);
  const keysAfterTrim = await e.keys();
  // Late lines for deleted tasks, and for a task id never seen: nothing comes back.
  const stored = await ops.appendLogs(Q, [
    { id: a.id, attempt: 1, lines: [[1, 'late']] },
    { id: 'never-was', attempt: 1, lines: [[1, 'late']] },
  ]);
  t.is(stored, 0);
  t.deepEqual(await e.keys(), keysAfterTrim);
});

test('the log is deleted with its task by retention', async (t) => {
  const e = await engine.make({
    retention: { ...DEFAULT_RETENTION, failed: { ageMs: 1000, max: 1000 } },
  });
  const ops = e.ops('w1');
  const { id } = await e.client.submit({ type: 'x', maxRetries: 0 });
  await claim(ops, Q, { max: 1, start: 1 });
  await ops.appendLogs(Q, [{ id, attempt: 1, lines: [[1, 'why it failed']] }]);
  await ops.fail(Q, [{ id, attempt: 1, message: 'no', reason: 'handler_error', permanent: true }]);
  t.is((await e.client.get(id)).logs.length, 1);
  e.clock.advance(2000);
  t.is(await trimQueue(e.client.ctx, Q), 1);
  t.false((await e.keys()).some((k) => k.includes(id)));
  t.is(await e.redis.exists(e.client.ctx.keys(Q).task(id)), 0);
});

test('the worker-side buffer holds at most the bounds however much is logged', (t) => {
  const buf = new LogBuffer();
  for (let i = 0; i < 100_000; i++) buf.add(i, `line ${i}`);
  t.is(buf.size, TASK_LOG_MAX_LINES);
  t.is(buf.lines()[0]![1], `line ${100_000 - TASK_LOG_MAX_LINES}`);
  t.is(buf.lines().at(-1)![1], 'line 99999');
  const long = new LogBuffer();
  for (let i = 0; i < 10_000; i++) long.add(i, 'é'.repeat(4096)); // 8 KiB each
  t.is(long.size, TASK_LOG_MAX_BYTES / 8192);
  t.true(long.bytes <= TASK_LOG_MAX_BYTES);
});
