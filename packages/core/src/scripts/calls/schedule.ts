/**
 * The schedules' scripts (docs/schedules.md): saveSchedule-2, removeSchedule-2,
 * pauseSchedule-2 and recordFire-4. Every key is under the fleet tag `{prefix}`.
 */
import type { FleetKeys } from '../../keys.js';
import { replyInteger, type ScriptCall, type ScriptShape } from './shape.js';

export const SAVE_SCHEDULE: ScriptShape = {
  name: 'saveSchedule',
  keyNames: ['index', 'schedule'],
  argNames: ['id', 'def', 'next', 'now'],
  perItem: [],
};

export function buildSaveSchedule(a: {
  fleet: FleetKeys;
  id: string;
  defJson: string;
  next: number;
  now: number;
}): ScriptCall {
  return {
    keys: [a.fleet.schedules, a.fleet.schedule(a.id)],
    argv: [a.id, a.defJson, String(a.next), String(a.now)],
  };
}

/** What saving did. */
export type SaveOutcome = 'created' | 'updated' | 'unchanged';

export function decodeSaveSchedule(reply: unknown): SaveOutcome {
  const n = replyInteger('saveSchedule', reply);
  return n === 1 ? 'created' : n === 2 ? 'updated' : 'unchanged';
}

export const REMOVE_SCHEDULE: ScriptShape = {
  name: 'removeSchedule',
  keyNames: ['index', 'schedule'],
  argNames: ['id'],
  perItem: [],
};

export function buildRemoveSchedule(a: { fleet: FleetKeys; id: string }): ScriptCall {
  return { keys: [a.fleet.schedules, a.fleet.schedule(a.id)], argv: [a.id] };
}

/** Whether there was such a schedule. */
export function decodeRemoveSchedule(reply: unknown): { removed: boolean } {
  return { removed: replyInteger('removeSchedule', reply) === 1 };
}

export const PAUSE_SCHEDULE: ScriptShape = {
  name: 'pauseSchedule',
  keyNames: ['index', 'schedule'],
  argNames: ['id', 'paused', 'next', 'now'],
  perItem: [],
};

export function buildPauseSchedule(a: {
  fleet: FleetKeys;
  id: string;
  paused: boolean;
  /** On resume, the first due time after now. */
  next: number | null;
  now: number;
}): ScriptCall {
  return {
    keys: [a.fleet.schedules, a.fleet.schedule(a.id)],
    argv: [a.id, a.paused ? '1' : '0', a.next === null ? '' : String(a.next), String(a.now)],
  };
}

/** `changed`, `unchanged` (it was so already) or `missing` (no such schedule). */
export function decodePauseSchedule(reply: unknown): 'changed' | 'unchanged' | 'missing' {
  const n = replyInteger('pauseSchedule', reply);
  return n === 1 ? 'changed' : n === 0 ? 'unchanged' : 'missing';
}

export const RECORD_FIRE: ScriptShape = {
  name: 'recordFire',
  keyNames: ['index', 'schedule', 'lease', 'events'],
  argNames: [
    'id',
    'holder',
    'epoch',
    'version',
    'expectNext',
    'next',
    'fired',
    'last',
    'lastTask',
    'lastQueue',
    'outcome',
    'now',
    'maxLen',
  ],
  perItem: [{ per: 'event', names: ['kind', 'detail'] }],
};

/** One fleet event a record adds: `schedule:fired`, `schedule:missed`, `schedule:skipped`. */
export interface ScheduleEvent {
  kind: string;
  /** JSON of the event's details. */
  detail: string;
}

/** What one tick (or a manual run) did with a schedule. */
export interface FireRecord {
  fleet: FleetKeys;
  id: string;
  /** The leader and its epoch; null for a manual run (no fence, next due time unchanged). */
  leader: { holder: string; epoch: number; version: number; expectNext: number } | null;
  next: number | null;
  fired: number;
  last: number | null;
  lastTask: { id: string; queue: string } | null;
  outcome: string;
  now: number;
  maxLen: number;
  events: readonly ScheduleEvent[];
}

export function buildRecordFire(a: FireRecord): ScriptCall {
  const f = a.fleet;
  const l = a.leader;
  return {
    keys: [f.schedules, f.schedule(a.id), f.leader, f.events],
    argv: [
      a.id,
      l?.holder ?? '',
      l ? String(l.epoch) : '',
      l ? String(l.version) : '',
      l ? String(l.expectNext) : '',
      a.next === null ? '' : String(a.next),
      String(a.fired),
      a.last === null ? '' : String(a.last),
      a.lastTask?.id ?? '',
      a.lastTask?.queue ?? '',
      a.outcome,
      String(a.now),
      String(a.maxLen),
      ...a.events.flatMap((e) => [e.kind, e.detail]),
    ],
  };
}

/** `recorded`; `fenced` (not the lease holder with that epoch); `stale` (changed since read); `missing`. */
export function decodeRecordFire(reply: unknown): 'recorded' | 'fenced' | 'stale' | 'missing' {
  const n = replyInteger('recordFire', reply);
  return n === 1 ? 'recorded' : n === 0 ? 'fenced' : n === 2 ? 'stale' : 'missing';
}
