/**
 * The coordinator's cost per cycle grows with the number of workers, not of
 * tasks (issue 4). On a throwaway redis-server of its own, fills one queue
 * with queued tasks, registers simulated workers (a heartbeat each, and a
 * small window and running set from a real claim), then runs one tick of
 * each leader unit (FailureDetector, Promoter, DeadlineSweeper, Janitor,
 * Rollup) per cycle, and measures what Redis spent, at 100k and 1M tasks
 * and at 5 and 50 workers.
 *
 *   node packages/coordinator/dist/bench/cycle.js [--small 100000] [--large 1000000]
 *        [--few 5] [--many 50] [--cycles 60] [--retired 200]
 *
 * Two passes per configuration:
 * - with SLOWLOG recording every command (slowlog-log-slower-than 0): each
 *   unit's top-level commands and their execution time. Commands run inside a
 *   Lua script show up with client `?:0` and are counted within their
 *   EVALSHA, not twice (INFO commandstats would count them twice);
 * - without it: Redis process CPU (INFO cpu, user + sys) and wall time over
 *   the whole pass, divided by the number of cycles.
 *
 * The coordinator's clock is a ManualClock moved on 1 s per cycle, so that
 * each Rollup tick rolls up one new second (as it does once a second in
 * production) and one cycle in 60 also rolls up a minute. Heartbeats are
 * written once; the heartbeat timeout is a day, so no worker is declared
 * dead during a pass (the steady state: the detector's cost with dead
 * workers is that of recovering them).
 *
 * A last configuration adds workers that ran and stopped cleanly (as
 * Worker.close() does): they leave the registry but stay in the queue's
 * worker set, which the roll-up reads (see test/e2e/retired-workers.test.ts).
 *
 * Prints a table and writes packages/coordinator/bench/results/cycle.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  Client,
  EngineContext,
  ManualClock,
  type RedisClient,
  recoverWorker,
  removeWorker,
  silentLogger,
  type WorkerInfo,
  WorkerOps,
  writeHeartbeat,
} from '@dtps/core';
import { RedisServer } from '@dtps/core/testing';
import { FailureDetector } from '../src/units/failure-detector.js';
import { Rollup } from '../src/units/rollup.js';
import { DeadlineSweeper, Janitor, Promoter } from '../src/units/sweepers.js';

const { values: args } = parseArgs({
  options: {
    small: { type: 'string', default: '100000' },
    large: { type: 'string', default: '1000000' },
    few: { type: 'string', default: '5' },
    many: { type: 'string', default: '50' },
    cycles: { type: 'string', default: '60' },
    retired: { type: 'string', default: '200' },
  },
});

function intArg(name: string, value: string | undefined, min = 1): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) {
    console.error(`--${name} must be an integer ≥ ${min}, got ${value}`);
    process.exit(2);
  }
  return n;
}

const SMALL = intArg('small', args.small);
const LARGE = intArg('large', args.large);
const FEW = intArg('few', args.few);
const MANY = intArg('many', args.many);
const CYCLES = intArg('cycles', args.cycles);
const RETIRED = intArg('retired', args.retired, 0);
const WARMUP = 5;
const CHUNK = 1000;
const PREFIX = 'bench';
const QUEUE = 'default';
const DAY_MS = 86_400_000;

const UNITS = ['failureDetector', 'promoter', 'deadlineSweeper', 'janitor', 'rollup'] as const;
type UnitName = (typeof UNITS)[number];

/** What Redis did for one unit's tick, from the slow log. */
interface TickCost {
  /** Top-level commands the unit sent (MULTI/EXEC bodies count per command). */
  commands: number;
  /** Their execution time in Redis, µs (a script's inner commands are inside its EVALSHA). */
  usec: number;
  /** Commands run inside Lua scripts (not counted in `commands`). */
  scriptInner: number;
}

interface ConfigResult {
  tasks: number;
  workers: number;
  /** Workers that stopped cleanly earlier and are still members of the queue's worker set. */
  retiredInQueueSet: number;
  cycles: number;
  /** Per cycle, from the slow log pass: mean and p95 over cycles. */
  redisUsecPerCycle: { mean: number; p50: number; p95: number };
  commandsPerCycle: number;
  scriptInnerCommandsPerCycle: number;
  /** Mean per unit tick. */
  perUnit: Record<UnitName, { usec: number; commands: number; scriptInner: number }>;
  /** From the pass without the slow log. */
  redisCpuUsecPerCycle: number;
  wallMsPerCycle: { mean: number; p50: number; p95: number };
  redisUsedMemoryMb: number;
}

function stats(xs: readonly number[]): { mean: number; p50: number; p95: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return { mean: round(mean), p50: round(at(0.5)), p95: round(at(0.95)) };
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function infoFields(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

async function redisCpuUsec(redis: RedisClient): Promise<number> {
  const f = infoFields(await redis.info('cpu'));
  return (Number(f.used_cpu_user) + Number(f.used_cpu_sys)) * 1e6;
}

/** Entries of the slow log since the last reset, as a unit's cost (bench's own commands left out). */
async function slowlogCost(admin: RedisClient): Promise<TickCost> {
  const entries = (await admin.call('SLOWLOG', 'GET', '-1')) as [
    number,
    number,
    number,
    string[],
    string,
    string,
  ][];
  await admin.call('SLOWLOG', 'RESET');
  const cost: TickCost = { commands: 0, usec: 0, scriptInner: 0 };
  for (const [, , usec, argv, addr] of entries) {
    const cmd = (argv[0] ?? '').toLowerCase();
    if (cmd === 'slowlog' || cmd === 'info' || cmd === 'config') continue;
    if (addr === '?:0') {
      cost.scriptInner++;
      continue;
    }
    cost.commands++;
    cost.usec += usec;
  }
  return cost;
}

function heartbeat(id: string, now: number): WorkerInfo {
  return {
    id,
    host: 'bench',
    pid: 0,
    version: 'bench',
    queues: [QUEUE],
    handlers: ['noop'],
    poolSize: 2,
    min: 1,
    max: 10,
    busy: 2,
    window: 3,
    processed: 0,
    failed: 0,
    steals: 0,
    steal: false,
    paused: false,
    draining: false,
    isolation: 'inline',
    memoryRss: 0,
    eventLoopLagMs: 0,
    startedAt: now,
    lastHeartbeatAt: now,
  };
}

async function main(): Promise<void> {
  const server = await RedisServer.start({ args: ['--slowlog-max-len', '100000'] });
  const redis = server.client(); // the coordinator's connection
  const admin = server.client(); // INFO, SLOWLOG, CONFIG
  const fillRedis = server.client();
  await Promise.all([redis.client('SETNAME', 'coordinator'), admin.client('SETNAME', 'bench-admin')]);
  const clock = new ManualClock(Date.now());
  const ctx = new EngineContext({ redis, prefix: PREFIX, clock });
  const client = new Client({ redis: fillRedis, prefix: PREFIX });
  const log = silentLogger();
  const units: Record<UnitName, { tick(): Promise<unknown> }> = {
    failureDetector: new FailureDetector(ctx, DAY_MS, log),
    promoter: new Promoter(ctx, log),
    deadlineSweeper: new DeadlineSweeper(ctx, log),
    janitor: new Janitor(ctx, log),
    rollup: new Rollup(ctx, DAY_MS, log),
  };

  let filled = 0;
  const fillTo = async (n: number) => {
    const started = performance.now();
    const from = filled;
    const inflight = 4;
    let next = filled;
    const worker = async () => {
      while (next < n) {
        const size = Math.min(CHUNK, n - next);
        next += size;
        await client.submitMany(Array.from({ length: size }, () => ({ type: 'noop' })));
        filled += size;
        if (filled % 100_000 === 0) process.stdout.write(`  … ${filled.toLocaleString('en')} queued\n`);
      }
    };
    await Promise.all(Array.from({ length: inflight }, worker));
    const s = (performance.now() - started) / 1000;
    console.log(
      `filled ${(n - from).toLocaleString('en')} tasks in ${s.toFixed(1)} s (${Math.round((n - from) / s).toLocaleString('en')}/s)`,
    );
  };

  const workers: string[] = [];
  const addWorkers = async (n: number) => {
    while (workers.length < n) {
      const id = `sim-${String(workers.length + 1).padStart(3, '0')}`;
      await writeHeartbeat(ctx, heartbeat(id, clock.now()));
      const claimed = (await new WorkerOps(ctx, id).cycle(QUEUE, { claim: { max: 5, start: 2 } })).claim;
      if (claimed.tasks.length !== 5) throw new Error(`worker ${id} claimed ${claimed.tasks.length}, not 5`);
      workers.push(id);
    }
  };
  const dropWorkers = async (n: number) => {
    while (workers.length > n) {
      const id = workers.pop()!;
      await recoverWorker(ctx, id);
      await removeWorker(ctx, id);
    }
  };

  // Workers that ran and then stopped the way Worker.close() does: window handed back,
  // running tasks reported, registry entry removed.
  let retired = 0;
  const retireWorkers = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const id = `retired-${String(i + 1).padStart(4, '0')}`;
      const ops = new WorkerOps(ctx, id);
      await writeHeartbeat(ctx, heartbeat(id, clock.now()));
      const { tasks } = (await ops.cycle(QUEUE, { claim: { max: 5, start: 2 } })).claim;
      await ops.release(QUEUE);
      await ops.complete(
        QUEUE,
        tasks.filter((t) => t.started).map((t) => ({ id: t.id, attempt: t.attempt, result: null })),
      );
      await removeWorker(ctx, id);
      retired++;
    }
  };

  const cycle = async (perUnit?: Record<UnitName, TickCost[]>) => {
    clock.advance(1000);
    for (const name of UNITS) {
      if (perUnit) await admin.call('SLOWLOG', 'RESET');
      await units[name].tick();
      if (perUnit) perUnit[name].push(await slowlogCost(admin));
    }
  };

  const measureConfig = async (): Promise<ConfigResult> => {
    for (let i = 0; i < WARMUP; i++) await cycle();
    // Pass 1: every command in the slow log.
    await admin.config('SET', 'slowlog-log-slower-than', '0');
    await admin.call('SLOWLOG', 'RESET');
    const perUnit = Object.fromEntries(UNITS.map((u) => [u, [] as TickCost[]])) as Record<
      UnitName,
      TickCost[]
    >;
    for (let i = 0; i < CYCLES; i++) await cycle(perUnit);
    await admin.config('SET', 'slowlog-log-slower-than', '-1');
    // Pass 2: CPU and wall time, nothing else in the way.
    const walls: number[] = [];
    const cpu0 = await redisCpuUsec(admin);
    for (let i = 0; i < CYCLES; i++) {
      const t0 = performance.now();
      await cycle();
      walls.push(performance.now() - t0);
    }
    const cpu1 = await redisCpuUsec(admin);
    const perCycleUsec = Array.from({ length: CYCLES }, (_, i) =>
      UNITS.reduce((n, u) => n + perUnit[u][i]!.usec, 0),
    );
    const sum = (u: UnitName, f: keyof TickCost) => perUnit[u].reduce((n, c) => n + c[f], 0) / CYCLES;
    const memory = infoFields(await admin.info('memory'));
    return {
      tasks: filled,
      workers: workers.length,
      retiredInQueueSet: retired,
      cycles: CYCLES,
      redisUsecPerCycle: stats(perCycleUsec),
      commandsPerCycle: round(UNITS.reduce((n, u) => n + sum(u, 'commands'), 0)),
      scriptInnerCommandsPerCycle: round(UNITS.reduce((n, u) => n + sum(u, 'scriptInner'), 0)),
      perUnit: Object.fromEntries(
        UNITS.map((u) => [
          u,
          {
            usec: round(sum(u, 'usec')),
            commands: round(sum(u, 'commands')),
            scriptInner: round(sum(u, 'scriptInner')),
          },
        ]),
      ) as ConfigResult['perUnit'],
      redisCpuUsecPerCycle: round((cpu1 - cpu0) / CYCLES),
      wallMsPerCycle: stats(walls.map((w) => round(w, 2))),
      redisUsedMemoryMb: round(Number(memory.used_memory) / 2 ** 20),
    };
  };

  const results: ConfigResult[] = [];
  const run = async (label: string) => {
    console.log(`measuring ${label}: ${filled.toLocaleString('en')} tasks, ${workers.length} workers…`);
    const r = await measureConfig();
    results.push(r);
    console.log(
      `  ${r.redisUsecPerCycle.mean} µs Redis time/cycle (slow log), ${r.redisCpuUsecPerCycle} µs Redis CPU/cycle, ${r.commandsPerCycle} commands/cycle`,
    );
  };

  try {
    await fillTo(SMALL);
    await addWorkers(FEW);
    await run('small queue, few workers');
    await addWorkers(MANY);
    await run('small queue, many workers');
    await fillTo(LARGE);
    await run('large queue, many workers');
    await dropWorkers(FEW);
    await run('large queue, few workers');
    if (RETIRED > 0) {
      await retireWorkers(RETIRED);
      await run(
        `large queue, few workers, ${RETIRED} cleanly stopped workers still in the queue's worker set`,
      );
    }
  } finally {
    await client.close();
    await server.stop();
  }

  printTable(results);
  const out = fileURLToPath(new URL('../../bench/results/cycle.json', import.meta.url));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify(
      {
        bench: 'coordinator cycle cost',
        at: new Date().toISOString(),
        machine: {
          cpus: cpus().length,
          model: cpus()[0]?.model ?? '',
          loadavg: loadAverage(),
        },
        node: process.version,
        cycle: 'one tick each of FailureDetector, Promoter, DeadlineSweeper, Janitor, Rollup',
        method: {
          redisUsecPerCycle:
            'SLOWLOG with slowlog-log-slower-than 0: execution time of the top-level commands of a cycle (script inner commands counted inside their EVALSHA)',
          redisCpuUsecPerCycle:
            'INFO cpu used_cpu_user + used_cpu_sys delta over a pass without the slow log, / cycles',
          wallMsPerCycle: 'client-side time of a cycle (Node + network + Redis), pass without the slow log',
          clock:
            'ManualClock moved 1 s per cycle: each Rollup tick rolls one new second; one cycle in 60 a minute',
        },
        results,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`\nwrote ${out}`);
}

/** Load averages as an object (arrays of numbers would not match the repository's JSON format). */
function loadAverage(): Record<string, number> {
  const [m1, m5, m15] = loadavg().map((l) => round(l, 2));
  return { '1m': m1!, '5m': m5!, '15m': m15! };
}

function printTable(results: readonly ConfigResult[]): void {
  const rows = results.map((r) => [
    r.tasks.toLocaleString('en'),
    String(r.workers),
    String(r.retiredInQueueSet),
    String(r.redisUsecPerCycle.mean),
    String(r.redisUsecPerCycle.p95),
    String(r.redisCpuUsecPerCycle),
    String(r.commandsPerCycle),
    String(r.wallMsPerCycle.p50),
    ...UNITS.map((u) => String(r.perUnit[u].usec)),
  ]);
  const head = [
    'tasks',
    'workers',
    'retired',
    'Redis µs/cycle',
    'p95',
    'Redis CPU µs/cycle',
    'cmds/cycle',
    'wall ms p50',
    ...UNITS.map((u) => `${u} µs`),
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  console.log(`\n${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const r of rows) console.log(line(r));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
