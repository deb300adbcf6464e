/**
 * noteOrigin-2.lua: checks (and if need be writes) the origin marker that
 * tells "Redis lost its data" from "Redis restarted with its data".
 */
import type { FleetKeys } from '../../keys.js';
import { replyArray, type ScriptCall, type ScriptShape } from './shape.js';

export const NOTE_ORIGIN: ScriptShape = {
  name: 'noteOrigin',
  keyNames: ['origin', 'events'],
  argNames: ['known', 'losses', 'newId', 'now', 'by', 'seen'],
  perItem: [],
};

export function buildNoteOrigin(a: {
  fleet: FleetKeys;
  /** The marker id the caller remembers; none when it has not looked yet. */
  known: { id: string; losses: number } | undefined;
  /** The id to write if a marker must be written. */
  newId: string;
  now: number;
  /** The caller's name, for the fleet event. */
  by: string;
  /** Ids of the markers the caller knew before `known` (a marker among them is not rewritten). */
  seen: readonly string[];
}): ScriptCall {
  return {
    keys: [a.fleet.origin, a.fleet.events],
    argv: [a.known?.id ?? '', String(a.known?.losses ?? 0), a.newId, String(a.now), a.by, a.seen.join(' ')],
  };
}

/** The marker now in Redis (its JSON), and whether this call counted a data loss. */
export function decodeNoteOrigin(reply: unknown): { markerJson: string; counted: boolean } {
  const r = replyArray('noteOrigin', reply);
  return { markerJson: String(r[0]), counted: Number(r[1]) === 1 };
}
