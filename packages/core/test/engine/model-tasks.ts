/**
 * The task state machine of the model (see model.ts): one queue's tasks,
 * their dependencies and the transitions of lua/includes/lifecycle.lua,
 * attempt.lua, and the client's, operator's and sweeps' scripts. The
 * worker's side (claims, starts, idle workers and their inboxes) is in
 * model.ts, on top of this.
 */
import { type TaskState, zeroCounts } from '../../src/index.js';
import { SeqModel } from './model-lanes.js';
import {
  type Choices,
  isTerminalState,
  type ModelTask,
  type RetryOutcome,
  readyOrder,
  type SubmitInput,
  type SubmitPath,
  type TerminalKind,
} from './model-types.js';

export class TaskModel {
  readonly tasks = new Map<string, ModelTask>();
  /** Submission order of the ids. */
  readonly ids: string[] = [];
  /** Parent id → the dependents registered on it (the engine's `deps:<id>` sets). */
  readonly children = new Map<string, Set<string>>();
  /** Sequence numbers of ready scores, lanes included (model-lanes.ts). */
  readonly seqs = new SeqModel();
  /** Queued tasks a limit holds back (id → limit instance), as the engine's held sets say (flow.lua). */
  readonly held = new Map<string, string>();

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

  /** Tasks in the ready set (queued and not held back by a limit), in the order a claim takes them. */
  ready(): ModelTask[] {
    return this.inState('queued')
      .filter((t) => !this.held.has(t.id))
      .sort(readyOrder);
  }

  window(worker: string): ModelTask[] {
    return this.inState('reserved')
      .filter((t) => t.worker === worker)
      .sort(readyOrder);
  }

  running(worker: string): ModelTask[] {
    return this.inState('running').filter((t) => t.worker === worker);
  }

  /** Length of each worker's window. */
  windowLengths(): Map<string, number> {
    const lengths = new Map<string, number>();
    for (const t of this.inState('reserved')) lengths.set(t.worker!, (lengths.get(t.worker!) ?? 0) + 1);
    return lengths;
  }

  /** Into the ready set at the back of its priority (enqueue in lifecycle.lua): its lane's when the queue has lanes. */
  protected enqueue(t: ModelTask): void {
    this.enqueueAt(
      t,
      this.seqs.next(this.seqs.lanes ? t.group : null, () => this.ready()),
    );
  }

  protected enqueueAt(t: ModelTask, seq: number): void {
    t.state = 'queued';
    t.seq = seq;
    t.runAt = null;
    t.worker = null;
  }

  /** Back in the ready set ahead of every task of its priority (a lost or handed-back attempt). */
  protected enqueueFront(t: ModelTask): void {
    this.enqueueAt(t, 0);
  }

  protected register(parent: string, child: string): void {
    let set = this.children.get(parent);
    if (!set) {
      set = new Set();
      this.children.set(parent, set);
    }
    set.add(child);
  }

  /** Ends a task; a task that did not succeed cancels its pending dependents, transitively. */
  protected finish(t: ModelTask, state: TerminalKind, reason: string | null): void {
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
      if (c.state === 'pending') this.finish(c, 'cancelled', 'dependency_failed');
    }
  }

  /**
   * A parent succeeded: dependents waiting for nothing else become queued (or
   * scheduled). Several queued at once enter the ready set in an order the
   * engine does not define (SMEMBERS): `choose` says which it took.
   */
  protected releaseDependents(parent: ModelTask, now: number, choose: Choices): void {
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
      } else queued.push(c.id);
    }
    // In the engine's order: each takes its lane's next number in turn (model-lanes.ts).
    const order = queued.length < 2 ? queued : choose.released(queued);
    for (const id of order) this.enqueue(this.get(id));
  }

  /** Starts a task for `worker` (claim or handoff): its next attempt, fenced. */
  protected startFor(t: ModelTask, worker: string): void {
    t.attempt += 1;
    t.state = 'running';
    t.worker = worker;
    t.lastFence = { worker, attempt: t.attempt };
  }

  /** A handed task past its deadline ends expired instead (lua/includes/handout.lua). */
  protected expiredAtHandout(t: ModelTask, now: number): boolean {
    if (t.deadline === null || t.deadline > now) return false;
    this.finish(t, 'expired', 'deadline');
    return true;
  }

  /** Due scheduled tasks → queued, in the engine's order (run time, then id). Returns their ids. */
  promoteDue(now: number): string[] {
    const due = this.inState('scheduled')
      .filter((t) => t.runAt! <= now)
      .sort((a, b) => a.runAt! - b.runAt! || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const t of due) this.enqueue(t);
    return due.map((t) => t.id);
  }

  /** The earliest run time of a scheduled task, or null. */
  nextDue(): number | null {
    const times = this.inState('scheduled').map((t) => t.runAt!);
    return times.length === 0 ? null : Math.min(...times);
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
    this.finish(t, 'succeeded', null);
    this.releaseDependents(t, now, choose);
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
    if (outcome === 'failed') this.finish(t, 'failed', reason);
    else if (outcome === 'expired') this.finish(t, 'expired', 'deadline');
    else if (outcome === 'scheduled') {
      t.state = 'scheduled';
      t.worker = null;
      t.runAt = runAt;
    } else if (reason === 'worker_lost') this.enqueueFront(t);
    else this.enqueue(t);
  }

  /** cancelTask: null when it has already ended, else what cancel reports. */
  cancel(id: string): { previousState: TaskState; worker: string | null } | null {
    const t = this.get(id);
    if (isTerminalState(t.state)) return null;
    const previousState = t.state;
    const worker = t.state === 'running' ? t.worker : null;
    this.finish(t, 'cancelled', 'cancelled');
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

  /** expireDue: every not-started task past its deadline, in deadline order (then id). Returns how many. */
  expireDue(now: number): number {
    const due = [...this.tasks.values()]
      .filter((t) => t.deadline !== null && t.deadline <= now)
      .sort((a, b) => a.deadline! - b.deadline! || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    let n = 0;
    for (const t of due) {
      if (isTerminalState(t.state) || t.state === 'running') continue;
      this.finish(t, 'expired', 'deadline');
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
      for (const dep of waiting) this.register(dep, id);
      t.waitingOn = new Set(waiting);
      t.state = 'pending';
      return { ok: true, state: 'pending' };
    }
    this.enqueue(t);
    return { ok: true, state: 'queued' };
  }

  /** submitTasks for one task, without handoffs; returns the state it was written in. */
  submit(id: string, input: SubmitInput, now: number): TaskState {
    return this.writeTask(id, input, now, 'tasks');
  }

  /** A submitted task, written by submitTasks or submitPlain (`path`); returns its state. */
  protected writeTask(id: string, input: SubmitInput, now: number, path: SubmitPath): TaskState {
    const t: ModelTask = {
      id,
      priority: input.priority,
      maxRetries: input.maxRetries,
      deadline: input.deadline,
      type: input.type ?? 'noop',
      group: input.group ?? null,
      specRunAt: input.runAt,
      deps: [...input.deps],
      // Placed below; not in the ready set while its sequence number is taken.
      state: 'pending',
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
    this.place(t, now, this.#submitSeq(t, path));
    return t.state;
  }

  /**
   * The sequence number a submit gives its task if it is queued: submitTasks takes the FIFO
   * counter's next for the task whatever becomes of it, unless the queue has lanes or the task
   * has a group (then its lane's next, taken only if it is queued: that may start the lanes).
   */
  #submitSeq(t: ModelTask, path: SubmitPath): () => number {
    const ready = () => this.ready();
    if (path === 'handoff') return () => 0;
    if (path === 'plain' || this.seqs.lanes || t.group !== null) {
      return () => this.seqs.next(t.group, ready);
    }
    const seq = ++this.seqs.counter;
    return () => seq;
  }

  /** Where a task just written goes: cancelled (a dependency ended badly), pending, scheduled or queued. */
  protected place(t: ModelTask, now: number, seq: () => number): void {
    let failedDep = false;
    for (const dep of t.deps) {
      const s = this.get(dep).state;
      if (s === 'succeeded') continue;
      if (isTerminalState(s)) failedDep = true;
      else {
        t.waitingOn.add(dep);
        this.register(dep, t.id);
      }
    }
    if (failedDep) this.finish(t, 'cancelled', 'dependency_failed');
    else if (t.waitingOn.size > 0) t.state = 'pending';
    else if (t.specRunAt !== null && t.specRunAt > now) {
      t.state = 'scheduled';
      t.runAt = t.specRunAt;
    } else this.enqueueAt(t, seq());
  }
}
