/**
 * What a busy worker's rounds (cycleTasks-6.lua) and plain submits
 * (submitPlain-2.lua) cost Redis per task, measured on the scripts alone: no
 * worker process, one connection, calls built by dtps's own builders.
 *
 *   node packages/core/dist/bench/round-cost.js [--rounds 25/50,100/400] [--tasks 10000]
 *                                               [--direct] [--callgrind DIR]
 *
 * `--rounds B/C`: a worker of concurrency C whose every round completes B
 * tasks, starts B from its window and reserves B (the default prefetch: the
 * pool size); `--direct` starts the claimed tasks at once instead. The
 * succeeded set is filled to its retention cap first, so that every round
 * trims. `--callgrind DIR` runs redis-server under valgrind's callgrind and
 * adds the instructions Redis executed per task: on a shared VM, where CPU
 * time varies by a third between runs, the one figure steady enough to tell a
 * change of a few per cent (valgrind must be installed; runs ~50× slower).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import type { ClaimedTask } from '../src/engine/claimed.js';
import { QueueKeys } from '../src/keys.js';
import {
  buildCycleTasks,
  buildSubmitPlain,
  CYCLE_TASKS,
  callScript,
  decodeCycleTasks,
  SUBMIT_PLAIN,
} from '../src/scripts/calls/index.js';
import { useFunctionScripts } from '../src/scripts/functions.js';
import { newTaskId } from '../src/task/ids.js';
import type { NormalizedSpec } from '../src/task/types.js';
import { freePort } from '../src/testing/index.js';
import { normalizedSpec } from '../test/scripts/normalized-spec.js';
import { diff, snapshot } from './redis-stats.js';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '25/50,100/400' },
    tasks: { type: 'string', default: '10000' },
    direct: { type: 'boolean', default: false },
    callgrind: { type: 'string' },
  },
});
const KEEP = 10_000; // the default retention of succeeded tasks
const keys = new QueueKeys('bench', 'q');

/** A plain no-op task, the same for every run (the test suites' fixture, with the bench's values). */
function spec(id: string): NormalizedSpec {
  return normalizedSpec(id, {
    queue: 'q',
    type: 'noop',
    payloadJson: '{"n":1}',
    priority: 5,
    createdAt: Date.now(),
  });
}

async function submit(redis: Redis, count: number, perCall: number): Promise<void> {
  for (let sent = 0; sent < count; sent += perCall) {
    const tasks = Array.from({ length: Math.min(perCall, count - sent) }, () => spec(newTaskId(Date.now())));
    await callScript(redis, SUBMIT_PLAIN, buildSubmitPlain({ keys, now: Date.now(), maxLen: 10_000, tasks }));
  }
}

/** One round: completes `done`, starts `starts` from the window, claims by `claim`. */
async function round(
  redis: Redis,
  done: readonly ClaimedTask[],
  starts: readonly ClaimedTask[],
  claim: { max: number; start: number } | null,
): Promise<ClaimedTask[]> {
  const now = Date.now();
  const call = buildCycleTasks({
    keys,
    now,
    maxLen: 10_000,
    worker: 'w1',
    keep: KEEP,
    completions: done.map((t) => ({ id: t.id, attempt: t.attempt, json: '{"ok":true}', createdAt: now - 5 })),
    starts: starts.map((t) => ({ id: t.id, attempt: t.attempt + 1 })),
    claim: claim ? { ...claim, promote: 100, steal: 0 } : null,
    leaveIdle: false,
    registerIdle: false,
    idleTtlMs: 5000,
  });
  const sent = { queue: 'q', completions: done.length, starts: starts.length };
  const r = decodeCycleTasks(await callScript(redis, CYCLE_TASKS, call), sent);
  if (r.accepted.includes(false) || r.started.some((s) => s !== 'started'))
    throw new Error('a report or start was refused: the bench lost track of its tasks');
  return r.claimed;
}

/** Drains the queue as a worker of concurrency `c` whose rounds carry `b` tasks; returns the rounds sent. */
async function drain(redis: Redis, b: number, c: number, direct: boolean): Promise<number> {
  const running: ClaimedTask[] = [];
  const window: ClaimedTask[] = [];
  let dry = false;
  let rounds = 0;
  for (let first = true; !dry || running.length > 0 || window.length > 0; first = false) {
    const full = running.length >= c || (dry && window.length === 0);
    const done = full ? running.splice(0, b) : [];
    const starts = direct || first ? [] : window.splice(0, b);
    const want = first ? c : b;
    const claim = dry
      ? null
      : direct
        ? { max: want, start: want }
        : { max: first ? 2 * c : b, start: first ? c : 0 };
    const claimed = await round(redis, done, starts, claim);
    rounds++;
    running.push(...starts.map((t) => ({ ...t, attempt: t.attempt + 1 })));
    for (const t of claimed) (t.started ? running : window).push(t);
    if (claim && claimed.length < claim.max) dry = true;
  }
  return rounds;
}

/** redis-server on a free port, under callgrind when asked. */
async function startServer(port: number, callgrindDir: string | undefined): Promise<ChildProcess> {
  const server = ['redis-server', '--port', String(port), '--save', '', '--appendonly', 'no'];
  const proc = callgrindDir
    ? spawn('valgrind', ['--tool=callgrind', `--callgrind-out-file=${callgrindDir}/cg.%p`, ...server], {
        stdio: 'ignore',
      })
    : spawn(server[0]!, server.slice(1), { stdio: 'ignore' });
  const probe = new Redis({ port, lazyConnect: true, retryStrategy: () => 100 });
  probe.on('error', () => {}); // refused until the server listens (valgrind takes seconds)
  for (let i = 0; i < 300; i++) {
    if (
      await probe.ping().then(
        () => true,
        () => false,
      )
    )
      break;
    await sleep(100);
  }
  probe.disconnect();
  return proc;
}

/** Instructions Redis executed while `fn` ran (callgrind: zero the counters, run, dump). */
async function instructions(pid: number, dir: string, fn: () => Promise<void>): Promise<number> {
  execFileSync('callgrind_control', ['-z', String(pid)], { stdio: 'ignore' });
  await fn();
  const before = new Set(readdirSync(dir));
  execFileSync('callgrind_control', ['-d', String(pid)], { stdio: 'ignore' });
  const dump = readdirSync(dir).find((f) => !before.has(f));
  const total = dump && /^summary: (\d+)/m.exec(readFileSync(join(dir, dump), 'utf8'));
  if (!total) throw new Error(`no callgrind summary in ${dir}`);
  return Number(total[1]);
}

/** Redis CPU, commands and (callgrind) instructions per task of `fn`, which handles `tasks` tasks. */
async function costOf(redis: Redis, server: ChildProcess, tasks: number, fn: () => Promise<unknown>) {
  const dir = args.callgrind;
  await redis.config('RESETSTAT');
  const before = await snapshot(redis);
  let ir: number | null = null;
  if (dir) ir = await instructions(server.pid!, dir, async () => void (await fn()));
  else await fn();
  const d = diff(before, await snapshot(redis));
  return {
    'Redis CPU µs/task': +(d.mainThreadCpuUs / tasks).toFixed(2),
    'cmds/task': +(d.otherCalls / tasks).toFixed(2),
    'k instructions/task': ir === null ? '' : +(ir / tasks / 1000).toFixed(2),
  };
}

const callgrindDir = args.callgrind ? mkdtempSync(join(args.callgrind, 'round-cost-')) : undefined;
if (callgrindDir) args.callgrind = callgrindDir;
const port = await freePort();
const server = await startServer(port, callgrindDir);
const redis = new Redis({ port });
useFunctionScripts(redis);
try {
  const rows: Record<string, unknown>[] = [];
  const count = Number(args.tasks);
  for (const shape of args.rounds!.split(',')) {
    const [b, c] = shape.split('/').map(Number) as [number, number];
    await redis.flushall();
    await submit(redis, KEEP + 2000, 500);
    await drain(redis, 400, 400, true); // the succeeded set at its cap: every round trims
    const tasks = Math.max(count, b * 100);
    await submit(redis, tasks, 500);
    let rounds = 0;
    const cost = await costOf(redis, server, tasks, async () => {
      rounds = await drain(redis, b, c, args.direct!);
    });
    rows.push({
      case: `rounds of ${b}, concurrency ${c}`,
      'tasks/round': +(tasks / rounds).toFixed(1),
      ...cost,
    });
  }
  for (const perCall of [500, 1]) {
    await redis.flushall();
    const tasks = perCall === 1 ? Math.min(count, 2000) : count;
    rows.push({
      case: `submitPlain of ${perCall}`,
      ...(await costOf(redis, server, tasks, () => submit(redis, tasks, perCall))),
    });
  }
  console.table(rows);
  if (callgrindDir) console.log(`callgrind dumps: ${callgrindDir} (callgrind_annotate --inclusive=yes)`);
} finally {
  redis.disconnect();
  server.kill();
}
