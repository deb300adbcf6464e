/**
 * Noticing that Redis lost its data (docs/design.md §4.1 holds only while Redis keeps
 * what it acknowledged). A Redis restarted without persistence, a FLUSHALL or
 * a replica promoted from an empty data set come back answering every
 * command, and every dtps process would carry on over an empty data set with
 * the accepted tasks silently gone. dtps cannot bring them back; it can say so.
 *
 * How: the origin marker `{prefix}:origin` is written once per data set with
 * a random id. Every process that checks remembers the id it saw. When a later
 * check finds the marker gone (or replaced by a marker this process has not
 * seen counted), the data set it knew is gone: the first process to notice
 * writes a new marker with the loss count one higher, and a `redis:data-lost`
 * entry in the fleet event stream; every process that notices logs it.
 *
 * What does not alarm: a restart that replays an AOF or loads an RDB (the
 * marker is in it), a Sentinel failover to a replica (the marker was
 * replicated), and a process coming back to a data set it was on before: a
 * client sent for a moment to a stray node (an old master restarted empty
 * during a failover) finds that node markerless, counts a loss there, and on
 * its return finds the marker it knew before. That data set is intact; the
 * check says `returned` (what the process wrote to the stray node is what is
 * gone), and the marker is not rewritten, which would tell every process
 * that stayed on it that it was lost. What is not seen: a partial rollback (an RDB snapshot older
 * than the last writes; an asynchronous replica missing the last writes) —
 * the marker survives those; docs/durability.md says what each setting can lose.
 */
import { randomBytes } from 'node:crypto';
import type { EngineContext } from '../context.js';
import { buildNoteOrigin, callScript, decodeNoteOrigin, NOTE_ORIGIN } from '../scripts/calls/index.js';

/** The origin marker as stored (JSON). */
export interface RedisOrigin {
  /** Random id of this data set. */
  id: string;
  /** When the marker was written (epoch ms). */
  createdAt: number;
  /** How many data losses dtps has noticed on this deployment, counted across losses. */
  losses: number;
  /** When the last loss was noticed (epoch ms); absent until the first. */
  lostAt?: number;
}

/** What one check found. */
export interface OriginCheck {
  /** The marker now in Redis. */
  origin: RedisOrigin;
  /** True when the data set this process knew is gone (found by this check). */
  lost: boolean;
  /** The marker this process knew before, when `lost` or `returned`. */
  previous?: RedisOrigin;
  /** True when this very check counted the loss (wrote the new marker and the fleet event). */
  counted: boolean;
  /**
   * True when Redis serves again a data set this process was on before the one it knew last:
   * not a loss of that data set (`lost` is false); what this process wrote to the data set it
   * left (`previous`) is what is not there.
   */
  returned: boolean;
}

/** How many earlier markers a process remembers (a stray node and back is one). */
const EARLIER_KEPT = 8;

/** The marker's key: fleet-wide, under the `{prefix}` tag like the fleet event stream. */
export function originKey(ctx: EngineContext): string {
  return ctx.fleet.origin;
}

/** Decodes a stored marker; null when absent or unreadable. */
function parseOrigin(raw: unknown): RedisOrigin | null {
  if (typeof raw !== 'string') return null;
  try {
    const o = JSON.parse(raw) as Partial<RedisOrigin>;
    if (typeof o.id !== 'string' || typeof o.createdAt !== 'number') return null;
    return {
      id: o.id,
      createdAt: o.createdAt,
      losses: typeof o.losses === 'number' ? o.losses : 0,
      ...(typeof o.lostAt === 'number' ? { lostAt: o.lostAt } : {}),
    };
  } catch {
    return null;
  }
}

/**
 * Reads the marker without writing anything (for the monitor's metric and
 * the console's banner); null when there is none yet.
 */
export async function readOrigin(ctx: EngineContext): Promise<RedisOrigin | null> {
  return parseOrigin(await ctx.redis.get(originKey(ctx)));
}

/**
 * One process's memory of the data set it works on. Call `check()` at start
 * and then periodically (each call is one short script); a check that throws
 * (Redis unreachable) changes nothing and the next one tries again.
 */
export class DataLossDetector {
  #known: RedisOrigin | undefined;
  /** Ids of the markers known before #known, oldest first. */
  #earlier: string[] = [];

  /**
   * @param ctx the engine context (its connection and prefix).
   * @param by the process's name (worker or coordinator id), recorded in the event.
   */
  constructor(
    private readonly ctx: EngineContext,
    private readonly by: string,
  ) {}

  /** The marker this process last saw, if it has checked. */
  get known(): RedisOrigin | undefined {
    return this.#known;
  }

  /** Compares the marker in Redis with the remembered one (writing one when there is none). */
  async check(): Promise<OriginCheck> {
    const known = this.#known;
    const call = buildNoteOrigin({
      fleet: this.ctx.fleet,
      known,
      newId: randomBytes(8).toString('hex'),
      now: this.ctx.clock.now(),
      by: this.by,
      seen: this.#earlier,
    });
    const { markerJson, counted } = decodeNoteOrigin(await callScript(this.ctx.redis, NOTE_ORIGIN, call));
    const origin = parseOrigin(markerJson);
    if (origin === null) throw new Error(`unreadable origin marker at ${originKey(this.ctx)}: ${markerJson}`);
    this.#known = origin;
    if (known === undefined || origin.id === known.id)
      return { origin, lost: false, counted, returned: false };
    const returned = this.#earlier.includes(origin.id);
    this.#earlier = [...this.#earlier.filter((id) => id !== origin.id), known.id].slice(-EARLIER_KEPT);
    return { origin, lost: !returned, counted, returned, previous: known };
  }
}

/** The error log line's message, the same in every process, so that it can be searched for. */
export const DATA_LOSS_MESSAGE =
  'Redis lost its data: the tasks accepted before this moment are gone (see docs/durability.md)';
