/**
 * `dtps bulk retry|cancel|delete|purge` and `dtps list --type/--where`
 * through the real CLI: the JSON the issue fixes ({"matched","done"}), the
 * dry run, filters, refusals (exit 2, nothing changed), and a run stopped
 * with SIGINT midway (exit 130) then run again to the end.
 */
import { spawn } from 'node:child_process';
import type { TaskSpec } from '@dtps/core';
import test from 'ava';
import { BIN } from '../helpers/dtps.js';
import { type Scope, useCli } from '../helpers/setup.js';

const cli = useCli(test);

/** Submits `specs` (no retries) and fails them all through the worker's real path, 1000 at a time. */
async function failTasks(s: Scope, specs: TaskSpec[]): Promise<string[]> {
  const w = s.worker('w-fail');
  const ids: string[] = [];
  for (let i = 0; i < specs.length; i += 1000) {
    const part = specs.slice(i, i + 1000).map((x) => ({ maxRetries: 0, ...x }));
    ids.push(...(await s.client().submitMany(part)).map((r) => r.id));
    const { claim } = await w.cycle('default', { claim: { max: part.length, start: part.length } });
    await w.fail(
      'default',
      claim.tasks.map((t) => ({
        id: t.id,
        attempt: t.attempt,
        message: 'x',
        reason: 'handler_error',
        permanent: true,
      })),
    );
  }
  return ids;
}

test('bulk retry by type: --dry-run counts, the run retries, a second run finds nothing', async (t) => {
  const s = cli.scope();
  const resize = await failTasks(
    s,
    Array.from({ length: 7 }, () => ({ type: 'resize' })),
  );
  await failTasks(s, [{ type: 'email' }, { type: 'email' }]);
  const dry = await s.run(['bulk', 'retry', '--state', 'failed', '--type', 'resize', '--dry-run', '--json']);
  t.is(dry.code, 0, dry.stderr);
  t.deepEqual(dry.json(), { matched: 7, done: 0 });
  t.is((await s.client().counts()).failed, 9);
  const run = await s.run(['bulk', 'retry', '--state', 'failed', '--type', 'resize', '--json']);
  t.deepEqual(run.json(), { matched: 7, done: 7 });
  for (const id of resize) t.is((await s.client().get(id)).state, 'queued');
  t.is((await s.client().counts()).failed, 2);
  const again = await s.run(['bulk', 'retry', '--state', 'failed', '--type', 'resize']);
  t.is(again.stdout, 'retry: 0 of 0 matching tasks done\n');
});

test('bulk cancel by queue and creation time, bulk delete and purge', async (t) => {
  const s = cli.scope();
  const c = s.client();
  const old = await c.submitMany([
    { type: 'a', queue: 'emails' },
    { type: 'a', queue: 'emails' },
  ]);
  await new Promise((r) => setTimeout(r, 20));
  const cut = Date.now();
  await new Promise((r) => setTimeout(r, 20));
  const fresh = await c.submit({ type: 'a', queue: 'emails' });
  const cancel = await s.run([
    'bulk',
    'cancel',
    '--state',
    'queued',
    '--queue',
    'emails',
    '--before',
    String(cut),
    '--json',
  ]);
  t.deepEqual(cancel.json(), { matched: 2, done: 2 });
  for (const r of old) t.is((await c.get(r.id)).state, 'cancelled');
  t.is((await c.get(fresh.id)).state, 'queued');
  const del = await s.run(['bulk', 'delete', '--state', 'cancelled', '--queue', 'emails', '--json']);
  t.deepEqual(del.json(), { matched: 2, done: 2 });
  t.is(await c.find(old[0]!.id), null);
  await failTasks(s, [{ type: 'x' }, { type: 'y' }]);
  const purge = await s.run(['bulk', 'purge', '--json']);
  t.deepEqual(purge.json(), { matched: 2, done: 2 });
  t.is((await c.counts()).failed, 0);
});

test('bad input is refused with exit 2 naming the flag, and nothing changes', async (t) => {
  const s = cli.scope();
  await failTasks(s, [{ type: 'x' }]);
  for (const [args, pattern] of [
    [['bulk', 'retry'], /--state: is required for retry/],
    [['bulk', 'archive', '--state', 'failed'], /unknown action "archive"/],
    [['bulk', 'retry', '--state', 'queued'], /--state: retry takes an ended state/],
    [['bulk', 'cancel', '--state', 'failed'], /--state: cancel takes a state that has not ended/],
    [['bulk', 'retry', '--state', 'failed', '--before', 'yesterday'], /--before: must be an integer/],
    [
      ['bulk', 'retry', '--state', 'failed', '--priority', '0'],
      /--priority: must be an integer from 1 to 10/,
    ],
    [['list', '--where', 'nothing'], /--where: must be FIELD=VALUE/],
  ] as const) {
    const r = await s.run(args);
    t.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    t.regex(r.stderr, pattern);
  }
  t.is((await s.client().counts()).failed, 1);
});

test('search: dtps list --type and --where a payload field', async (t) => {
  const s = cli.scope();
  await s.client().submitMany([
    { type: 'resize', payload: { user: { id: 7 } } },
    { type: 'resize', payload: { user: { id: 8 } } },
    { type: 'email', payload: { user: { id: 7 } } },
  ]);
  const r = await s.run(['list', '--type', 'resize', '--where', 'user.id=7', '--json']);
  t.is(r.code, 0, r.stderr);
  const page = r.json<{ tasks: { type: string; payload: unknown }[]; cursor: string | null }>();
  t.deepEqual(
    page.tasks.map((x) => [x.type, x.payload]),
    [['resize', { user: { id: 7 } }]],
  );
  t.is(page.cursor, null);
});

test('a run stopped with SIGINT midway exits 130; the same command run again finishes the job', async (t) => {
  t.timeout(240_000);
  const s = cli.scope();
  const total = 30_000;
  await failTasks(
    s,
    Array.from({ length: total }, () => ({ type: 'bulky' })),
  );
  const child = spawn(process.execPath, [BIN, 'bulk', 'retry', '--state', 'failed'], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DTPS_REDIS_URL: s.server.url,
      DTPS_PREFIX: s.prefix,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let [stdout, stderr] = ['', ''];
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/bulk retry: \d+ looked at/.test(stderr)) resolve();
    });
    void exited.then(() => resolve());
  });
  child.kill('SIGINT');
  const code = await exited;
  t.is(code, 130, `${stdout}\n${stderr}`);
  t.regex(stdout, /interrupted: run the same command again to finish/);
  const first = Number(/retry: (\d+) of/.exec(stdout)?.[1]);
  t.true(first > 0 && first < total, `retried ${first} before the interrupt`);
  const again = await s.run(['bulk', 'retry', '--state', 'failed', '--json']);
  t.is(again.code, 0, again.stderr);
  t.deepEqual(again.json(), { matched: total - first, done: total - first });
  const counts = await s.client().counts();
  t.is(counts.failed, 0);
  t.is(counts.queued, total);
});
