/**
 * Stored task logs through the worker: what a handler writes with ctx.log
 * goes to the worker's log and, bounded, to the task; a handler that logs in
 * a loop neither grows its task's log past the bounds nor costs a Redis call
 * per line, and other tasks keep their own lines.
 */
import { Writable } from 'node:stream';
import { createLogger, TASK_LOG_MAX_BYTES, TASK_LOG_MAX_LINES } from '@dtps/core';
import { useRedisServer } from '@dtps/core/testing';
import test from 'ava';
import { embed, until } from './harness.js';

const redis = useRedisServer(test);
const LINES = 100_000;

/** A JSON logger that counts the lines tagged with each task. */
function countingLogger() {
  const byTask = new Map<string, number>();
  const dest = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n')) {
        const m = /"task":"([^"]+)"/.exec(line);
        if (m) byTask.set(m[1]!, (byTask.get(m[1]!) ?? 0) + 1);
      }
      cb();
    },
  });
  return { logger: createLogger({ format: 'json', dest }), byTask };
}

test.serial(
  'a handler logging 100,000 lines: its task keeps the newest within the bounds, in few calls',
  async (t) => {
    const { logger, byTask } = countingLogger();
    const e = await embed(t, redis.server, {
      handlers: {
        chatty: async (_p, ctx) => {
          for (let i = 0; i < LINES; i++) ctx.log(`line ${i}`);
          return null;
        },
        quiet: async (p, ctx) => {
          ctx.log(`hello from ${String(p)}`);
          (ctx.log as (m: unknown) => void)({ structured: true }); // not a string: logged as its JSON
          return null;
        },
        failing: async (_p, ctx) => {
          ctx.log(`attempt ${ctx.task.attempt}`);
          throw new Error('no');
        },
      },
      pool: { size: 4, min: 4, max: 4 },
      autoscale: { enabled: false },
      logger,
    });
    const before = Number(/total_commands_processed:(\d+)/.exec(await e.redis.info('stats'))![1]);
    const [chatty, quiet, failing] = await e.client.submitMany([
      { type: 'chatty' },
      { type: 'quiet', payload: 'q' },
      { type: 'failing', maxRetries: 1, backoff: { baseMs: 1, maxMs: 1, jitter: false } },
    ]);
    await until(
      'all three to end, with their lines stored',
      async () => {
        const tasks = await Promise.all([chatty!, quiet!, failing!].map((r) => e.client.get(r.id)));
        return tasks.every((x) => x.state === 'succeeded' || x.state === 'failed') &&
          tasks.every((x) => x.logs.length > 0) &&
          (await e.client.get(failing!.id)).logs.length === 2
          ? tasks
          : null;
      },
      60_000,
      50,
    );
    const after = Number(/total_commands_processed:(\d+)/.exec(await e.redis.info('stats'))![1]);

    const big = await e.client.get(chatty!.id);
    t.is(big.logs.length, TASK_LOG_MAX_LINES);
    t.is(big.logs.at(-1)!.message, `line ${LINES - 1}`);
    t.is(big.logs[0]!.message, `line ${LINES - TASK_LOG_MAX_LINES}`);
    t.true(big.logs.every((l) => l.attempt === 1 && typeof l.at === 'number'));
    const stored = await e.redis.hstrlen(e.client.ctx.keys('default').task(chatty!.id), 'lg');
    t.true(stored <= TASK_LOG_MAX_BYTES + TASK_LOG_MAX_LINES * 64, `${stored} bytes stored`);
    // Every line still went to the worker's log.
    t.is(byTask.get(chatty!.id), LINES);

    t.deepEqual(
      (await e.client.get(quiet!.id)).logs.map((l) => l.message),
      ['hello from q', '{"structured":true}'],
    );
    t.deepEqual(
      (await e.client.get(failing!.id)).logs.map((l) => [l.attempt, l.message]),
      [
        [1, 'attempt 1'],
        [2, 'attempt 2'],
      ],
    );
    // No Redis call per line: the whole run, rounds and heartbeats included, is far below LINES.
    t.log(`Redis commands during the run: ${after - before}`);
    t.true(after - before < LINES / 20, `${after - before} commands`);
  },
);

test.serial(
  'with isolation: thread, the lines logged inside the thread are stored the same way',
  async (t) => {
    const e = await embed(t, redis.server, {
      handlersModule: new URL('./thread-handlers.js', import.meta.url).href,
      isolation: 'thread',
      pool: { size: 1, min: 1, max: 1 },
      autoscale: { enabled: false },
    });
    const { id } = await e.client.submit({ type: 'chatty', payload: { lines: 250 } });
    const task = await until(
      'the task to succeed with its lines stored',
      async () => {
        const x = await e.client.get(id);
        return x.state === 'succeeded' && x.logs.length > 0 ? x : null;
      },
      30_000,
      50,
    );
    t.is(task.logs.length, TASK_LOG_MAX_LINES);
    t.is(task.logs.at(-1)!.message, 'thread line 249');
    t.is(task.logs[0]!.message, `thread line ${250 - TASK_LOG_MAX_LINES}`);
  },
);
