/**
 * `dtps-worker --handlers FILE`: a module that fails to load, or whose
 * export is not a map of functions, stops the daemon at start with a clear
 * message naming the file; a good module serves its task types, and a task
 * of a type it has no handler for fails permanently (`unknown_task_type`)
 * without burning retries.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uniquePrefix, useRedisServer } from '@dtps/core/testing';
import test from 'ava';
import { scope } from './fixture.js';
import { startWorker, stopAll, type WorkerProcess } from './spawn-worker.js';

const DIR = mkdtempSync(join(tmpdir(), 'dtps-handler-modules-'));

/** Writes a handler module into the temp dir and returns its path. */
function moduleFile(name: string, source: string): string {
  const path = join(DIR, name);
  writeFileSync(path, source);
  return path;
}

const redis = useRedisServer(test);
const workers: WorkerProcess[] = [];
test.after.always(() => stopAll(workers));

/** Starts the daemon on `file` and expects it to stop at start; returns its exit and output. */
async function failsToStart(file: string) {
  const w = await startWorker({
    redisUrl: redis.server.url,
    prefix: uniquePrefix(),
    id: 'w-bad',
    args: ['--handlers', file],
    waitStarted: false,
  });
  workers.push(w);
  const exit = await w.waitForExit(30_000);
  return { exit, stderr: w.output, started: w.logsWith('worker started').length > 0 };
}

const bad: [string, string, RegExp][] = [
  ['syntax-error.mjs', 'export default { broken: async ( => 1 };\n', /cannot load/],
  ['throws.mjs', "throw new Error('boom while loading');\n", /cannot load.*boom while loading/],
  [
    'missing-import.mjs',
    "import './no-such-file.mjs';\nexport default { a: async () => 1 };\n",
    /cannot load/,
  ],
  ['number.mjs', 'export default 42;\n', /must export default an object.*got number/],
  ['array.mjs', 'export default [async () => 1];\n', /must export default an object.*got an array/],
  [
    'not-function.mjs',
    "export default { good: async () => 1, bad: 'nope' };\n",
    /"bad" must be a function, got string/,
  ],
  ['empty.mjs', 'export default {};\n', /exports no handlers/],
];

for (const [name, source, why] of bad) {
  test.serial(
    `--handlers ${name}: the daemon stops at start, non-zero, with a message naming the file`,
    async (t) => {
      const file = moduleFile(name, source);
      const { exit, stderr, started } = await failsToStart(file);
      t.false(started, 'it never started serving');
      t.not(exit.code, 0);
      t.not(exit.code, null, `it exits by itself (${JSON.stringify(exit)})`);
      t.true(stderr.includes(file), `the message names ${file}:\n${stderr}`);
      t.regex(stderr, why);
      t.regex(stderr, /^dtps-worker: handlers: /m, 'one clear line, not a stack trace');
    },
  );
}

test.serial('--handlers that does not exist: stops at start naming the file', async (t) => {
  const file = join(DIR, 'no-such-module.mjs');
  const { exit, stderr } = await failsToStart(file);
  t.not(exit.code, 0);
  t.not(exit.code, null);
  t.true(stderr.includes(file), stderr);
});

test.serial(
  '--handlers with a good module: its types succeed, an unknown type fails permanently with unknown_task_type',
  async (t) => {
    const file = moduleFile(
      'good.mjs',
      'export default {\n  greet: async (payload, ctx) => ({ hello: payload.name, attempt: ctx.task.attempt }),\n};\n',
    );
    const s = scope(redis.server, uniquePrefix());
    t.teardown(() => s.close());
    const w = await startWorker({
      redisUrl: redis.server.url,
      prefix: s.prefix,
      id: 'w-good',
      args: ['--handlers', file],
    });
    workers.push(w);
    t.deepEqual(
      w.logsWith('worker started')[0]?.handlers,
      ['greet'],
      "only the module's handlers, no demo ones",
    );

    const good = await s.client.submit({ type: 'greet', payload: { name: 'dtps' } });
    const unknown = await s.client.submit({ type: 'nope', payload: {}, maxRetries: 3 });
    const done = await s.client.wait(good.id, { timeoutMs: 20_000 });
    t.is(done.state, 'succeeded');
    t.deepEqual(done.result, { hello: 'dtps', attempt: 1 });

    const failed = await s.client.wait(unknown.id, { timeoutMs: 20_000 });
    t.is(failed.state, 'failed');
    t.is(failed.attempts, 1, 'no retries burnt');
    t.is(failed.error?.reason, 'unknown_task_type');
    t.regex(failed.error?.message ?? '', /nope/);

    w.signal('SIGTERM');
    t.is((await w.waitForExit()).code, 0);
  },
);
