import { cronNextAfter } from './cron.js';
import type { ScheduleDef } from './types.js';

/** A cron schedule's due times are walked one by one up to this many per tick; the rest are counted as missed. */
const MAX_WALK = 10_000;

/**
 * The first due time strictly after `afterMs`, or null if there is none. A
 * fixed interval is aligned to the epoch (every 1000 ms fires on whole
 * seconds), so that every coordinator computes the same due times.
 */
export function nextDueAfter(
  def: Pick<ScheduleDef, 'cron' | 'tz' | 'everyMs'>,
  afterMs: number,
): number | null {
  if (def.everyMs !== null) return (Math.floor(afterMs / def.everyMs) + 1) * def.everyMs;
  return cronNextAfter(def.cron as string, def.tz, afterMs);
}

/** What one tick does for one schedule whose stored next due time has come. */
export interface FirePlan {
  /** The due times to submit a run for, oldest first. */
  fire: number[];
  /** Due times older than the grace (no leader then), if any, and what the policy made of them. */
  missed: { count: number; fired: number; latest: number } | null;
  /** The next due time after `now`: what the schedule stores once the plan is carried out. */
  next: number | null;
}

/**
 * Plans the due times from `next` (the stored next due time) up to `now`. A
 * due time at most `graceMs` old is late but on time (a failover, a slow
 * tick): it fires. Older ones were missed; the schedule's policy decides:
 * `skip` fires none, `once` the latest, `catch-up:N` the latest N.
 */
export function planFires(def: ScheduleDef, next: number, now: number, graceMs: number): FirePlan {
  const due: number[] = [];
  let t: number | null = next;
  let walked = 0;
  let uncounted = 0;
  if (def.everyMs !== null && now - next > MAX_WALK * def.everyMs) {
    // Far behind on a fixed interval: count the skipped stretch instead of walking it.
    const skip = Math.floor((now - next) / def.everyMs) - MAX_WALK;
    uncounted = skip;
    t = next + skip * def.everyMs;
  }
  while (t !== null && t <= now && walked < MAX_WALK) {
    due.push(t);
    walked++;
    t = nextDueAfter(def, t);
  }
  if (t !== null && t <= now) t = nextDueAfter(def, now); // a cron schedule walked its cap: jump
  const onTime = due.filter((d) => now - d <= graceMs);
  const missedTimes = due.filter((d) => now - d > graceMs);
  if (missedTimes.length === 0 && uncounted === 0) return { fire: onTime, missed: null, next: t };
  const p = def.missed;
  const keep = p.kind === 'skip' ? 0 : p.kind === 'once' ? 1 : p.max;
  const kept = keep === 0 ? [] : missedTimes.slice(-keep);
  return {
    fire: [...kept, ...onTime],
    missed: { count: missedTimes.length + uncounted, fired: kept.length, latest: missedTimes.at(-1) ?? next },
    next: t,
  };
}

/** A run's start delay within the schedule's jitter: stable per (schedule, due time), so every leader picks the same. */
export function jitterOf(id: string, due: number, jitterMs: number): number {
  if (jitterMs <= 0) return 0;
  let h = 0x811c9dc5;
  for (const ch of `${id}@${due}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % (jitterMs + 1);
}

/** The idempotency key of the run of schedule `id` due at `due`: a second leader's submit of it writes nothing. */
export function runKey(id: string, due: number): string {
  return `schedule:${id}:${due}`;
}
