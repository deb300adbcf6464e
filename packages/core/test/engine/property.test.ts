/**
 * Model-based property test of the engine: random sequences of commands
 * (submit, claim, start, complete, fail, cancel, steal, recover, release,
 * retry, sweeps, clock moves, fenced and stale reports) run against the real
 * engine — one fresh prefix per run — and against the in-memory model of
 * model.ts. After every step: every task is readable and in the model's state
 * (nothing lost), the counts agree, each running task is in exactly one
 * worker's running set (with its attempt as the fence), and the ready set,
 * windows, scheduled set, pending set and terminal sets hold exactly what the
 * model says, in priority/FIFO order.
 *
 * Where the engine makes a choice of its own (backoff jitter after a failed
 * attempt, SMEMBERS order of dependents released together, the victim among
 * equally long peer windows), the test checks the choice was allowed and
 * reads it back into the model.
 *
 * 40 runs by default (the first three are the EXAMPLES below). Knobs:
 * DTPS_PROPERTY_RUNS=<n> for a longer soak; DTPS_PROPERTY_SEED and
 * DTPS_PROPERTY_PATH replay a reported failure; DTPS_PROPERTY_LOG=1 prints
 * every run's steps.
 */
import assert from 'node:assert/strict';
import test from 'ava';
import fc from 'fast-check';
import {
  type BackoffPolicy,
  DtpsError,
  expireDue,
  InvalidStateError,
  priorityOfScore,
  promoteDue,
  recoverWorker,
  type TaskSpec,
  type TaskState,
} from '../../src/index.js';
import { type Engine, useEngine } from './fixture.js';
import { isTerminalState, Model, type ModelTask } from './model.js';

const engine = useEngine(test);

const QUEUE = 'default';
const WORKERS = ['w1', 'w2', 'w3'];
const BACKOFF: BackoffPolicy = { type: 'exponential', baseMs: 100, maxMs: 1000, jitter: true };
const TERMINAL_KINDS = ['succeeded', 'failed', 'expired', 'cancelled'] as const;

type Fence = 'ok' | 'attempt' | 'worker';

type Cmd =
  | {
      k: 'submit';
      priority: number;
      maxRetries: number;
      delayMs: number | null;
      deadlineIn: number | null;
      deps: number[];
    }
  | { k: 'claim'; w: number; max: number; start: number; steal: number }
  | { k: 'start'; pick: number; other: boolean; w: number }
  | { k: 'complete'; pick: number; fence: Fence }
  | { k: 'fail'; pick: number; fence: Fence; permanent: boolean }
  | { k: 'cancel'; pick: number }
  | { k: 'steal'; w: number; v: number; max: number }
  | { k: 'recover'; w: number }
  | { k: 'release'; w: number; all: boolean; pick: number }
  | { k: 'advance'; ms: number }
  | { k: 'promote' }
  | { k: 'expire' }
  | { k: 'retry'; pick: number; any: boolean }
  | { k: 'stale'; pick: number; complete: boolean };

const fence = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Fence>('ok') },
  { weight: 1, arbitrary: fc.constant<Fence>('attempt') },
  { weight: 1, arbitrary: fc.constant<Fence>('worker') },
);

/** Sometimes a value, more often null. */
/** True one time in four. */
const rarely = fc.oneof(
  { weight: 3, arbitrary: fc.constant(false) },
  { weight: 1, arbitrary: fc.constant(true) },
);

function sometimes<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> {
  return fc.oneof({ weight: 2, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });
}

const submitArb: fc.Arbitrary<Cmd> = fc.record({
  k: fc.constant('submit' as const),
  priority: fc.integer({ min: 1, max: 10 }),
  maxRetries: fc.integer({ min: 0, max: 2 }),
  delayMs: sometimes(fc.integer({ min: 0, max: 3000 })),
  deadlineIn: sometimes(fc.integer({ min: 1, max: 8000 })),
  deps: fc.oneof(
    { weight: 3, arbitrary: fc.constant<number[]>([]) },
    { weight: 1, arbitrary: fc.array(fc.nat(), { minLength: 1, maxLength: 2 }) },
  ),
});

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 6, arbitrary: submitArb },
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant('claim' as const),
      w: fc.nat(),
      max: fc.integer({ min: 1, max: 5 }),
      start: fc.integer({ min: 0, max: 5 }),
      steal: fc.oneof(
        { weight: 3, arbitrary: fc.constant(0) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) },
      ),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant('start' as const),
      pick: fc.nat(),
      other: rarely,
      w: fc.nat(),
    }),
  },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('complete' as const), pick: fc.nat(), fence }) },
  {
    weight: 3,
    arbitrary: fc.record({ k: fc.constant('fail' as const), pick: fc.nat(), fence, permanent: fc.boolean() }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('cancel' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('steal' as const),
      w: fc.nat(),
      v: fc.nat(),
      max: fc.integer({ min: 1, max: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('recover' as const), w: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('release' as const),
      w: fc.nat(),
      all: fc.boolean(),
      pick: fc.nat(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ k: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 5000 }) }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('promote' as const) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('expire' as const) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('retry' as const), pick: fc.nat(), any: rarely }) },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant('stale' as const), pick: fc.nat(), complete: fc.boolean() }),
  },
);

function pickOf<T>(list: readonly T[], n: number): T | undefined {
  return list.length === 0 ? undefined : list[n % list.length];
}

/** The largest backoff delay of retry number `attempt` (full jitter picks in [0, this]). */
function backoffCap(attempt: number): number {
  return Math.min(BACKOFF.baseMs * 2 ** (attempt - 1), BACKOFF.maxMs);
}

class Run {
  readonly model = new Model();
  readonly k;
  readonly log: string[] = [];
  constructor(
    readonly e: Engine,
    readonly workers: readonly string[],
  ) {
    this.k = e.client.ctx.keys(QUEUE);
  }

  now(): number {
    return this.e.clock.now();
  }

  skip(what: string): void {
    this.log.push(what);
  }

  hash(id: string): Promise<Record<string, string>> {
    return this.e.redis.hgetall(this.k.task(id)) as Promise<Record<string, string>>;
  }

  /** Tasks in submission order that satisfy `f`. */
  tasks(f: (t: ModelTask) => boolean): ModelTask[] {
    return this.model.ids.map((id) => this.model.get(id)).filter(f);
  }

  /**
   * A failed attempt whose outcome the engine chose by its backoff jitter:
   * checks the choice was allowed and returns the run time when scheduled.
   */
  async checkBackoffChoice(t: ModelTask, state: string, attempt: number): Promise<number | null> {
    const now = this.now();
    const cap = backoffCap(attempt);
    if (state === 'scheduled') {
      const score = await this.e.redis.zscore(this.k.scheduled, t.id);
      assert.notEqual(score, null, `${t.id} scheduled but not in the scheduled set`);
      const runAt = Number(score);
      assert.ok(runAt > now && runAt <= now + cap, `retry of ${t.id} at +${runAt - now} ms, cap ${cap}`);
      if (t.deadline !== null)
        assert.ok(runAt < t.deadline, `retry of ${t.id} scheduled at or past its deadline`);
      return runAt;
    }
    if (state === 'queued') {
      assert.ok(t.deadline === null || t.deadline > now, `${t.id} requeued past its deadline`);
      return null;
    }
    if (state === 'expired') {
      assert.ok(t.deadline !== null && t.deadline <= now + cap, `${t.id} expired though its deadline is far`);
      return null;
    }
    assert.fail(`failed attempt of ${t.id} moved it to ${state}`);
  }

  async step(cmd: Cmd): Promise<void> {
    const { e, model, workers } = this;
    const now = this.now();
    const ops = (w: string) => e.ops(w);
    const w = 'w' in cmd ? workers[cmd.w % workers.length]! : '';
    switch (cmd.k) {
      case 'submit': {
        // Half of the dependencies are on the first three tasks, so that parents get several dependents.
        const n = model.ids.length;
        const deps = [
          ...new Set(cmd.deps.flatMap((i) => (n ? [model.ids[i % (i % 2 ? Math.min(n, 3) : n)]!] : []))),
        ];
        const runAt = cmd.delayMs !== null && cmd.delayMs > 0 ? now + cmd.delayMs : null;
        const deadline = cmd.deadlineIn === null ? null : now + (cmd.delayMs ?? 0) + cmd.deadlineIn;
        const spec: TaskSpec = { type: 'noop', priority: cmd.priority, maxRetries: cmd.maxRetries };
        if (cmd.delayMs !== null) spec.delayMs = cmd.delayMs;
        if (deadline !== null) spec.deadline = deadline;
        if (deps.length > 0) spec.dependsOn = deps;
        const r = await e.client.submit(spec);
        const expected = model.submit(
          r.id,
          { priority: cmd.priority, maxRetries: cmd.maxRetries, deadline, runAt, deps },
          now,
        );
        this.log.push(
          `submit ${r.id} p${cmd.priority} r${cmd.maxRetries} delay=${cmd.delayMs} dl=${deadline === null ? '-' : `+${deadline - now}`} deps=[${deps}] → ${r.state}`,
        );
        assert.equal(r.state, expected);
        assert.equal(r.duplicate, false);
        return;
      }
      case 'claim': {
        const res = await ops(w).claim(QUEUE, { max: cmd.max, start: cmd.start, steal: cmd.steal });
        // When peers' windows are equally longest, the engine's pick shows as the one that shrank.
        const before = model.windowLengths();
        const after = await Promise.all(workers.map((x) => e.redis.zcard(this.k.window(x))));
        const exp = model.claim(w, cmd, now, (candidates) => {
          const victim = candidates.find((c) => after[workers.indexOf(c)]! < before.get(c)!);
          assert.ok(victim, `claim stole from none of ${candidates}`);
          return victim;
        });
        this.log.push(
          `claim ${w} max=${cmd.max} start=${cmd.start} steal=${cmd.steal} → ${res.tasks.map((t) => `${t.id}${t.started ? '*' : ''}`)} stolen=${res.stolen}`,
        );
        assert.deepEqual(
          res.tasks.map((t) => ({ id: t.id, attempt: t.attempt, started: t.started })),
          exp.handed,
        );
        for (const t of res.tasks) {
          assert.equal(t.priority, model.get(t.id).priority);
          assert.equal(priorityOfScore(t.score), t.priority);
          assert.equal(t.deadline, model.get(t.id).deadline);
        }
        assert.equal(res.nextDueAt, exp.nextDueAt);
        assert.equal(res.stolen, exp.stolen);
        return;
      }
      case 'start': {
        const reserved = this.tasks((t) => t.state === 'reserved');
        const live = this.tasks((t) => !isTerminalState(t.state));
        const t = cmd.other ? pickOf(live, cmd.pick) : pickOf(reserved, cmd.pick);
        if (!t) return this.skip('start: nothing');
        const worker = cmd.other ? w : t.worker!;
        const attempt = t.attempt + 1;
        const deadline = t.deadline;
        const [out] = await ops(worker).start(QUEUE, [{ id: t.id, attempt, deadline }]);
        const exp = model.start(worker, t.id, attempt, deadline, now);
        this.log.push(`start ${worker} ${t.id} a${attempt} → ${out}`);
        assert.equal(out, exp);
        return;
      }
      case 'complete':
      case 'fail': {
        const t = pickOf(
          this.tasks((x) => x.state === 'running'),
          cmd.pick,
        );
        if (!t) return this.skip(`${cmd.k}: nothing running`);
        let worker = t.worker!;
        let attempt = t.attempt;
        if (cmd.fence === 'attempt') attempt += cmd.pick % 2 === 0 ? 1 : -1;
        if (cmd.fence === 'worker') worker = workers.find((x) => x !== t.worker)!;
        if (cmd.k === 'complete') return this.complete(t, worker, attempt);
        return this.fail(t, worker, attempt, cmd.permanent);
      }
      case 'stale': {
        const t = pickOf(
          this.tasks(
            (x) => x.lastFence !== null && !model.fenceHolds(x.lastFence.worker, x.id, x.lastFence.attempt),
          ),
          cmd.pick,
        );
        if (!t) return this.skip('stale: nothing');
        const f = t.lastFence!;
        assert.ok(!model.fenceHolds(f.worker, t.id, f.attempt));
        if (cmd.complete) return this.complete(t, f.worker, f.attempt);
        return this.fail(t, f.worker, f.attempt, false);
      }
      case 'cancel': {
        const t = pickOf(
          this.tasks(() => true),
          cmd.pick,
        );
        if (!t) return this.skip('cancel: nothing');
        const before = t.state;
        const snapshot = isTerminalState(before) ? await this.hash(t.id) : null;
        const exp = model.cancel(t.id);
        try {
          const r = await e.client.cancel(t.id);
          this.log.push(`cancel ${t.id} (${before}) → ok`);
          assert.ok(exp !== null, `cancel of ${before} task ${t.id} was accepted`);
          assert.equal(r.previousState, exp.previousState);
          assert.equal(r.worker, exp.worker);
        } catch (err) {
          this.log.push(`cancel ${t.id} (${before}) → ${(err as Error).message}`);
          if (exp !== null) throw err;
          assert.ok(err instanceof InvalidStateError, String(err));
          assert.equal(err.code, 'invalid_state');
          assert.equal(err.state, before);
          assert.deepEqual(await this.hash(t.id), snapshot);
        }
        return;
      }
      case 'steal': {
        const victim = workers[(cmd.w + 1 + (cmd.v % (workers.length - 1))) % workers.length]!;
        const handed = await ops(w).steal(QUEUE, victim, cmd.max);
        const exp = model.steal(w, victim, cmd.max, now);
        this.log.push(`steal ${w} from ${victim} max=${cmd.max} → ${handed.map((t) => t.id)}`);
        assert.deepEqual(
          handed.map((t) => t.id),
          exp,
        );
        for (const t of handed) {
          assert.equal(t.started, false);
          assert.equal(t.attempt, model.get(t.id).attempt);
        }
        return;
      }
      case 'recover': {
        const plan = model.recoverWindow(w);
        const res = await recoverWorker(e.client.ctx, w);
        this.log.push(`recover ${w} → ${JSON.stringify(res)}`);
        assert.deepEqual(res, { requeued: plan.requeued, recovered: plan.running.length });
        for (const t of plan.running) {
          const state = (await e.client.get(t.id)).state;
          let runAt: number | null = null;
          const verdict = model.failVerdict(t.id, t.attempt, false, this.now());
          if (verdict) assert.equal(state, verdict);
          else runAt = await this.checkBackoffChoice(t, state, t.attempt);
          this.log.push(`  ${t.id} a${t.attempt} → ${state}`);
          model.applyFailure(t.id, state as 'failed', 'worker_lost', runAt);
        }
        return;
      }
      case 'release': {
        const ids = cmd.all
          ? undefined
          : [
              pickOf(
                this.tasks((t) => !isTerminalState(t.state)),
                cmd.pick,
              )?.id ?? 'none',
            ];
        const n = await ops(w).release(QUEUE, ids);
        this.log.push(`release ${w} ${ids ?? 'all'} → ${n}`);
        assert.equal(n, model.release(w, ids));
        return;
      }
      case 'advance':
        e.clock.advance(cmd.ms);
        this.log.push(`advance ${cmd.ms}`);
        return;
      case 'promote': {
        const n = await promoteDue(e.client.ctx, QUEUE);
        this.log.push(`promoteDue → ${n}`);
        assert.equal(n, model.promoteDue(now).length);
        return;
      }
      case 'expire': {
        const n = await expireDue(e.client.ctx, QUEUE);
        this.log.push(`expireDue → ${n}`);
        assert.equal(n, model.expireDue(now));
        return;
      }
      case 'retry': {
        const t = pickOf(
          this.tasks((x) => cmd.any || isTerminalState(x.state)),
          cmd.pick,
        );
        if (!t) return this.skip('retry: nothing');
        const before = t.state;
        const exp = model.retry(t.id, now);
        try {
          const r = await e.client.retry(t.id);
          this.log.push(`retry ${t.id} (${before}) → ${r.state}`);
          assert.ok(exp.ok, `retry of ${before} task ${t.id} was accepted; expected ${JSON.stringify(exp)}`);
          assert.equal(r.state, exp.state);
        } catch (err) {
          this.log.push(`retry ${t.id} (${before}) → ${(err as Error).message}`);
          if (exp.ok) throw err;
          assert.ok(err instanceof DtpsError, String(err));
          assert.equal(err.code, exp.code);
        }
        return;
      }
    }
  }

  async complete(t: ModelTask, worker: string, attempt: number): Promise<void> {
    const { e, model } = this;
    const holds = model.fenceHolds(worker, t.id, attempt);
    const snapshot = holds ? null : await this.hash(t.id);
    const [ok] = await e.ops(worker).complete(QUEUE, [{ id: t.id, attempt, result: { by: worker } }]);
    const released = model.complete(worker, t.id, attempt, this.now());
    this.log.push(
      `complete ${worker} ${t.id} a${attempt} → ${ok}${released?.length ? ` released ${released}` : ''}`,
    );
    assert.equal(ok, released !== null);
    if (released === null) {
      assert.deepEqual(await this.hash(t.id), snapshot, 'a refused report changed the task');
    } else if (released.length > 1) {
      // Dependents released together enter the ready set in an order the engine does not define.
      const scores = await Promise.all(released.map((id) => e.redis.zscore(this.k.ready, id)));
      const order = released.map((id, i) => ({ id, s: Number(scores[i]) })).sort((a, b) => a.s - b.s);
      model.reorder(order.map((x) => x.id));
    }
  }

  async fail(t: ModelTask, worker: string, attempt: number, permanent: boolean): Promise<void> {
    const { e, model } = this;
    const holds = model.fenceHolds(worker, t.id, attempt);
    const snapshot = holds ? null : await this.hash(t.id);
    const [state] = await e
      .ops(worker)
      .fail(QUEUE, [{ id: t.id, attempt, message: 'boom', reason: 'handler_error', permanent }]);
    this.log.push(`fail ${worker} ${t.id} a${attempt}${permanent ? ' permanent' : ''} → ${state}`);
    if (!holds) {
      assert.equal(state, null);
      assert.deepEqual(await this.hash(t.id), snapshot, 'a refused report changed the task');
      return;
    }
    let runAt: number | null = null;
    const verdict = model.failVerdict(t.id, attempt, permanent, this.now());
    if (verdict) assert.equal(state, verdict);
    else runAt = await this.checkBackoffChoice(t, state!, attempt);
    model.applyFailure(t.id, state as 'failed', 'handler_error', runAt);
  }

  /** Engine and model agree, everywhere. */
  async check(): Promise<void> {
    const { e, model, k, workers } = this;
    const r = e.redis;
    // (a) Nothing is lost: every task is readable, in the model's state.
    const got = await Promise.all(model.ids.map((id) => e.client.get(id)));
    got.forEach((task, i) => {
      const m = model.get(model.ids[i]!);
      assert.equal(task.state, m.state, `state of ${m.id}`);
      assert.equal(task.attempts, m.attempt, `attempts of ${m.id}`);
      if (m.state === 'reserved' || m.state === 'running')
        assert.equal(task.worker, m.worker, `worker of ${m.id}`);
      if (m.state === 'failed' || m.state === 'expired' || m.state === 'cancelled') {
        assert.equal(task.reason, m.reason, `reason of ${m.id}`);
      }
    });
    // (b) Counts by state.
    assert.deepEqual(await e.client.counts(QUEUE), model.counts());
    // (c) Each running task is in exactly one worker's running set, with its attempt; windows likewise.
    const registered = await r.smembers(k.workers);
    const all = [...new Set([...workers, ...registered])];
    const runSets = await Promise.all(all.map((w) => r.zrange(k.running(w), '0', '-1', 'WITHSCORES')));
    const windows = await Promise.all(all.map((w) => r.zrange(k.window(w), '0', '-1')));
    const seen = new Map<string, number>();
    all.forEach((w, i) => {
      const flat = runSets[i]!;
      const actual: Record<string, number> = {};
      for (let j = 0; j < flat.length; j += 2) {
        actual[flat[j]!] = Number(flat[j + 1]);
        seen.set(flat[j]!, (seen.get(flat[j]!) ?? 0) + 1);
      }
      const expected: Record<string, number> = {};
      for (const t of model.running(w)) expected[t.id] = t.attempt;
      assert.deepEqual(actual, expected, `running set of ${w}`);
      assert.deepEqual(
        windows[i],
        model.window(w).map((t) => t.id),
        `window of ${w} (priority/FIFO order)`,
      );
    });
    for (const t of model.inState('running'))
      assert.equal(seen.get(t.id), 1, `${t.id} in ${seen.get(t.id)} running sets`);
    // The other structures: ready set in priority/FIFO order, scheduled with run times, pending, terminal sets.
    const [ready, sched, pending, ...done] = await Promise.all([
      r.zrange(k.ready, '0', '-1'),
      r.zrange(k.scheduled, '0', '-1', 'WITHSCORES'),
      r.smembers(k.pending),
      ...TERMINAL_KINDS.map((s) => r.zrange(k.done(s), '0', '-1')),
    ]);
    assert.deepEqual(
      ready,
      model.ready().map((t) => t.id),
      'ready set (priority/FIFO order)',
    );
    const schedActual: Record<string, number> = {};
    for (let j = 0; j < sched.length; j += 2) schedActual[sched[j]!] = Number(sched[j + 1]);
    const schedExpected: Record<string, number> = {};
    for (const t of model.inState('scheduled')) schedExpected[t.id] = t.runAt!;
    assert.deepEqual(schedActual, schedExpected, 'scheduled set');
    assert.deepEqual(
      [...pending].sort(),
      model
        .inState('pending')
        .map((t) => t.id)
        .sort(),
      'pending set',
    );
    TERMINAL_KINDS.forEach((s, i) => {
      assert.deepEqual(
        [...done[i]!].sort(),
        model
          .inState(s as TaskState)
          .map((t) => t.id)
          .sort(),
        `${s} set`,
      );
    });
  }
}

/** A submit command with defaults. */
function sub(over: Partial<Extract<Cmd, { k: 'submit' }>> = {}): Cmd {
  return { k: 'submit', priority: 5, maxRetries: 1, delayMs: null, deadlineIn: null, deps: [], ...over };
}

/** Sequences that reach rare paths in every test run; they are the first runs of `numRuns`. */
const EXAMPLES: [number, Cmd[], Cmd[]][] = [
  // One parent releases three dependents at once (the engine picks their FIFO order); priority then decides.
  [
    2,
    [
      sub(),
      sub({ priority: 3, deps: [0] }),
      sub({ priority: 3, deps: [0] }),
      sub({ priority: 7, deps: [0] }),
    ],
    [
      { k: 'claim', w: 0, max: 1, start: 1, steal: 0 },
      { k: 'complete', pick: 0, fence: 'ok' },
      { k: 'claim', w: 1, max: 2, start: 0, steal: 0 },
      { k: 'steal', w: 0, v: 0, max: 1 },
      { k: 'start', pick: 0, other: false, w: 0 },
      { k: 'claim', w: 0, max: 3, start: 3, steal: 0 },
      { k: 'fail', pick: 0, fence: 'ok', permanent: true },
      { k: 'complete', pick: 0, fence: 'worker' },
      { k: 'complete', pick: 0, fence: 'attempt' },
      { k: 'complete', pick: 0, fence: 'ok' },
    ],
  ],
  // Deadlines: a failure after the deadline expires the task and cancels its dependent; recovery retries;
  // the deadline sweep expires what did not start and leaves running tasks alone.
  [
    3,
    [sub({ maxRetries: 2, deadlineIn: 500 }), sub({ deps: [0] }), sub({ maxRetries: 2, deadlineIn: 5000 })],
    [
      { k: 'claim', w: 0, max: 1, start: 1, steal: 0 },
      { k: 'advance', ms: 600 },
      { k: 'fail', pick: 0, fence: 'ok', permanent: false },
      { k: 'stale', pick: 0, complete: true },
      { k: 'claim', w: 1, max: 1, start: 1, steal: 0 },
      { k: 'recover', w: 1 },
      { k: 'advance', ms: 1000 },
      { k: 'claim', w: 2, max: 1, start: 0, steal: 0 },
      { k: 'release', w: 2, all: true, pick: 0 },
      sub({ deadlineIn: 100 }),
      { k: 'claim', w: 0, max: 1, start: 1, steal: 0 },
      { k: 'advance', ms: 5000 },
      { k: 'expire' },
      { k: 'retry', pick: 0, any: false },
      { k: 'retry', pick: 1, any: false },
    ],
  ],
  // Claim with stealing when two peers' windows are equally long (the engine picks one).
  [
    3,
    [sub(), sub(), sub(), sub(), sub()],
    [
      { k: 'claim', w: 0, max: 2, start: 0, steal: 0 },
      { k: 'claim', w: 1, max: 2, start: 0, steal: 0 },
      { k: 'claim', w: 2, max: 2, start: 1, steal: 2 },
      { k: 'claim', w: 2, max: 2, start: 1, steal: 2 },
      { k: 'recover', w: 0 },
      { k: 'cancel', pick: 4 },
    ],
  ],
];

test('model-based: random command sequences keep the engine and the model in step', async (t) => {
  const numRuns = Number(process.env.DTPS_PROPERTY_RUNS ?? 40);
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 2, max: 3 }),
      fc.array(submitArb, { minLength: 2, maxLength: 6 }),
      fc.array(cmdArb, { minLength: 10, maxLength: 34, size: 'max' }),
      async (nWorkers, first, rest) => {
        const cmds = [...first, ...rest];
        runs += 1;
        const e = await engine.make({ backoff: BACKOFF });
        const run = new Run(e, WORKERS.slice(0, nWorkers));
        try {
          for (const cmd of cmds) {
            await run.step(cmd);
            await run.check();
          }
          if (process.env.DTPS_PROPERTY_LOG)
            console.log(run.log.join('\n'), '\n', JSON.stringify(run.model.counts()));
        } catch (err) {
          throw new Error(
            `${(err as Error).message}\n--- steps (prefix ${e.prefix}):\n${run.log.join('\n')}`,
            { cause: err },
          );
        }
      },
    ),
    {
      numRuns,
      examples: EXAMPLES,
      includeErrorInReport: true,
      // Replays a reported failure: DTPS_PROPERTY_SEED=<seed> DTPS_PROPERTY_PATH=<path>.
      ...(process.env.DTPS_PROPERTY_SEED ? { seed: Number(process.env.DTPS_PROPERTY_SEED) } : {}),
      ...(process.env.DTPS_PROPERTY_PATH ? { path: process.env.DTPS_PROPERTY_PATH } : {}),
    },
  );
  t.true(runs >= numRuns);
});
