/**
 * A small in-memory model of one queue's state machine (docs/design.md §3),
 * for the model-based test in property.test.ts. It mirrors the engine's rules
 * (priority/FIFO order, dependencies, deadlines, fencing, cascades) and the
 * worker's side of them as the worker really calls it: `cycle` rounds (report,
 * start, claim with stealing, idle registration), handoffs from a submit to
 * idle workers' inboxes, leaving idle, recovery of a dead worker. Where the
 * engine makes a choice of its own (backoff jitter, the order of dependents
 * released together, the victim among equally long windows, the order of the
 * idle hash), the caller reads back what the engine did and hands it to the
 * model, after checking that the choice was allowed.
 */
import assert from 'node:assert/strict';
import type { TaskState } from '../../src/index.js';
import { FlowModel, type LimitValue } from './model-flow.js';
import { TaskModel } from './model-tasks.js';
import type {
  Choices,
  ClaimOutcome,
  CycleInput,
  CycleOutcome,
  Fenced,
  Handed,
  InboxTask,
  ModelTask,
  Registration,
  SubmitInput,
} from './model-types.js';
import { readyOrder } from './model-types.js';

export * from './model-types.js';

export class Model extends TaskModel {
  /** The idle hash: worker → registration. */
  readonly idle = new Map<string, Registration>();
  /** Each worker's inbox: the messages a submit pushed, oldest first. */
  readonly inbox = new Map<string, InboxTask[][]>();
  /** Limits, caps, the pause flag (model-flow.ts). */
  readonly flow = new FlowModel();

  inboxOf(worker: string): InboxTask[][] {
    let list = this.inbox.get(worker);
    if (!list) {
      list = [];
      this.inbox.set(worker, list);
    }
    return list;
  }

  /**
   * submitTasks / submitPlain for one task; returns the state it was written
   * in. A queued task then goes to idle workers (handOff); a plain one
   * submitted while nothing waits goes straight to the first live one
   * (handOffNew). `idleOrder`: the idle hash's order, as the engine walks it.
   */
  override submit(id: string, input: SubmitInput, now: number, idleOrder: readonly string[] = []): TaskState {
    const plain = input.deps.length === 0 && input.runAt === null && input.deadline === null && !input.group;
    if (plain && this.idle.size > 0 && this.ready().length === 0) {
      const worker = this.#firstLiveWorker(idleOrder, now);
      if (worker !== null) {
        this.writeTask(id, input, now, 'handoff');
        const t = this.get(id);
        this.startFor(t, worker);
        this.idle.delete(worker);
        this.inboxOf(worker).push([{ id, attempt: 1 }]);
        return 'queued';
      }
    }
    const state = this.writeTask(id, input, now, plain ? 'plain' : 'tasks');
    if (state === 'queued') this.#handOff(idleOrder, now);
    return state;
  }

  /** submitPlain for several plain tasks at once: all written, then one handOff pass. */
  submitBurst(
    tasks: readonly { id: string; priority: number }[],
    now: number,
    idleOrder: readonly string[],
  ): void {
    for (const t of tasks)
      this.writeTask(
        t.id,
        { priority: t.priority, maxRetries: 0, deadline: null, runAt: null, deps: [] },
        now,
        'plain',
      );
    this.#handOff(idleOrder, now);
  }

  /** A registration that still holds, or null (and it is dropped: its worker is taken for gone). */
  #liveSlots(worker: string, now: number): number | null {
    const reg = this.idle.get(worker);
    if (!reg) return null;
    if (reg.until >= now) return reg.free;
    this.idle.delete(worker);
    return null;
  }

  #firstLiveWorker(order: readonly string[], now: number): string | null {
    for (const w of order) if (this.#liveSlots(w, now) !== null) return w;
    return null;
  }

  /** handOff (lua/includes/handoff.lua): each live registration, in the hash's order, takes its free slots. */
  #handOff(order: readonly string[], now: number): void {
    for (const worker of order) {
      const free = this.#liveSlots(worker, now);
      if (free === null) continue;
      const popped = this.ready().slice(0, free);
      const message: InboxTask[] = [];
      for (const t of popped) {
        if (this.expiredAtHandout(t, now)) continue;
        this.startFor(t, worker);
        message.push({ id: t.id, attempt: t.attempt });
      }
      // Nothing handed (all expired, or none left): the registration stays.
      if (message.length > 0) {
        this.idle.delete(worker);
        this.inboxOf(worker).push(message);
      }
      if (message.length < free && this.ready().length === 0) break;
    }
  }

  /**
   * One `cycle` round (cycleTasks): leave idle (and take the inbox), report
   * successes, start window tasks, claim; register idle when the claim could
   * not fill its free slots.
   */
  cycle(worker: string, req: CycleInput, now: number, choose: Choices): CycleOutcome {
    const handedOff: InboxTask[] = [];
    if (req.leave) {
      this.idle.delete(worker);
      for (const m of this.inboxOf(worker).splice(0)) handedOff.push(...m);
    }
    const completed = req.complete.map((c) => this.complete(worker, c.id, c.attempt, now, choose));
    const started = req.start.map((s) => this.start(worker, s.id, s.attempt, now));
    let claim: ClaimOutcome = { handed: [], nextDueAt: null, stolen: 0, started: 0 };
    let registered = false;
    if (req.claim && req.claim.max > 0) {
      claim = this.claim(worker, req.claim, now, choose);
      // A paused or limited queue takes no registration: only a claim hands its tasks out.
      if (req.register && claim.started < req.claim.start && !this.flow.paused && !this.flow.limited()) {
        this.idle.set(worker, { free: req.claim.start - claim.started, until: now + req.ttlMs });
        registered = true;
      }
    }
    return { handedOff, completed, started, claim, registered };
  }

  /**
   * A cycle's claim (lua/includes/claim.lua): promote, take up to `max` in
   * priority order; with `steal` > 0 and the ready set short, take up to
   * min(steal, the rest, half rounded up) from the back of the longest peer
   * window. Tasks past their deadline expire instead of being handed out; the
   * first `start` handed out start.
   */
  claim(
    worker: string,
    opts: { max: number; start: number; steal: number },
    now: number,
    choose: Choices,
  ): ClaimOutcome {
    if (this.flow.paused) return { handed: [], nextDueAt: null, stolen: 0, started: 0 };
    if (this.flow.limited()) return this.#claimLimited(worker, opts.start, now, choose);
    this.promoteDue(now);
    const popped = this.ready().slice(0, opts.max);
    const handed: Handed[] = [];
    let started = 0;
    const take = (list: ModelTask[]) => {
      for (const t of list) {
        const startNow = started < opts.start;
        if (this.expiredAtHandout(t, now)) continue;
        if (startNow) {
          this.startFor(t, worker);
          started += 1;
        } else {
          t.state = 'reserved';
          t.worker = worker;
        }
        handed.push({ id: t.id, attempt: t.attempt, started: startNow });
      }
    };
    take(popped);
    let stolen = 0;
    if (opts.steal > 0 && popped.length < opts.max) {
      const lengths = this.windowLengths();
      lengths.delete(worker);
      const longest = Math.max(0, ...lengths.values());
      const candidates = [...lengths].filter(([, n]) => n === longest).map(([w]) => w);
      if (candidates.length > 0) {
        const victim = candidates.length === 1 ? candidates[0]! : choose.victim(candidates);
        const n = Math.min(opts.steal, opts.max - popped.length, Math.ceil(longest / 2));
        const taken = this.window(victim).reverse().slice(0, n);
        stolen = taken.length;
        take(taken);
      }
    }
    const nextDueAt = popped.length + stolen < opts.max ? this.nextDue() : null;
    return { handed, nextDueAt, stolen, started };
  }

  /**
   * The claim of a limited queue (claimLimited in claim.lua), as the engine answered it
   * (Choices.limitedClaim): starts only, at most `start`, in priority order, each allowed by
   * every limit it counts under given what ran and started before it. The model takes them.
   */
  #claimLimited(worker: string, start: number, now: number, choose: Choices): ClaimOutcome {
    const got = choose.limitedClaim;
    assert.ok(got, 'a limited claim needs the engine’s answer');
    this.promoteDue(now);
    // The round's reports came first: what they ended gave its slots back.
    this.flow.forgetEnded((id) => this.get(id));
    // Candidates the engine expired (the state check catches any other way they could have).
    for (const id of choose.expiredAtHandout ?? []) {
      const t = this.get(id);
      if (t.state === 'queued' && t.deadline !== null && t.deadline <= now)
        this.finish(t, 'expired', 'deadline');
    }
    assert.ok(got.handed.length <= start, `a limited claim for ${start} started ${got.handed.length}`);
    let prev: ModelTask | null = null;
    for (const h of got.handed) {
      const t = this.get(h.id);
      assert.ok(h.started, `a limited queue reserved ${h.id}`);
      assert.equal(t.state, 'queued', `limited claim of ${h.id}`);
      assert.ok(t.deadline === null || t.deadline > now, `${h.id} started past its deadline`);
      if (prev) assert.ok(readyOrder(prev, t) < 0, `limited claim out of order: ${prev.id} before ${t.id}`);
      const blocked = this.flow.blocker(t, now);
      assert.equal(blocked, null, `${h.id} started though its limit had no room`);
      this.startFor(t, worker);
      this.held.delete(t.id);
      assert.equal(h.attempt, t.attempt, `attempt of ${h.id}`);
      this.flow.charge(t, now);
      prev = t;
    }
    if (got.handed.length === start)
      assert.equal(got.nextDueAt, null, 'a full claim reports no next due time');
    return { handed: got.handed, nextDueAt: got.nextDueAt, stolen: 0, started: got.handed.length };
  }

  /** Tasks queued now that no limit holds back (what a claim may start). */
  admissible(now: number): ModelTask[] {
    return this.inState('queued').filter((t) => this.flow.blocker(t, now) === null);
  }

  /** What every worker reserved goes back to the ready set in its place; idle registrations go (unreserve.lua). */
  #unreserveAll(): number {
    this.idle.clear();
    let back = 0;
    for (const w of this.windowLengths().keys()) back += this.release(w);
    return back;
  }

  /** pauseQueue: whether it changed, and the reserved tasks put back. */
  pause(): { changed: boolean; released: number } {
    const changed = !this.flow.paused;
    this.flow.paused = true;
    return { changed, released: this.#unreserveAll() };
  }

  /** resumeQueue: whether it changed. */
  resume(): boolean {
    const changed = this.flow.paused;
    this.flow.paused = false;
    return changed;
  }

  /** setQueueLimit / clearQueueLimit: the scope's value now, reserved tasks put back, held tasks let go. */
  setLimit(
    scope: string,
    change: { rate?: { n: number; perMs: number } | null; conc?: number | null; clear: boolean },
  ): { value: LimitValue | null; unreserved: number; released: number } {
    const r = this.flow.set(scope, change, this.held);
    if (r.gone) return { value: null, unreserved: 0, released: r.released };
    return { value: this.flow.limits.get(scope)!, unreserved: this.#unreserveAll(), released: 0 };
  }

  /** A cycle's start of one window task, with the attempt number the worker gives (lua/includes/start.lua). */
  start(worker: string, id: string, attempt: number, now: number): 'started' | 'gone' | 'expired' {
    const t = this.get(id);
    if (t.state !== 'reserved' || t.worker !== worker) return 'gone';
    if (t.deadline !== null && t.deadline <= now) {
      this.finish(t, 'expired', 'deadline');
      return 'expired';
    }
    t.state = 'running';
    t.attempt = attempt;
    t.lastFence = { worker, attempt };
    return 'started';
  }

  /**
   * leaveIdle (lua/includes/inbox.lua): off the idle hash; the tasks of its
   * inbox and those it names go back to the front of the ready set,
   * unstarted, if it still runs that very attempt. Returns how many went back.
   */
  leaveIdle(worker: string, named: readonly Fenced[]): number {
    this.idle.delete(worker);
    const pairs = [...named];
    for (const m of this.inboxOf(worker).splice(0)) pairs.push(...m);
    const back = pairs.filter((p, i) => {
      const first = pairs.findIndex((q) => q.id === p.id && this.fenceHolds(worker, q.id, q.attempt));
      return first === i;
    });
    for (const p of back) {
      const t = this.get(p.id);
      t.attempt = p.attempt - 1;
      this.enqueueFront(t);
    }
    return back.length;
  }

  /**
   * recoverWorker: its handoffs back unstarted, its window back to the ready
   * set, and each running attempt fails `worker_lost` (in the engine's order:
   * attempt, then id), which retries at once, in front, unless it was the
   * last or the deadline passed.
   */
  recover(worker: string, now: number): { requeued: number; recovered: number } {
    const handedBack = this.leaveIdle(worker, []);
    const requeued = this.release(worker) + handedBack;
    const running = this.running(worker).sort(
      (a, b) => a.attempt - b.attempt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
    for (const t of running) {
      const verdict = this.failVerdict(t.id, t.attempt, false, now);
      this.applyFailure(t.id, verdict ?? 'queued', 'worker_lost', null);
    }
    return { requeued, recovered: running.length };
  }
}
