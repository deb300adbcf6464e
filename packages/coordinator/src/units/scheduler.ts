import {
  type Client,
  DtpsError,
  type EngineContext,
  isTerminal,
  type Logger,
  missedPolicyText,
  planFires,
  runKey,
  runSpec,
  type ScheduleEvent,
  type ScheduleRow,
  ScheduleStore,
} from '@dtps/core';
import type { LeaderLease } from './leader-lease.js';

/** Refusals of a run's submit that the same submit would meet again: the due time is given up. */
const REFUSED_FOR_GOOD: ReadonlySet<string> = new Set(['invalid_argument', 'deadline_passed']);

/** What a tick did with one schedule, for logs and tests. */
export interface TickReport {
  id: string;
  fired: number;
  result: 'recorded' | 'fenced' | 'stale' | 'missing';
}

/**
 * Fires due schedules (docs/schedules.md); leader only. Exactly once per due
 * time: each run is submitted with the idempotency key `schedule:<id>:<due>`,
 * and only then is the schedule moved past it, by recordFire, fenced by the
 * lease epoch and by the version and next due time the tick planned from. A
 * leader that dies between the two leaves the schedule where it was; the next
 * leader plans the same due times again and its submits of runs already
 * written return the existing tasks.
 */
export class Scheduler {
  readonly store: ScheduleStore;

  constructor(
    private readonly ctx: EngineContext,
    private readonly client: Client,
    private readonly lease: LeaderLease,
    private readonly graceMs: number,
    private readonly log: Logger,
  ) {
    this.store = new ScheduleStore(ctx);
  }

  /** One pass over the due schedules. */
  async tick(): Promise<TickReport[]> {
    const reports: TickReport[] = [];
    for (const id of await this.store.dueIds(this.ctx.clock.now())) {
      if (!this.lease.isLeader()) break;
      const row = await this.store.row(id);
      if (row) {
        const report = await this.fire(row);
        if (report) reports.push(report);
      }
    }
    return reports;
  }

  async #ended(task: { id: string; queue: string }): Promise<boolean> {
    const t = await this.client.find(task.id, { queue: task.queue });
    return t === null || isTerminal(t.state);
  }

  /** Plans, submits and records one schedule's due times. */
  async fire(row: ScheduleRow): Promise<TickReport | null> {
    const { info } = row;
    const now = this.ctx.clock.now();
    const epoch = this.lease.epoch;
    if (info.paused || info.next === null || info.next > now || epoch === 0) return null;
    const def = info.def;
    const plan = planFires(def, info.next, now, this.graceMs);
    const events: ScheduleEvent[] = [];
    if (plan.missed) {
      const detail = { ...plan.missed, policy: missedPolicyText(def.missed), since: info.next };
      events.push({ kind: 'schedule:missed', detail: JSON.stringify(detail) });
      this.log.warn({ schedule: def.id, ...detail }, 'schedule missed runs while no coordinator led');
    }
    let lastTask = info.lastTask && info.lastQueue ? { id: info.lastTask, queue: info.lastQueue } : null;
    let fired = 0;
    let last: number | null = null;
    let outcome: string = 'missed';
    for (const due of plan.fire) {
      last = due;
      if (def.overlap === 'skip' && lastTask && !(await this.#ended(lastTask))) {
        outcome = 'skipped-overlap';
        events.push({
          kind: 'schedule:skipped',
          detail: JSON.stringify({ due, reason: 'overlap', running: lastTask.id }),
        });
        continue;
      }
      try {
        const r = await this.client.submit(runSpec(def, due, runKey(def.id, due)));
        // A duplicate is this run, submitted by a leader that died before recording it.
        fired++;
        outcome = 'fired';
        lastTask = { id: r.id, queue: r.queue };
        events.push({ kind: 'schedule:fired', detail: JSON.stringify({ due, task: r.id, queue: r.queue }) });
      } catch (err) {
        // Refused for good (a deadline offset already past, a payload over a lowered limit): say
        // so and go on, rather than retrying the same due time forever. Anything else (Redis
        // trouble) throws on: the tick is tried again, and its submits are idempotent.
        if (!(err instanceof DtpsError) || !REFUSED_FOR_GOOD.has(err.code)) throw err;
        outcome = 'refused';
        events.push({ kind: 'schedule:refused', detail: JSON.stringify({ due, error: err.message }) });
        this.log.warn({ schedule: def.id, due, err: err.message }, 'a scheduled run was refused');
      }
    }
    if (plan.fire.length === 0 && plan.missed) last = plan.missed.latest;
    const result = await this.store.record({
      id: def.id,
      leader: { holder: this.lease.holder, epoch, version: row.version, expectNext: Number(row.nextText) },
      next: plan.next,
      fired,
      last,
      lastTask,
      outcome,
      now,
      events,
    });
    if (result !== 'recorded') this.log.info({ schedule: def.id, result }, 'schedule tick not recorded');
    return { id: def.id, fired, result };
  }
}
