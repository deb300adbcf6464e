/**
 * A small in-memory model of one queue's state machine (DESIGN §3), for the
 * property-based test in property.test.ts. It mirrors the engine's rules
 * (priority/FIFO order, dependencies, deadlines, fencing, cascades); where the
 * engine makes a random choice (backoff jitter: scheduled, queued or expired
 * after a failed attempt), the caller reads back what the engine did and hands
 * it to the model, after checking that the choice was allowed.
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

  // ---- transitions shared by several operations (lua/includes/lifecycle.lua) ----

  #enqueue(t: ModelTask): void {
    t.state = 'queued';
    t.seq = ++this.#seq;
    t.runAt = null;
    t.worker = null;
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

  /** A parent succeeded: dependents waiting for nothing else become queued (or scheduled). Returns the ids that became queued. */
  #releaseDependents(parent: ModelTask, now: number): string[] {
    const kids = this.children.get(parent.id);
    if (!kids) return [];
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
    return queued;
  }

  /**
   * Several tasks entered the ready set in one script call in an order the
   * engine does not define (SMEMBERS order): give them FIFO positions in the
   * order the engine chose (`idsInEngineOrder`, read from their ready scores).
   */
  reorder(idsInEngineOrder: readonly string[]): void {
    const seqs = idsInEngineOrder.map((id) => this.get(id).seq).sort((a, b) => a - b);
    idsInEngineOrder.forEach((id, i) => {
      this.get(id).seq = seqs[i]!;
    });
  }

  // ---- operations ----

  /** submitTasks for one task; returns the state it starts in. */
  submit(id: string, input: SubmitInput, now: number): TaskState {
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
    return t.state;
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
   * claimTasks: promote, take up to `max` in priority order; with `steal` > 0
   * and the ready set short, take up to min(steal, the rest, half rounded up)
   * from the back of the longest peer window. Tasks past their deadline
   * expire instead of being handed out; the first `start` handed out start.
   * `chooseVictim` picks among peers whose windows are equally longest (the
   * engine takes the first in SMEMBERS order: the caller reads back which).
   */
  claim(
    worker: string,
    opts: { max: number; start: number; steal: number },
    now: number,
    chooseVictim: (candidates: string[]) => string,
  ): { handed: Handed[]; nextDueAt: number | null; stolen: number } {
    this.promoteDue(now);
    const popped = this.ready().slice(0, opts.max);
    const handed: Handed[] = [];
    let started = 0;
    const take = (list: ModelTask[]) => {
      for (const t of list) {
        const startNow = started < opts.start;
        if (t.deadline !== null && t.deadline <= now) {
          this.#finish(t, 'expired', 'deadline');
          continue;
        }
        if (startNow) {
          t.attempt += 1;
          t.state = 'running';
          t.lastFence = { worker, attempt: t.attempt };
          started += 1;
        } else {
          t.state = 'reserved';
        }
        t.worker = worker;
        handed.push({ id: t.id, attempt: t.attempt, started: startNow });
      }
    };
    take(popped);
    let stolen = 0;
    if (opts.steal > 0 && popped.length < opts.max) {
      const lengths = new Map<string, number>();
      for (const t of this.inState('reserved')) {
        if (t.worker !== worker) lengths.set(t.worker!, (lengths.get(t.worker!) ?? 0) + 1);
      }
      const longest = Math.max(0, ...lengths.values());
      const candidates = [...lengths].filter(([, n]) => n === longest).map(([w]) => w);
      if (candidates.length > 0) {
        const victim = candidates.length === 1 ? candidates[0]! : chooseVictim(candidates);
        const n = Math.min(opts.steal, opts.max - popped.length, Math.ceil(longest / 2));
        const taken = this.window(victim).reverse().slice(0, n);
        stolen = taken.length;
        take(taken);
      }
    }
    return { handed, nextDueAt: popped.length + stolen < opts.max ? this.nextDue() : null, stolen };
  }

  /** Length of each worker's window. */
  windowLengths(): Map<string, number> {
    const lengths = new Map<string, number>();
    for (const t of this.inState('reserved')) lengths.set(t.worker!, (lengths.get(t.worker!) ?? 0) + 1);
    return lengths;
  }

  /** startTasks for one task with the attempt number the worker gives. */
  start(
    worker: string,
    id: string,
    attempt: number,
    deadline: number | null,
    now: number,
  ): 'started' | 'gone' | 'expired' {
    const t = this.get(id);
    if (t.state !== 'reserved' || t.worker !== worker) return 'gone';
    if (deadline !== null && deadline <= now) {
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

  /** completeTasks for one task; returns null when fenced, else the ids that became queued. */
  complete(worker: string, id: string, attempt: number, now: number): string[] | null {
    if (!this.fenceHolds(worker, id, attempt)) return null;
    const t = this.get(id);
    this.#finish(t, 'succeeded', null);
    return this.#releaseDependents(t, now);
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
    } else if (reason === 'worker_lost') {
      // A lost attempt goes back ahead of its priority (lua/includes/attempt.lua).
      this.#enqueue(t);
      t.seq = 0;
    } else this.#enqueue(t);
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

  /** stealTasks: up to `max` from the back of the victim's window (lowest priority, newest), in that order. */
  steal(thief: string, victim: string, max: number, now: number): string[] {
    const popped = this.window(victim).reverse().slice(0, max);
    const handed: string[] = [];
    for (const t of popped) {
      if (t.deadline !== null && t.deadline <= now) {
        this.#finish(t, 'expired', 'deadline');
        continue;
      }
      t.worker = thief;
      handed.push(t.id);
    }
    return handed;
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
   * recoverWorker, first half: the window goes back to the ready set. Returns
   * the running tasks, in the order the engine fails them (attempt, then id);
   * the caller applies each failure with applyFailure.
   */
  recoverWindow(worker: string): { requeued: number; running: ModelTask[] } {
    const requeued = this.release(worker);
    const running = this.running(worker).sort(
      (a, b) => a.attempt - b.attempt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
    return { requeued, running };
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
