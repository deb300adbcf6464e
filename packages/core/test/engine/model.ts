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
import { type TaskState, zeroCounts } from '../../src/index.js';

export type TerminalKind = 'succeeded' | 'failed' | 'expired' | 'cancelled';

const TERMINAL: ReadonlySet<TaskState> = new Set(['succeeded', 'failed', 'expired', 'cancelled']);

export function isTerminalState(s: TaskState): boolean {
  return TERMINAL.has(s);
}

export interface ModelTask {
  id: string;
  priority: number;
  maxRetries: number;
  deadline: number | null;
  /** The runAt of the spec (delayMs), used when dependencies are met. */
  specRunAt: number | null;
  deps: string[];
  state: TaskState;
  /** The hash's attempt counter `a`. */
  attempt: number;
  /** The worker holding it while reserved or running. */
  worker: string | null;
  /** FIFO position while queued or reserved (the engine's ready score keeps the same order). */
  seq: number;
  /** Run time while scheduled. */
  runAt: number | null;
  /** Dependencies not yet succeeded while pending. */
  waitingOn: Set<string>;
  /** Why it ended (failed, expired, cancelled). */
  reason: string | null;
  /** The fence of the last attempt that ran: a report with it after the task moved on must be refused. */
  lastFence: { worker: string; attempt: number } | null;
}

export interface SubmitInput {
  priority: number;
  maxRetries: number;
  deadline: number | null;
  runAt: number | null;
  deps: string[];
}

export interface Handed {
  id: string;
  attempt: number;
  started: boolean;
}

/** One task of an inbox message: what a submit started for an idle worker. */
export interface InboxTask {
  id: string;
  attempt: number;
}

/** An idle registration: free slots, and the time it holds until (ms). */
export interface Registration {
  free: number;
  until: number;
}

/** A (task, attempt) pair a worker names. */
export interface Fenced {
  id: string;
  attempt: number;
}

/** What the engine chose, read back by the caller (see the class comment). */
export interface Choices {
  /** Among peers whose windows are equally longest, the one a claim stole from. */
  victim(candidates: string[]): string;
  /** Dependents that one parent released together, in the engine's order. */
  released(ids: string[]): string[];
}

/** One `cycle` round (WorkerOps.cycle). */
export interface CycleInput {
  complete: readonly Fenced[];
  start: readonly Fenced[];
  claim: { max: number; start: number; steal: number } | null;
  leave: boolean;
  register: boolean;
  ttlMs: number;
}

export interface ClaimOutcome {
  handed: Handed[];
  nextDueAt: number | null;
  stolen: number;
  started: number;
}

export interface CycleOutcome {
  handedOff: InboxTask[];
  completed: boolean[];
  started: ('started' | 'gone' | 'expired')[];
  claim: ClaimOutcome;
  registered: boolean;
}

export type RetryOutcome =
  | { ok: true; state: 'queued' | 'pending' }
  | { ok: false; code: 'invalid_state' | 'deadline_passed' | 'dependency_not_satisfied' };

/** Ready-set order: higher priority first, FIFO within a priority. */
export function readyOrder(a: ModelTask, b: ModelTask): number {
  // Equal scores (lost attempts all go in at sequence 0) order by id, as a Redis sorted set does.
  return b.priority - a.priority || a.seq - b.seq || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export class Model {
  readonly tasks = new Map<string, ModelTask>();
  /** Submission order of the ids. */
  readonly ids: string[] = [];
  /** Parent id → the dependents registered on it (the engine's `deps:<id>` sets). */
  readonly children = new Map<string, Set<string>>();
  /** The idle hash: worker → registration. */
  readonly idle = new Map<string, Registration>();
  /** Each worker's inbox: the messages a submit pushed, oldest first. */
  readonly inbox = new Map<string, InboxTask[][]>();
  #seq = 0;

  get(id: string): ModelTask {
    const t = this.tasks.get(id);
    if (!t) throw new Error(`model: unknown task ${id}`);
    return t;
  }

  inState(state: TaskState): ModelTask[] {
    return [...this.tasks.values()].filter((t) => t.state === state);
  }

  counts(): Record<TaskState, number> {
    const c = zeroCounts();
    for (const t of this.tasks.values()) c[t.state] += 1;
    return c;
  }

  /** Queued tasks in the order a claim takes them. */
  ready(): ModelTask[] {
    return this.inState('queued').sort(readyOrder);
  }

  window(worker: string): ModelTask[] {
    return this.inState('reserved')
      .filter((t) => t.worker === worker)
      .sort(readyOrder);
  }

  running(worker: string): ModelTask[] {
    return this.inState('running').filter((t) => t.worker === worker);
  }

  inboxOf(worker: string): InboxTask[][] {
    let list = this.inbox.get(worker);
    if (!list) {
      list = [];
      this.inbox.set(worker, list);
    }
    return list;
  }

  // ---- transitions shared by several operations (lua/includes/lifecycle.lua) ----

  #enqueue(t: ModelTask): void {
    t.state = 'queued';
    t.seq = ++this.#seq;
    t.runAt = null;
    t.worker = null;
  }

  /** Back in the ready set ahead of every task of its priority (a lost or handed-back attempt). */
  #enqueueFront(t: ModelTask): void {
    this.#enqueue(t);
    t.seq = 0;
  }

  #register(parent: string, child: string): void {
    let set = this.children.get(parent);
    if (!set) {
      set = new Set();
      this.children.set(parent, set);
    }
    set.add(child);
  }

  /** Ends a task; a task that did not succeed cancels its pending dependents, transitively. */
  #finish(t: ModelTask, state: TerminalKind, reason: string | null): void {
    t.state = state;
    t.worker = null;
    t.runAt = null;
    t.waitingOn.clear();
    if (reason !== null) t.reason = reason;
    if (state === 'succeeded') return;
    const kids = this.children.get(t.id);
    if (!kids) return;
    this.children.delete(t.id);
    for (const kid of kids) {
      const c = this.get(kid);
      if (c.state === 'pending') this.#finish(c, 'cancelled', 'dependency_failed');
    }
  }

  /**
   * A parent succeeded: dependents waiting for nothing else become queued (or
   * scheduled). Several queued at once enter the ready set in an order the
   * engine does not define (SMEMBERS): `choose` says which it took.
   */
  #releaseDependents(parent: ModelTask, now: number, choose: Choices): void {
    const kids = this.children.get(parent.id);
    if (!kids) return;
    this.children.delete(parent.id);
    const queued: string[] = [];
    for (const kid of kids) {
      const c = this.get(kid);
      if (c.state !== 'pending') continue;
      c.waitingOn.delete(parent.id);
      if (c.waitingOn.size > 0) continue;
      if (c.specRunAt !== null && c.specRunAt > now) {
        c.state = 'scheduled';
        c.runAt = c.specRunAt;
      } else {
        this.#enqueue(c);
        queued.push(c.id);
      }
    }
    if (queued.length < 2) return;
    const order = choose.released(queued);
    const seqs = order.map((id) => this.get(id).seq).sort((a, b) => a - b);
    order.forEach((id, i) => {
      this.get(id).seq = seqs[i]!;
    });
  }

  /** Starts a task for `worker` (claim or handoff): its next attempt, fenced. */
  #startFor(t: ModelTask, worker: string): void {
    t.attempt += 1;
    t.state = 'running';
    t.worker = worker;
    t.lastFence = { worker, attempt: t.attempt };
  }

  /** A handed task past its deadline ends expired instead (lua/includes/handout.lua). */
  #expiredAtHandout(t: ModelTask, now: number): boolean {
    if (t.deadline === null || t.deadline > now) return false;
    this.#finish(t, 'expired', 'deadline');
    return true;
  }

  // ---- the client's side ----

  /**
   * submitTasks / submitPlain for one task; returns the state it was written
   * in. A queued task then goes to idle workers (handOff); a plain one
   * submitted while nothing waits goes straight to the first live one
   * (handOffNew). `idleOrder`: the idle hash's order, as the engine walks it.
   */
  submit(id: string, input: SubmitInput, now: number, idleOrder: readonly string[]): TaskState {
    const nothingWaits = this.ready().length === 0;
    const t: ModelTask = {
      id,
      priority: input.priority,
      maxRetries: input.maxRetries,
      deadline: input.deadline,
      specRunAt: input.runAt,
      deps: [...input.deps],
      state: 'queued',
      attempt: 0,
      worker: null,
      seq: 0,
      runAt: null,
      waitingOn: new Set(),
      reason: null,
      lastFence: null,
    };
    this.tasks.set(id, t);
    this.ids.push(id);
    const plain = t.deps.length === 0 && t.specRunAt === null && t.deadline === null;
    if (plain && this.idle.size > 0 && nothingWaits) {
      const worker = this.#firstLiveWorker(idleOrder, now);
      if (worker !== null) {
        this.#startFor(t, worker);
        this.idle.delete(worker);
        this.inboxOf(worker).push([{ id, attempt: 1 }]);
        return 'queued';
      }
    }
    let failedDep = false;
    for (const dep of t.deps) {
      const s = this.get(dep).state;
      if (s === 'succeeded') continue;
      if (isTerminalState(s)) failedDep = true;
      else {
        t.waitingOn.add(dep);
        this.#register(dep, id);
      }
    }
    if (failedDep) this.#finish(t, 'cancelled', 'dependency_failed');
    else if (t.waitingOn.size > 0) t.state = 'pending';
    else if (t.specRunAt !== null && t.specRunAt > now) {
      t.state = 'scheduled';
      t.runAt = t.specRunAt;
    } else this.#enqueue(t);
    const state = t.state;
    if (state === 'queued') this.#handOff(idleOrder, now);
    return state;
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
        if (this.#expiredAtHandout(t, now)) continue;
        this.#startFor(t, worker);
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

  // ---- the worker's side ----

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
      if (req.register && claim.started < req.claim.start) {
        this.idle.set(worker, { free: req.claim.start - claim.started, until: now + req.ttlMs });
        registered = true;
      }
    }
    return { handedOff, completed, started, claim, registered };
  }

  /** Due scheduled tasks → queued, in the engine's order (run time, then id). Returns their ids. */
  promoteDue(now: number): string[] {
    const due = this.inState('scheduled')
      .filter((t) => t.runAt! <= now)
      .sort((a, b) => a.runAt! - b.runAt! || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const t of due) this.#enqueue(t);
    return due.map((t) => t.id);
  }

  /** The earliest run time of a scheduled task, or null. */
  nextDue(): number | null {
    const times = this.inState('scheduled').map((t) => t.runAt!);
    return times.length === 0 ? null : Math.min(...times);
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
    this.promoteDue(now);
    const popped = this.ready().slice(0, opts.max);
    const handed: Handed[] = [];
    let started = 0;
    const take = (list: ModelTask[]) => {
      for (const t of list) {
        const startNow = started < opts.start;
        if (this.#expiredAtHandout(t, now)) continue;
        if (startNow) {
          this.#startFor(t, worker);
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

  /** Length of each worker's window. */
  windowLengths(): Map<string, number> {
    const lengths = new Map<string, number>();
    for (const t of this.inState('reserved')) lengths.set(t.worker!, (lengths.get(t.worker!) ?? 0) + 1);
    return lengths;
  }

  /** A cycle's start of one window task, with the attempt number the worker gives (lua/includes/start.lua). */
  start(worker: string, id: string, attempt: number, now: number): 'started' | 'gone' | 'expired' {
    const t = this.get(id);
    if (t.state !== 'reserved' || t.worker !== worker) return 'gone';
    if (t.deadline !== null && t.deadline <= now) {
      this.#finish(t, 'expired', 'deadline');
      return 'expired';
    }
    t.state = 'running';
    t.attempt = attempt;
    t.lastFence = { worker, attempt };
    return 'started';
  }

  /** Whether a report by `worker` for `attempt` of `id` passes the fence. */
  fenceHolds(worker: string, id: string, attempt: number): boolean {
    const t = this.get(id);
    return t.state === 'running' && t.worker === worker && t.attempt === attempt;
  }

  /** One reported success (a cycle's or completeTasks); false when the fence refused it. */
  complete(worker: string, id: string, attempt: number, now: number, choose: Choices): boolean {
    if (!this.fenceHolds(worker, id, attempt)) return false;
    const t = this.get(id);
    this.#finish(t, 'succeeded', null);
    this.#releaseDependents(t, now, choose);
    return true;
  }

  /**
   * What failAttempt must do without a random choice: `expired` once the
   * deadline has passed, else `failed` when the error is permanent or the
   * retries are exhausted; null when the backoff decides.
   */
  failVerdict(id: string, attempt: number, permanent: boolean, now: number): 'expired' | 'failed' | null {
    const t = this.get(id);
    if (t.deadline !== null && now >= t.deadline) return 'expired';
    return permanent || attempt > t.maxRetries ? 'failed' : null;
  }

  /**
   * Applies a failed attempt whose outcome the engine chose (checked by the
   * caller): `runAt` is the run time read back when it was scheduled.
   */
  applyFailure(
    id: string,
    outcome: 'failed' | 'expired' | 'scheduled' | 'queued',
    reason: string,
    runAt: number | null,
  ): void {
    const t = this.get(id);
    if (outcome === 'failed') this.#finish(t, 'failed', reason);
    else if (outcome === 'expired') this.#finish(t, 'expired', 'deadline');
    else if (outcome === 'scheduled') {
      t.state = 'scheduled';
      t.worker = null;
      t.runAt = runAt;
    } else if (reason === 'worker_lost') this.#enqueueFront(t);
    else this.#enqueue(t);
  }

  /** cancelTask: null when it has already ended, else what cancel reports. */
  cancel(id: string): { previousState: TaskState; worker: string | null } | null {
    const t = this.get(id);
    if (isTerminalState(t.state)) return null;
    const previousState = t.state;
    const worker = t.state === 'running' ? t.worker : null;
    this.#finish(t, 'cancelled', 'cancelled');
    return { previousState, worker };
  }

  /** releaseTasks: the window (or the given ids in it) back to the ready set, keeping their places. */
  release(worker: string, ids?: readonly string[]): number {
    const win = this.window(worker).filter((t) => ids === undefined || ids.includes(t.id));
    for (const t of win) {
      t.state = 'queued';
      t.worker = null;
    }
    return win.length;
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
      this.#enqueueFront(t);
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

  /** expireDue: every not-started task past its deadline, in deadline order (then id). Returns how many. */
  expireDue(now: number): number {
    const due = [...this.tasks.values()]
      .filter((t) => t.deadline !== null && t.deadline <= now)
      .sort((a, b) => a.deadline! - b.deadline! || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    let n = 0;
    for (const t of due) {
      if (isTerminalState(t.state) || t.state === 'running') continue;
      this.#finish(t, 'expired', 'deadline');
      n += 1;
    }
    return n;
  }

  /** retryTask (operator retry of a task that has ended). */
  retry(id: string, now: number): RetryOutcome {
    const t = this.get(id);
    if (!isTerminalState(t.state)) return { ok: false, code: 'invalid_state' };
    if (t.deadline !== null && t.deadline <= now) return { ok: false, code: 'deadline_passed' };
    const waiting: string[] = [];
    for (const dep of t.deps) {
      const s = this.get(dep).state;
      if (s === 'succeeded') continue;
      if (isTerminalState(s)) return { ok: false, code: 'dependency_not_satisfied' };
      waiting.push(dep);
    }
    t.attempt = 0;
    t.reason = null;
    t.worker = null;
    if (waiting.length > 0) {
      for (const dep of waiting) this.#register(dep, id);
      t.waitingOn = new Set(waiting);
      t.state = 'pending';
      return { ok: true, state: 'pending' };
    }
    this.#enqueue(t);
    return { ok: true, state: 'queued' };
  }
}
