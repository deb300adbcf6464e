/**
 * One read of everything the screen needs, as actions: the feed's tick. It
 * reads through the core's read-only Inspector (or anything shaped like it)
 * and never writes.
 */
import { DtpsError, type Inspector, type ScheduleDetail } from '@dtps/core';
import type { Action } from '../state/actions.js';
import { HISTORY_SECONDS } from '../state/data.js';
import { type Demand, tasksKeyOf } from '../state/selectors.js';

/** The parts of the Inspector the console reads. */
export type DashboardSource = Pick<
  Inspector,
  'queues' | 'queue' | 'workers' | 'series' | 'recentSeconds' | 'tasks' | 'task' | 'leader'
> &
  Partial<Pick<Inspector, 'origin'>>;

/** Points read on each tick once the history is there: a few, to cover a late or missed tick. */
const RECENT_SECONDS = 5;
/** The coordinator's series counts as live when its newest point is this recent. */
const SERIES_FRESH_MS = 5000;
/** Re-read the queue list every this many ticks. */
const QUEUES_EVERY = 10;

/** What a read that failed for want of Redis looks like (anything but the engine's own errors). */
function isConnectionError(err: unknown): boolean {
  return !(err instanceof DtpsError);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class FeedReader {
  readonly #source: DashboardSource;
  readonly #schedules: (() => Promise<ScheduleDetail[]>) | undefined;
  #ticks = 0;
  /** `queue:source` whose full history has been read. */
  readonly #full = new Set<string>();

  /** `schedules` reads the schedules with their last runs, for the Schedules view. */
  constructor(source: DashboardSource, schedules?: () => Promise<ScheduleDetail[]>) {
    this.#source = source;
    this.#schedules = schedules;
  }

  /** Forget what was read: after a reconnect, read the whole history again. */
  reset(): void {
    this.#full.clear();
    this.#ticks = 0;
  }

  /** The actions of one tick; never rejects (a read that fails for want of Redis becomes `connectionLost`). */
  async read(demand: Demand, now: number): Promise<Action[]> {
    const actions: Action[] = [{ type: 'tick', now }];
    const tick = this.#ticks++;
    const src = this.#source;
    try {
      const [summary, workers, leader, series, queues, origin] = await Promise.all([
        src.queue(demand.queue),
        src.workers(),
        src.leader(),
        this.#series(demand.queue, now),
        tick % QUEUES_EVERY === 0 ? src.queues() : Promise.resolve(null),
        src.origin ? src.origin() : Promise.resolve(null),
      ]);
      actions.push(
        { type: 'summaryLoaded', summary, at: now },
        { type: 'workersLoaded', workers },
        { type: 'leaderLoaded', leader },
        { type: 'seriesLoaded', points: series.points, source: series.source },
      );
      if (queues) actions.push({ type: 'queuesLoaded', queues });
      if (origin?.lostAt !== undefined)
        actions.push({ type: 'dataLossSeen', at: origin.lostAt, losses: origin.losses });
      actions.push(...(await this.#taskReads(demand)));
      actions.push({ type: 'connectionUp', at: now });
    } catch (err) {
      // The engine's own errors (a task deleted between two reads, …) pass with the next tick.
      if (isConnectionError(err)) actions.push({ type: 'connectionLost', error: messageOf(err), at: now });
    }
    return actions;
  }

  /** The coordinator's rolled-up series when one keeps it fresh; else the engine's per-second counters. */
  async #series(queue: string, now: number) {
    const coordKey = `${queue}:coordinator`;
    const rolled = await this.#source.series(
      queue,
      '1s',
      this.#full.has(coordKey) ? RECENT_SECONDS : HISTORY_SECONDS,
    );
    const newest = rolled.at(-1);
    if (newest && newest.t >= now - SERIES_FRESH_MS) {
      this.#full.add(coordKey);
      return { points: rolled, source: 'coordinator' as const };
    }
    this.#full.delete(coordKey);
    const countersKey = `${queue}:counters`;
    const n = this.#full.has(countersKey) ? RECENT_SECONDS : HISTORY_SECONDS;
    const points = await this.#source.recentSeconds(queue, n);
    this.#full.add(countersKey);
    return { points, source: 'counters' as const };
  }

  /** The task list, the open detail and the followed task, as the demand asks. */
  async #taskReads(demand: Demand): Promise<Action[]> {
    const src = this.#source;
    const reads: Promise<Action | null>[] = [];
    if (demand.view === 'tasks' && !demand.detail) {
      const key = tasksKeyOf(demand.queue, demand.filter);
      reads.push(
        src
          .tasks({
            queue: demand.queue,
            limit: demand.taskLimit,
            ...(demand.filter.state ? { state: demand.filter.state } : {}),
            ...(demand.filter.priority !== null ? { priority: demand.filter.priority } : {}),
          })
          .then((page): Action => ({ type: 'tasksLoaded', key, tasks: page.tasks })),
      );
    }
    if (demand.view === 'schedules' && this.#schedules) {
      reads.push(this.#schedules().then((schedules): Action => ({ type: 'schedulesLoaded', schedules })));
    }
    if (demand.detail) {
      const { id, queue } = demand.detail;
      reads.push(
        src.task(id, queue).then(
          (detail): Action => ({ type: 'detailLoaded', id, detail }),
          (err: unknown): Action => {
            if (isConnectionError(err)) throw err;
            return { type: 'detailFailed', id, error: messageOf(err) };
          },
        ),
      );
    }
    if (demand.follow) {
      const { id, queue } = demand.follow;
      reads.push(
        src.task(id, queue).then(
          (d): Action => ({ type: 'followLoaded', task: d.task }),
          (err: unknown) => {
            // Deleted by retention while followed: nothing more to show.
            if (isConnectionError(err)) throw err;
            return null;
          },
        ),
      );
    }
    return (await Promise.all(reads)).filter((a): a is Action => a !== null);
  }
}
