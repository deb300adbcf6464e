import type { Logger } from '@dtps/core';
import type { SlotPool } from '../pool.js';

/** What the autoscaler reads: utilisation and backlog, both local (no Redis reads). */
export interface ScalingSignals {
  /** Reserved tasks in the windows plus, when the last claim came back full, a sign of more queued. */
  backlog(): number;
}

export interface AutoscalerOptions {
  /** How often it samples and decides (ms). */
  intervalMs: number;
  /** Quiet time needed before a shrink, and the least time between two size changes before a shrink (ms). */
  cooldownMs: number;
  /** How long a size set at start or by an operator is held as the floor (ms). Default: 3 × cooldownMs. */
  holdMs?: number;
}

/** Utilisation at or above which, with work waiting, the pool is short of slots. */
const PRESSURE = 0.85;
/** Utilisation below which, with nothing waiting, slots are idle. */
const QUIET = 0.5;
/** The utilisation a shrink aims for with the recent load. */
const TARGET = 0.7;

/**
 * Resizes the slot pool between min and max: up quickly, down slowly.
 *
 * - Grow: when the slots are (nearly) all busy and work waits, at once, by up
 *   to half the size again.
 * - Shrink: after `cooldownMs` of low utilisation with nothing waiting, and
 *   `cooldownMs` after the last size change of anyone (operator included), by
 *   at most a quarter of the size per step (at least one slot), never below
 *   the busy slots or what the recent load needs.
 * - Hold: a size given at start or by an operator (CLI, console, HTTP) is the
 *   floor for `holdMs`: no shrink below it meanwhile. Growth above it still
 *   follows the load, except when the operator has just lowered the size: then
 *   the pressure must last a full `cooldownMs` (a clear signal, not the
 *   backlog the operator saw when choosing).
 *
 * Each decision is logged and recorded on the pool (who, why, when) for the heartbeat.
 */
export class Autoscaler {
  readonly #pool: SlotPool;
  readonly #signals: ScalingSignals;
  readonly #opts: Required<AutoscalerOptions>;
  readonly #log: Logger;
  readonly #now: () => number;
  #quietSince: number | null = null;
  #pressureSince: number | null = null;

  constructor(
    pool: SlotPool,
    signals: ScalingSignals,
    opts: AutoscalerOptions,
    log: Logger,
    now: () => number = Date.now,
  ) {
    this.#pool = pool;
    this.#signals = signals;
    this.#opts = { ...opts, holdMs: opts.holdMs ?? 3 * opts.cooldownMs };
    this.#log = log;
    this.#now = now;
  }

  /** Decides once; returns the new size when it changed it. */
  decide(): number | null {
    const pool = this.#pool;
    const now = this.#now();
    // Time-weighted over the interval: slots that free and refill within a tick count as busy.
    const util = pool.takeUtilisation();
    const backlog = this.#signals.backlog();
    if (pool.paused) return null;
    const last = pool.sizeChange;
    const held = last.by !== 'autoscaler' && now - last.at < this.#opts.holdMs;
    const pressure = util >= PRESSURE && backlog > 0;
    const quiet = util < QUIET && backlog === 0;
    this.#pressureSince = pressure ? (this.#pressureSince ?? now) : null;
    this.#quietSince = quiet ? (this.#quietSince ?? now) : null;

    if (pressure && pool.size < pool.max) {
      const operatorLowered = held && last.by === 'operator' && last.to < last.from;
      if (operatorLowered && now - this.#pressureSince! < this.#opts.cooldownMs) return null;
      return this.#grow(util, backlog);
    }
    if (quiet && pool.size > pool.min && !held) {
      const quietMs = now - this.#quietSince!;
      if (quietMs >= this.#opts.cooldownMs && now - last.at >= this.#opts.cooldownMs) {
        return this.#shrink(util, quietMs);
      }
    }
    return null;
  }

  #grow(util: number, backlog: number): number {
    const pool = this.#pool;
    const from = pool.size;
    const size = Math.min(pool.max, from + Math.max(1, Math.ceil(from / 2), Math.min(backlog, from)));
    this.#log.info(
      { from, to: size, utilisation: round(util), backlog },
      'autoscale: grow, all slots busy and work waiting',
    );
    pool.resize(
      { size },
      {
        by: 'autoscaler',
        reason: `busy: ${from} → ${size} (utilisation ${round(util)}, ${backlog} waiting)`,
      },
    );
    return size;
  }

  #shrink(util: number, quietMs: number): number | null {
    const pool = this.#pool;
    const from = pool.size;
    // Enough slots for the recent load at the target utilisation; none busy at all means min.
    const needed = Math.max(pool.min, pool.busy, Math.ceil((from * util) / TARGET));
    // Gently: at most a quarter of the slots per step, so a lull does not strand the next burst.
    const size = Math.max(needed, from - Math.max(1, Math.floor(from / 4)));
    if (size >= from) return null;
    this.#log.info(
      { from, to: size, utilisation: round(util), quietMs },
      'autoscale: shrink, slots idle and nothing waiting',
    );
    pool.resize(
      { size },
      {
        by: 'autoscaler',
        reason: `idle: ${from} → ${size} (utilisation ${round(util)}, nothing waiting for ${seconds(quietMs)})`,
      },
    );
    return size;
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
