/**
 * The one module that builds Redis keys (asynq's base.go). Everything of a
 * queue lives under the hash tag `{<prefix>:<queue>}` so that one Lua script
 * only ever touches one Redis Cluster slot; fleet-wide keys (worker registry,
 * leader lease, queue list) share the tag `{<prefix>}`.
 *
 * The Lua scripts build per-task keys from the queue's key prefix; the suffixes
 * they use are in `lua/includes/keys.lua`, which must agree with `QueueKeys`
 * (a test checks it).
 */

/** Tasks of one queue are ordered by this score: priority band, then FIFO sequence. */
export const PRIORITY_BAND = 1e13;

/** The ready-set score of a task: higher priority first, FIFO within a priority. */
export function readyScore(priority: number, seq: number): number {
  return (10 - priority) * PRIORITY_BAND + seq;
}

/** The priority encoded in a ready-set score. */
export function priorityOfScore(score: number): number {
  return 10 - Math.floor(score / PRIORITY_BAND);
}

/** Keys of one queue. */
export class QueueKeys {
  /** `{prefix:queue}:` — what every key of this queue starts with. */
  readonly base: string;
  constructor(
    readonly prefix: string,
    readonly queue: string,
  ) {
    this.base = `{${prefix}:${queue}}:`;
  }
  /** Hash of one task. */
  task(id: string): string {
    return `${this.base}t:${id}`;
  }
  /** Set of the task ids that depend on `id`. */
  dependents(id: string): string {
    return `${this.base}deps:${id}`;
  }
  /** Sorted set of queued tasks, by readyScore. */
  get ready(): string {
    return `${this.base}ready`;
  }
  /** Sorted set of scheduled tasks (delay or backoff), by run time in ms. */
  get scheduled(): string {
    return `${this.base}sched`;
  }
  /** Set of pending tasks (waiting for dependencies). */
  get pending(): string {
    return `${this.base}pending`;
  }
  /** Set of task ids that have dependents. */
  get parents(): string {
    return `${this.base}parents`;
  }
  /** Sorted set of not-yet-terminal tasks with a deadline, by deadline in ms. */
  get deadlines(): string {
    return `${this.base}dl`;
  }
  /** Sorted set of terminal tasks in `state`, by finish time in ms. */
  done(state: 'succeeded' | 'failed' | 'expired' | 'cancelled'): string {
    return `${this.base}done:${state}`;
  }
  /** A worker's prefetch window in this queue: reserved task ids by readyScore. */
  window(workerId: string): string {
    return `${this.base}win:${workerId}`;
  }
  /** A worker's running tasks in this queue: task id by attempt number (the fence). */
  running(workerId: string): string {
    return `${this.base}run:${workerId}`;
  }
  /**
   * A worker's inbox: tasks a submit started for it while it was idle, one
   * message per handoff (lua/includes/handoff.lua), popped by its blocking read.
   */
  inbox(workerId: string): string {
    return `${this.base}inbox:${workerId}`;
  }
  /** Hash worker id → free slots: the workers blocked on this queue that take handoffs. */
  get idle(): string {
    return `${this.base}idle`;
  }
  /** Set of worker ids that hold, or held, tasks of this queue. */
  get workers(): string {
    return `${this.base}workers`;
  }
  /** Hash idempotency key → task id. */
  get idempotency(): string {
    return `${this.base}idem`;
  }
  /** The bounded event stream of this queue's transitions. */
  get events(): string {
    return `${this.base}events`;
  }
  /** Set while an operator has paused the queue (when, in ms): no task of it starts anywhere. */
  get paused(): string {
    return `${this.base}paused`;
  }
  /** Flow control (docs/flow-control.md): scope → '<n> <perMs> <concurrency>'. */
  get flow(): string {
    return `${this.base}flow`;
  }
  /** Flow control: limit instance → when its held tasks may go back to the ready set. */
  get flowDue(): string {
    return `${this.base}fc:due`;
  }
  /** Flow control: the limit instances with a running set or a start log. */
  get flowInstances(): string {
    return `${this.base}fc:insts`;
  }
  /** Flow control: the ids running under a limit instance's cap. */
  flowRunning(instance: string): string {
    return `${this.base}fc:run:${instance}`;
  }
  /** Flow control: a limit instance's starts in its window (id:attempt → ms). */
  flowLog(instance: string): string {
    return `${this.base}fc:log:${instance}`;
  }
  /** Flow control: tasks a limit instance holds back (id → ready score). */
  flowHeld(instance: string): string {
    return `${this.base}fc:held:${instance}`;
  }
  /** Fair groups: lane (group, '' for none) → the sequence of its last task (docs/flow-control.md). */
  get lanes(): string {
    return `${this.base}lanes`;
  }
  /** FIFO sequence counter. */
  get seq(): string {
    return `${this.base}seq`;
  }
  /** List that wakes a worker blocked on this queue. */
  get wake(): string {
    return `${this.base}wake`;
  }
  /**
   * List that wakes a stealing worker blocked on this queue: pushed when a
   * claim reserves tasks in a window and leaves the ready set empty, so that
   * what waits there is only stealable (stealers block on both lists).
   */
  get stealWake(): string {
    return `${this.base}stealwake`;
  }
  /** Cumulative counters (submitted, succeeded, fenced, …). */
  get totals(): string {
    return `${this.base}totals`;
  }
  /** Rolled-up series of this queue (JSON points, newest first) at a resolution. */
  series(resolution: '1s' | '1m'): string {
    return `${this.base}series:${resolution}`;
  }
  /** Counters of one second (epoch seconds). */
  perSecond(epochSecond: number): string {
    return `${this.base}sec:${epochSecond}`;
  }
}

/** Fleet-wide keys, under the hash tag `{prefix}`. */
export class FleetKeys {
  readonly base: string;
  constructor(readonly prefix: string) {
    this.base = `{${prefix}}:`;
  }
  /** Set of known queue names. */
  get queues(): string {
    return `${this.base}queues`;
  }
  /** Sorted set of live workers, by last heartbeat in ms. */
  get workers(): string {
    return `${this.base}workers`;
  }
  /** Hash of one worker's latest heartbeat. */
  worker(id: string): string {
    return `${this.base}worker:${id}`;
  }
  /** The coordinator leader lease. */
  get leader(): string {
    return `${this.base}leader`;
  }
  /** Fencing epoch of the leader lease: one more each time it changes hands. */
  get leaderEpoch(): string {
    return `${this.base}leader:epoch`;
  }
  /** Pub/sub channel on which a leader that steps down tells the standbys. */
  get leaderReleased(): string {
    return `${this.base}leader:released`;
  }
  /** Rolled-up series of one worker (JSON points, newest first). */
  workerSeries(id: string, resolution: '1s' | '1m'): string {
    return `${this.base}wseries:${id}:${resolution}`;
  }
  /** The coordinator's advice on how many worker processes the backlog needs (JSON). */
  get recommendation(): string {
    return `${this.base}recommendation`;
  }
  /** Fleet events: workers declared dead, leadership changes. */
  get events(): string {
    return `${this.base}events`;
  }
  /**
   * The origin marker: written once per Redis data set and remembered by every
   * process, so that a data set that vanished is noticed (fleet/origin.ts).
   */
  get origin(): string {
    return `${this.base}origin`;
  }
  /** Sorted set of schedule ids by next due time (ms; +inf while paused): what the leader's tick reads. */
  get schedules(): string {
    return `${this.base}schedules`;
  }
  /** Hash of one schedule: its definition (JSON), version, next and last due times, runs fired, last run. */
  schedule(id: string): string {
    return `${this.base}schedule:${id}`;
  }
  /** Pub/sub channel of control commands for one worker. */
  control(workerId: string): string {
    return `${this.base}ctl:${workerId}`;
  }
  /** Pub/sub channel on which a worker answers one control command (its `replyTo`). */
  controlReply(requestId: string): string {
    return `${this.base}ctl-reply:${requestId}`;
  }
}
