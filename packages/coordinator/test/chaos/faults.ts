/**
 * The fault driver: from the seeded PRNG, one fault after another until told
 * to stop: kill -9 of a worker (restarted under a new id), SIGSTOP of a
 * worker past the heartbeat timeout (then SIGCONT), kill -9 of the leader
 * coordinator (restarted as a standby), kill -9 of Redis and its restart from
 * the AOF. Faults are sequential, so each one's recovery is measured alone.
 */
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client, Inspector } from '@dtps/core';
import type { RedisServer } from '@dtps/core/testing';
import type { Fleet } from './fleet.js';
import type { Rng } from './rng.js';

export type FaultKind = 'worker-kill' | 'worker-stop' | 'leader-kill' | 'redis-restart';
export const FAULT_KINDS: readonly FaultKind[] = [
  'worker-kill',
  'worker-stop',
  'leader-kill',
  'redis-restart',
];

/** One fault as it happened. */
export interface Fault {
  kind: FaultKind;
  /** The process hit: a worker or coordinator id, or `redis`. */
  target: string;
  /** Epoch ms of the kill or stop. */
  at: number;
  /** Worker faults: the tasks the worker held (running or reserved) right after the signal. */
  held: string[];
  /** Worker-stop: when the worker was continued. */
  continuedAt?: number;
  /** Leader-kill: when another coordinator held the lease. Redis: when a completion was accepted again. */
  recoveredAt?: number;
  /** Redis: when the restarted server answered again. */
  backAt?: number;
}

/** What the driver acts on. */
export interface FaultTargets {
  fleet: Fleet;
  redis: RedisServer;
  client: Client;
  inspector: Inspector;
}

const WEIGHTS: readonly (readonly [FaultKind, number])[] = [
  ['worker-kill', 35],
  ['worker-stop', 25],
  ['leader-kill', 20],
  ['redis-restart', 20],
];

/** How long a recovery may take before the driver moves on (the checker still sees it). */
const RECOVERY_WAIT_MS = 30_000;

export class FaultDriver {
  readonly faults: Fault[] = [];
  /** Ids of the processes the driver killed (their exit is no crash). */
  readonly killed = new Set<string>();
  #count = 0;

  constructor(
    private readonly rng: Rng,
    private readonly t: FaultTargets,
    private readonly stopMs: () => number,
    private readonly log: (line: string) => void,
  ) {}

  /** Injects faults until `done()` says so; every kind at least once (the first four are one of each). */
  async run(done: () => boolean): Promise<void> {
    const first = this.rng.shuffle(FAULT_KINDS);
    while (!done()) {
      await sleep(this.rng.int(800, 2500));
      if (done()) break;
      const kind = this.#count < first.length ? first[this.#count]! : this.rng.weighted(WEIGHTS);
      this.#count++;
      const slot = this.rng.int(0, this.t.fleet.workers.length - 1);
      const fault = await this.#inject(kind, slot);
      if (fault) {
        this.faults.push(fault);
        this.log(`fault ${this.faults.length}: ${kind} ${fault.target}`);
      }
    }
  }

  async #inject(kind: FaultKind, slot: number): Promise<Fault | undefined> {
    switch (kind) {
      case 'worker-kill':
        return this.#killWorker(slot);
      case 'worker-stop':
        return this.#stopWorker(slot);
      case 'leader-kill':
        return this.#killLeader();
      case 'redis-restart':
        return this.#restartRedis();
    }
  }

  async #killWorker(slot: number): Promise<Fault> {
    const w = this.t.fleet.workers[slot]!;
    this.killed.add(w.id);
    const at = Date.now();
    await w.kill9();
    const held = await this.#held(w.id);
    await this.t.fleet.startWorker(slot);
    return { kind: 'worker-kill', target: w.id, at, held };
  }

  async #stopWorker(slot: number): Promise<Fault> {
    const w = this.t.fleet.workers[slot]!;
    w.signal('SIGSTOP');
    const at = Date.now();
    const held = await this.#held(w.id);
    await sleep(this.stopMs() + this.rng.int(300, 1200));
    w.signal('SIGCONT');
    return { kind: 'worker-stop', target: w.id, at, held, continuedAt: Date.now() };
  }

  async #killLeader(): Promise<Fault | undefined> {
    const leader = await this.t.inspector.leader();
    const slot = leader === null ? -1 : this.t.fleet.coordinatorSlot(leader);
    if (slot < 0) return undefined;
    const c = this.t.fleet.coordinators[slot]!;
    this.killed.add(c.id);
    const at = Date.now();
    await c.kill9();
    const restarted = this.t.fleet.startCoordinator(slot);
    let recoveredAt: number | undefined;
    const until = at + RECOVERY_WAIT_MS;
    while (recoveredAt === undefined && Date.now() < until) {
      const now = await this.t.inspector.leader();
      if (now !== null && now !== c.id) recoveredAt = Date.now();
      else await sleep(10);
    }
    await restarted;
    return { kind: 'leader-kill', target: c.id, at, held: [], ...(recoveredAt ? { recoveredAt } : {}) };
  }

  async #restartRedis(): Promise<Fault> {
    const totals = this.t.client.ctx.keys('default').totals;
    const at = Date.now();
    await this.t.redis.kill9();
    await sleep(this.rng.int(200, 1000));
    await repairAof(this.t.redis.dir);
    await this.t.redis.restart();
    const backAt = Date.now();
    const before = Number((await this.t.client.ctx.redis.hget(totals, 'succeeded')) ?? 0);
    let recoveredAt: number | undefined;
    const until = backAt + RECOVERY_WAIT_MS;
    while (recoveredAt === undefined && Date.now() < until) {
      if (Number((await this.t.client.ctx.redis.hget(totals, 'succeeded')) ?? 0) > before)
        recoveredAt = Date.now();
      else await sleep(10);
    }
    return {
      kind: 'redis-restart',
      target: 'redis',
      at,
      held: [],
      backAt,
      ...(recoveredAt ? { recoveredAt } : {}),
    };
  }

  /** The tasks a worker holds in the default queue: running and reserved. */
  async #held(workerId: string): Promise<string[]> {
    const k = this.t.client.ctx.keys('default');
    const redis = this.t.client.ctx.redis;
    const [running, window] = await Promise.all([
      redis.zrange(k.running(workerId), '0', '-1'),
      redis.zrange(k.window(workerId), '0', '-1'),
    ]);
    return [...running, ...window];
  }
}

/**
 * What docs/durability.md tells an operator to do after a crash: cut the AOF's
 * torn tail with `redis-check-aof --fix` before Redis starts. Redis 7.0's own
 * truncation on load (`aof-load-truncated yes`) can leave a MULTI block open
 * when the tear falls inside one, and the next restart then replays later
 * writes inside it (docs/chaos.md); the server runs with `aof-load-truncated
 * no`, so a tail this step missed stops Redis loudly instead.
 */
async function repairAof(dir: string): Promise<void> {
  const aofDir = join(dir, 'appendonlydir');
  const manifest = (await readdir(aofDir).catch(() => [])).find((f) => f.endsWith('.manifest'));
  if (!manifest) return;
  await new Promise<void>((resolve) => {
    const child = execFile('redis-check-aof', ['--fix', join(aofDir, manifest)], () => resolve());
    child.stdin?.end('y\n');
  });
}
