import type { Client } from '../client/client.js';
import type { EngineContext } from '../context.js';
import { DtpsError } from '../errors.js';
import {
  buildPauseSchedule,
  buildRecordFire,
  buildRemoveSchedule,
  buildSaveSchedule,
  callScript,
  decodePauseSchedule,
  decodeRecordFire,
  decodeRemoveSchedule,
  decodeSaveSchedule,
  type FireRecord,
  PAUSE_SCHEDULE,
  RECORD_FIRE,
  REMOVE_SCHEDULE,
  SAVE_SCHEDULE,
  type SaveOutcome,
} from '../scripts/calls/index.js';
import type { SubmitResult, TaskSpec } from '../task/types.js';
import { jitterOf, nextDueAfter } from './timing.js';
import type { FireOutcome, ScheduleDef, ScheduleInfo, ScheduleInput } from './types.js';
import { checkSchedule } from './validate.js';

/** No schedule with this id. */
export class ScheduleNotFoundError extends DtpsError {
  constructor(id: string) {
    super('not_found', `schedule ${id} not found`, { field: 'id' });
  }
}

/** A stored schedule hash as read back (see saveSchedule-2.lua). */
function decodeInfo(id: string, h: Record<string, string>): ScheduleInfo | null {
  if (!h.def) return null;
  const num = (v: string | undefined) => (v === undefined || v === '' ? null : Number(v));
  return {
    id,
    def: JSON.parse(h.def) as ScheduleDef,
    next: h.paused === '1' ? null : num(h.next),
    last: num(h.last),
    paused: h.paused === '1',
    fired: Number(h.fired ?? 0),
    lastTask: h.lastTask || null,
    lastQueue: h.lastQueue || null,
    lastOutcome: (h.lastOutcome || null) as FireOutcome | null,
    createdAt: Number(h.createdAt ?? 0),
    updatedAt: Number(h.updatedAt ?? 0),
  };
}

/** The raw state a leader's tick plans from: version and next due time as stored. */
export interface ScheduleRow {
  info: ScheduleInfo;
  version: number;
  /** The stored next due time, exactly as the fence compares it. */
  nextText: string;
}

/**
 * Schedules in Redis (docs/schedules.md): create, update, list, pause,
 * resume, remove and run now. The leader's firing lives in the coordinator
 * (units/scheduler.ts); this is what every program shares.
 */
export class ScheduleStore {
  constructor(private readonly ctx: EngineContext) {}

  /** Creates or updates a schedule; ValidationError (nothing written) for bad input. */
  async save(
    input: ScheduleInput,
    origin: ScheduleDef['origin'],
  ): Promise<{ def: ScheduleDef; outcome: SaveOutcome }> {
    const def = checkSchedule(input, origin, this.ctx.payloadMaxBytes);
    const now = this.ctx.clock.now();
    const next = nextDueAfter(def, now);
    if (next === null)
      throw new DtpsError('invalid_argument', 'cron: never fires after now', { field: 'cron' });
    const call = buildSaveSchedule({
      fleet: this.ctx.fleet,
      id: def.id,
      defJson: JSON.stringify(def),
      next,
      now,
    });
    return { def, outcome: decodeSaveSchedule(await callScript(this.ctx.redis, SAVE_SCHEDULE, call)) };
  }

  /** Every schedule, by id. */
  async list(): Promise<ScheduleInfo[]> {
    const ids = (await this.ctx.redis.zrange(this.ctx.fleet.schedules, '0', '-1')).sort();
    const rows = await Promise.all(ids.map((id) => this.row(id)));
    return rows.filter((r): r is ScheduleRow => r !== null).map((r) => r.info);
  }

  /** The ids whose next due time is at most `now`. */
  async dueIds(now: number, limit = 1000): Promise<string[]> {
    return this.ctx.redis.zrangebyscore(
      this.ctx.fleet.schedules,
      '-inf',
      String(now),
      'LIMIT',
      '0',
      String(limit),
    );
  }

  /** One schedule, or null. */
  async find(id: string): Promise<ScheduleInfo | null> {
    return (await this.row(id))?.info ?? null;
  }

  /** One schedule, or ScheduleNotFoundError. */
  async get(id: string): Promise<ScheduleInfo> {
    const info = await this.find(id);
    if (!info) throw new ScheduleNotFoundError(id);
    return info;
  }

  /** The schedule with what the fence of recordFire compares. */
  async row(id: string): Promise<ScheduleRow | null> {
    const h = await this.ctx.redis.hgetall(this.ctx.fleet.schedule(id));
    const info = decodeInfo(id, h);
    return info ? { info, version: Number(h.version ?? 0), nextText: h.next ?? '' } : null;
  }

  /** Pauses (true) or resumes (false); whether it changed. ScheduleNotFoundError if there is none. */
  async setPaused(id: string, paused: boolean): Promise<boolean> {
    const now = this.ctx.clock.now();
    const info = await this.get(id);
    const next = paused ? null : nextDueAfter(info.def, now);
    const call = buildPauseSchedule({ fleet: this.ctx.fleet, id, paused, next, now });
    const r = decodePauseSchedule(await callScript(this.ctx.redis, PAUSE_SCHEDULE, call));
    if (r === 'missing') throw new ScheduleNotFoundError(id);
    return r === 'changed';
  }

  /** Deletes a schedule (its runs stay); ScheduleNotFoundError if there is none. */
  async remove(id: string): Promise<void> {
    const call = buildRemoveSchedule({ fleet: this.ctx.fleet, id });
    if (!decodeRemoveSchedule(await callScript(this.ctx.redis, REMOVE_SCHEDULE, call)).removed) {
      throw new ScheduleNotFoundError(id);
    }
  }

  /** Records a tick's or a manual run's outcome (recordFire-4.lua). */
  async record(
    r: Omit<FireRecord, 'fleet' | 'maxLen'>,
  ): Promise<'recorded' | 'fenced' | 'stale' | 'missing'> {
    const call = buildRecordFire({ ...r, fleet: this.ctx.fleet, maxLen: 1000 });
    return decodeRecordFire(await callScript(this.ctx.redis, RECORD_FIRE, call));
  }

  /**
   * Submits a run now, outside the schedule's due times (its idempotency key
   * says `manual`); the next due time stays. ScheduleNotFoundError if there is none.
   */
  async runNow(client: Client, id: string): Promise<SubmitResult> {
    const info = await this.get(id);
    const now = this.ctx.clock.now();
    const result = await client.submit(runSpec(info.def, now, `schedule:${id}:manual:${now}`));
    const detail = JSON.stringify({ due: now, task: result.id, queue: result.queue, manual: true });
    const outcome = await this.record({
      id,
      leader: null,
      next: null,
      fired: 1,
      last: now,
      lastTask: { id: result.id, queue: result.queue },
      outcome: 'fired',
      now,
      events: [{ kind: 'schedule:fired', detail }],
    });
    if (outcome === 'missing') throw new ScheduleNotFoundError(id);
    return result;
  }
}

/**
 * The task of the run due at `due`: the template, its deadline counted from
 * the due time, its start delayed by the schedule's jitter, and the run's
 * idempotency key.
 */
export function runSpec(def: ScheduleDef, due: number, idempotencyKey: string): TaskSpec {
  const t = def.template;
  const spec: TaskSpec = { type: t.type, idempotencyKey };
  if (t.payload !== undefined) spec.payload = t.payload;
  if (t.queue !== undefined) spec.queue = t.queue;
  if (t.priority !== undefined) spec.priority = t.priority;
  if (t.maxRetries !== undefined) spec.maxRetries = t.maxRetries;
  if (t.timeoutMs !== undefined) spec.timeoutMs = t.timeoutMs;
  if (t.deadlineOffsetMs !== undefined) spec.deadline = due + t.deadlineOffsetMs;
  if (t.group !== undefined) spec.group = t.group;
  const jitter = jitterOf(def.id, due, def.jitterMs);
  if (jitter > 0) spec.runAt = due + jitter;
  return spec;
}
