/**
 * One run of the model-based test: applies each command to the real engine
 * (the calls the worker, the client, the coordinator and an operator make)
 * and to the model, and checks that they answered alike. The state check
 * after every step is in property-check.ts.
 */
import assert from 'node:assert/strict';
import {
  type ClaimedTask,
  decodeInboxMessage,
  expireDue,
  parseEvent,
  priorityOfScore,
  promoteDue,
  recoverWorker,
  type TaskSpec,
  waitForWork,
} from '../../src/index.js';
import type { Engine } from './fixture.js';
import { type Choices, type Fenced, isTerminalState, Model, type ModelTask } from './model.js';
import {
  type Cmd,
  type CycleCmd,
  type Fence,
  GROUPS,
  pickOf,
  QUEUE,
  type SubmitCmd,
  TYPES,
} from './property-cmds.js';
import * as flow from './property-flow.js';
import { cancel, complete, fail, retry } from './property-reports.js';

const ids = (tasks: readonly { id: string; attempt: number }[]) => tasks.map((t) => `${t.id}a${t.attempt}`);

export class Run {
  readonly model = new Model();
  readonly k;
  readonly log: string[] = [];
  /** Per worker, the handoffs it has received (from its inbox or a round that left idle): what it may name when it leaves. */
  readonly received = new Map<string, Fenced[]>();

  constructor(
    readonly e: Engine,
    readonly workers: readonly string[],
  ) {
    this.k = e.client.ctx.keys(QUEUE);
  }

  now(): number {
    return this.e.clock.now();
  }

  hash(id: string): Promise<Record<string, string>> {
    return this.e.redis.hgetall(this.k.task(id)) as Promise<Record<string, string>>;
  }

  /** Tasks in submission order that satisfy `f`. */
  tasks(f: (t: ModelTask) => boolean): ModelTask[] {
    return this.model.ids.map((id) => this.model.get(id)).filter(f);
  }

  receivedBy(w: string): Fenced[] {
    let list = this.received.get(w);
    if (!list) {
      list = [];
      this.received.set(w, list);
    }
    return list;
  }

  /**
   * One command (one script call of the engine, as far as sequence numbers go: model-lanes.ts).
   * Invariant 2: while the queue is paused, no attempt starts.
   */
  async step(cmd: Cmd): Promise<void> {
    this.model.seqs.beginCall();
    const check = flow.noStartWhilePaused(this);
    await this.#apply(cmd);
    check();
  }

  async #apply(cmd: Cmd): Promise<void> {
    const w = 'w' in cmd ? this.workers[cmd.w % this.workers.length]! : '';
    switch (cmd.k) {
      case 'submit':
        return this.submit(cmd);
      case 'burst':
        return this.burst(cmd.priorities);
      case 'cycle':
        return this.cycle(w, cmd);
      case 'receive': {
        // A worker with a message waiting, if any: the read itself is what is under test.
        const waiting = this.workers.filter((x) => this.model.inboxOf(x).length > 0);
        return this.receive(pickOf(waiting, cmd.w) ?? w);
      }
      case 'leave': {
        // Preferably a worker that has something to leave: a registration, an inbox, handoffs.
        const idle = this.workers.filter(
          (x) => this.model.idle.has(x) || this.model.inboxOf(x).length > 0 || this.receivedBy(x).length > 0,
        );
        return this.leave(pickOf(idle, cmd.w) ?? w, cmd.names, cmd.stale);
      }
      case 'complete':
      case 'fail': {
        const t = pickOf(
          this.tasks((x) => x.state === 'running'),
          cmd.pick,
        );
        if (!t) return void this.log.push(`${cmd.k}: nothing running`);
        const f = this.fenced(t, cmd.fence, cmd.pick);
        if (cmd.k === 'complete') return complete(this, t, f.worker, f.attempt);
        return fail(this, t, f.worker, f.attempt, cmd.permanent);
      }
      case 'stale': {
        const { model } = this;
        const t = pickOf(
          this.tasks(
            (x) => x.lastFence !== null && !model.fenceHolds(x.lastFence.worker, x.id, x.lastFence.attempt),
          ),
          cmd.pick,
        );
        if (!t) return void this.log.push('stale: nothing');
        const f = t.lastFence!;
        if (cmd.complete) return complete(this, t, f.worker, f.attempt);
        return fail(this, t, f.worker, f.attempt, false);
      }
      case 'cancel':
        return cancel(this, cmd.pick);
      case 'recover': {
        const res = await recoverWorker(this.e.client.ctx, w);
        const exp = this.model.recover(w, this.now());
        this.log.push(`recover ${w} → ${JSON.stringify(res)}`);
        assert.deepEqual(res, exp);
        this.received.delete(w);
        return;
      }
      case 'release': {
        const pick = pickOf(
          this.tasks((t) => !isTerminalState(t.state)),
          cmd.pick,
        );
        const only = cmd.all ? undefined : [pick?.id ?? 'none'];
        const n = await this.e.ops(w).release(QUEUE, only);
        this.log.push(`release ${w} ${only ?? 'all'} → ${n}`);
        assert.equal(n, this.model.release(w, only));
        return;
      }
      case 'advance':
        this.e.clock.advance(cmd.ms);
        this.log.push(`advance ${cmd.ms}`);
        return;
      case 'promote': {
        const n = await promoteDue(this.e.client.ctx, QUEUE);
        this.log.push(`promoteDue → ${n}`);
        assert.equal(n, this.model.promoteDue(this.now()).length);
        return;
      }
      case 'expire': {
        const n = await expireDue(this.e.client.ctx, QUEUE);
        this.log.push(`expireDue → ${n}`);
        assert.equal(n, this.model.expireDue(this.now()));
        return;
      }
      case 'retry':
        return retry(this, cmd.pick, cmd.any);
      case 'limit':
      case 'pause':
      case 'resume':
        return flow.operatorStep(this, cmd);
    }
  }

  /** The worker and attempt a report names: the task's own, or one the fence must refuse. */
  fenced(t: ModelTask, fence: Fence, pick: number): { worker: string; attempt: number } {
    if (fence === 'attempt') return { worker: t.worker!, attempt: t.attempt + (pick % 2 === 0 ? 1 : -1) };
    if (fence === 'worker') return { worker: this.workers.find((x) => x !== t.worker)!, attempt: t.attempt };
    return { worker: t.worker!, attempt: t.attempt };
  }

  async submit(cmd: SubmitCmd): Promise<void> {
    const { e, model } = this;
    const now = this.now();
    // Half of the dependencies are on the first three tasks, so that parents get several dependents.
    const n = model.ids.length;
    const deps = [
      ...new Set(cmd.deps.flatMap((i) => (n ? [model.ids[i % (i % 2 ? Math.min(n, 3) : n)]!] : []))),
    ];
    const runAt = cmd.delayMs !== null && cmd.delayMs > 0 ? now + cmd.delayMs : null;
    const deadline = cmd.deadlineIn === null ? null : now + (cmd.delayMs ?? 0) + cmd.deadlineIn;
    const type = TYPES[cmd.type % TYPES.length]!;
    const group = cmd.group === null ? null : GROUPS[cmd.group % GROUPS.length]!;
    const spec: TaskSpec = { type, priority: cmd.priority, maxRetries: cmd.maxRetries };
    if (group !== null) spec.group = group;
    if (cmd.delayMs !== null) spec.delayMs = cmd.delayMs;
    if (deadline !== null) spec.deadline = deadline;
    if (deps.length > 0) spec.dependsOn = deps;
    // The engine hands tasks to idle workers in the idle hash's order: read it, as the script will.
    const idleOrder = await e.redis.hkeys(this.k.idle);
    const r = await e.client.submit(spec);
    const expected = model.submit(
      r.id,
      { priority: cmd.priority, maxRetries: cmd.maxRetries, deadline, runAt, deps, type, group },
      now,
      idleOrder,
    );
    const t = model.get(r.id);
    this.log.push(
      `submit ${r.id} ${type}${group ? `/${group}` : ''} p${cmd.priority} r${cmd.maxRetries} delay=${cmd.delayMs} dl=${deadline === null ? '-' : `+${deadline - now}`} deps=[${deps}] → ${r.state}${t.state === 'running' ? ` handed to ${t.worker}` : ''}`,
    );
    assert.equal(r.state, expected);
    assert.equal(r.duplicate, false);
  }

  async burst(priorities: number[]): Promise<void> {
    const idleOrder = await this.e.redis.hkeys(this.k.idle);
    const rs = await this.e.client.submitMany(
      priorities.map((priority) => ({ type: 'noop', priority, maxRetries: 0 })),
    );
    this.model.submitBurst(
      rs.map((r, i) => ({ id: r.id, priority: priorities[i]! })),
      this.now(),
      idleOrder,
    );
    const handed = rs.map((r) => this.model.get(r.id)).filter((t) => t.state === 'running');
    this.log.push(
      `submitMany ${rs.map((r, i) => `${r.id} p${priorities[i]}`)}${handed.length ? ` handed ${handed.map((t) => `${t.id} to ${t.worker}`)}` : ''}`,
    );
    assert.deepEqual(
      rs.map((r) => r.state),
      priorities.map(() => 'queued'),
    );
  }

  /** What the engine chose in the step that just ran (see Choices), read back from Redis. */
  async choices(before: Map<string, number>): Promise<Choices> {
    const { e, k, workers } = this;
    const [after, entries] = await Promise.all([
      Promise.all(workers.map((x) => e.redis.zcard(k.window(x)))),
      e.redis.xrevrange(k.events, '+', '-', 'COUNT', 50) as Promise<[string, string[]][]>,
    ]);
    // One stream entry per script call carries every dependent it released, in its order.
    const released = entries
      .map(([id, fields]) => parseEvent(id, fields))
      .find((ev) => ev.state === 'queued' && ev.reason === 'dependencies_met');
    return {
      victim: (candidates) => {
        // When peers' windows are equally longest, the engine's pick shows as the one that shrank.
        const v = candidates.find((c) => after[workers.indexOf(c)]! < before.get(c)!);
        assert.ok(v, `claim stole from none of ${candidates}`);
        return v;
      },
      released: (queued) => {
        assert.ok(released, `no event lists the released dependents ${queued}`);
        const order = released.ids.filter((id) => queued.includes(id));
        assert.deepEqual([...order].sort(), [...queued].sort(), 'released dependents');
        this.log.push(`  released together, in the engine's order: ${order}`);
        return order;
      },
    };
  }

  /** A worker's round, as the runner builds it: its reports, window starts, claim and idle flags. */
  async cycle(w: string, cmd: CycleCmd): Promise<void> {
    const { e, model } = this;
    const now = this.now();
    const complete: Fenced[] = [];
    for (const r of cmd.reports) {
      const mine = this.tasks((x) => x.state === 'running' && x.worker === w);
      const others = this.tasks((x) => x.state === 'running' && x.worker !== w);
      const t = r.fence === 'worker' ? pickOf(others, r.pick) : pickOf(mine, r.pick);
      if (!t || complete.some((c) => c.id === t.id)) continue;
      complete.push({ id: t.id, attempt: t.attempt + (r.fence === 'attempt' ? 1 : 0) });
    }
    // Window tasks in window order (the runner's local window is in the same order), next attempt.
    const start: Fenced[] = model
      .window(w)
      .slice(0, cmd.starts)
      .map((t) => ({ id: t.id, attempt: t.attempt + 1 }));
    if (cmd.startOther) {
      const other = pickOf(
        this.tasks((x) => !isTerminalState(x.state) && !(x.state === 'reserved' && x.worker === w)),
        cmd.starts,
      );
      if (other) start.push({ id: other.id, attempt: other.attempt + 1 });
    }
    const refused = complete.filter((c) => !model.fenceHolds(w, c.id, c.attempt));
    const snapshots = await Promise.all(refused.map((c) => this.hash(c.id)));
    const before = model.windowLengths();
    // A claim of a limited queue: the model checks and takes the engine's answer (Choices).
    const limited = cmd.claim !== null && cmd.claim.max > 0 && model.flow.limited() && !model.flow.paused;
    const candidates = limited ? flow.expiryCandidates(this, now) : [];
    const res = await e.ops(w).cycle(QUEUE, {
      complete: complete.map((c) => ({ ...c, result: { by: w } })),
      start,
      ...(cmd.claim ? { claim: cmd.claim } : {}),
      idle: { leave: cmd.leave, register: cmd.register, ttlMs: cmd.ttlMs },
    });
    const choices = await this.choices(before);
    if (limited) {
      choices.limitedClaim = {
        handed: res.claim.tasks.map((t) => ({ id: t.id, attempt: t.attempt, started: t.started })),
        nextDueAt: res.claim.nextDueAt,
      };
      choices.expiredAtHandout = await flow.expiredAtHandout(this, candidates);
    }
    const exp = model.cycle(
      w,
      { complete, start, claim: cmd.claim, leave: cmd.leave, register: cmd.register, ttlMs: cmd.ttlMs },
      now,
      choices,
    );
    const c = cmd.claim;
    this.log.push(
      `cycle ${w}${cmd.leave ? ' leave' : ''}${cmd.register ? ` register(${cmd.ttlMs})` : ''} complete=[${ids(complete)}] start=[${ids(start)}]${c ? ` claim max=${c.max} start=${c.start} steal=${c.steal}` : ''} → handedOff=[${ids(res.handedOff)}] completed=${res.completed} started=${res.started} claimed=[${res.claim.tasks.map((t) => `${t.id}${t.started ? '*' : ''}`)}] stolen=${res.claim.stolen} registered=${res.registered}`,
    );
    assert.deepEqual(
      res.handedOff.map((t) => ({ id: t.id, attempt: t.attempt })),
      exp.handedOff,
      'handed off',
    );
    this.checkHanded(res.handedOff);
    this.receivedBy(w).push(...exp.handedOff);
    assert.deepEqual(res.completed, exp.completed, 'completed');
    for (const [i, r] of refused.entries()) {
      assert.deepEqual(await this.hash(r.id), snapshots[i], 'a refused report changed the task');
    }
    assert.deepEqual(res.started, exp.started, 'started');
    assert.deepEqual(
      res.claim.tasks.map((t) => ({ id: t.id, attempt: t.attempt, started: t.started })),
      exp.claim.handed,
      'claimed',
    );
    this.checkHanded(res.claim.tasks);
    assert.equal(res.claim.nextDueAt, exp.claim.nextDueAt, 'nextDueAt');
    assert.equal(res.claim.stolen, exp.claim.stolen, 'stolen');
    assert.equal(res.registered, exp.registered, 'registered');
    if (limited) await flow.checkLimitedClaim(this, cmd.claim!.start, now, exp.claim);
  }

  /**
   * Handed tasks carry their own fields (priority, deadline); a reserved one the score of its
   * priority (its worker orders its window by it). A started one may carry 0 instead: a claim
   * does not read the scores of the tasks it starts from the ready set (pop.lua).
   */
  checkHanded(tasks: readonly ClaimedTask[]): void {
    for (const t of tasks) {
      const m = this.model.get(t.id);
      assert.equal(t.priority, m.priority, `priority of ${t.id}`);
      if (!t.started || t.score !== 0) assert.equal(priorityOfScore(t.score), t.priority, `score of ${t.id}`);
      assert.equal(t.deadline, m.deadline, `deadline of ${t.id}`);
    }
  }

  /** The worker's blocking read takes the first message of its inbox (the inbox is read before the wake list). */
  async receive(w: string): Promise<void> {
    const expected = this.model.inboxOf(w)[0];
    if (!expected) return void this.log.push(`receive ${w}: inbox empty`);
    const inbox = this.k.inbox(w);
    const woken = await waitForWork(this.e.client.ctx, this.e.redis, QUEUE, 1000, { inbox });
    assert.equal(woken?.list, inbox, `the blocking read of ${w} did not return its inbox`);
    const tasks = decodeInboxMessage(QUEUE, woken.value);
    this.log.push(`receive ${w} → [${ids(tasks)}]`);
    assert.deepEqual(
      tasks.map((t) => ({ id: t.id, attempt: t.attempt })),
      expected,
    );
    assert.ok(tasks.every((t) => t.started));
    this.checkHanded(tasks);
    this.model.inboxOf(w).shift();
    this.receivedBy(w).push(...expected);
  }

  /** leaveIdle, naming some of what it received (as the runner names the handoffs it will not run). */
  async leave(w: string, names: number[], stale: boolean): Promise<void> {
    const got = this.receivedBy(w);
    const named: Fenced[] = [];
    for (const i of names) {
      const p = pickOf(got, i);
      if (p && !named.includes(p)) named.push(p);
    }
    if (stale) {
      const other = pickOf(
        this.tasks((x) => x.state === 'running' && x.worker !== w),
        names[0] ?? 0,
      );
      if (other) named.push({ id: other.id, attempt: other.attempt });
    }
    const n = await this.e.ops(w).leaveIdle(QUEUE, named);
    const exp = this.model.leaveIdle(w, named);
    this.log.push(`leaveIdle ${w} [${ids(named)}] → ${n}`);
    assert.equal(n, exp);
    this.received.set(
      w,
      got.filter((p) => !named.includes(p)),
    );
  }
}
