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
  /** Quiet time after a change before it shrinks (ms). */
  cooldownMs: number;
}

/**
 * Resizes the slot pool between min and max. Grows when the slots are
 * (nearly) all busy and work is waiting; shrinks after `cooldownMs` of low
 * utilisation with nothing waiting. Each decision is logged with its reason.
 */
export class Autoscaler {
  readonly #pool: SlotPool;
  readonly #signals: ScalingSignals;
  readonly #opts: AutoscalerOptions;
  readonly #log: Logger;
  readonly #now: () => number;
  #lastChange: number;
  #quietSince: number | null = null;

  constructor(
    pool: SlotPool,
    signals: ScalingSignals,
    opts: AutoscalerOptions,
    log: Logger,
    now: () => number = Date.now,
  ) {
    this.#pool = pool;
    this.#signals = signals;
    this.#opts = opts;
    this.#log = log;
    this.#now = now;
    this.#lastChange = now();
  }

  /** Decides once; returns the new size when it changed it. */
  decide(): number | null {
    const pool = this.#pool;
    const now = this.#now();
    // Time-weighted over the interval: slots that free and refill within a tick count as busy.
    const util = pool.takeUtilisation();
    const backlog = this.#signals.backlog();
    if (pool.paused) return null;
    if (util >= 0.85 && backlog > 0 && pool.size < pool.max) {
      const size = Math.min(
        pool.max,
        pool.size + Math.max(1, Math.ceil(pool.size / 2), Math.min(backlog, pool.size)),
      );
      this.#log.info(
        { from: pool.size, to: size, utilisation: round(util), backlog },
        'autoscale: grow, all slots busy and work waiting',
      );
      pool.resize({ size });
      this.#lastChange = now;
      this.#quietSince = null;
      return size;
    }
    if (util < 0.5 && backlog === 0 && pool.size > pool.min) {
      this.#quietSince ??= now;
      if (
        now - this.#quietSince >= this.#opts.cooldownMs &&
        now - this.#lastChange >= this.#opts.cooldownMs
      ) {
        // Enough slots for the recent load at 70 % utilisation; none at all busy means min.
        const size = Math.max(pool.min, pool.busy, Math.ceil((pool.size * util) / 0.7));
        if (size < pool.size) {
          this.#log.info(
            { from: pool.size, to: size, utilisation: round(util), quietMs: now - this.#quietSince },
            'autoscale: shrink, slots idle and nothing waiting',
          );
          pool.resize({ size });
          this.#lastChange = now;
          return size;
        }
      }
    } else {
      this.#quietSince = null;
    }
    return null;
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
