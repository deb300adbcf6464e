import { Cron } from 'croner';
import { ValidationError } from '../errors.js';

/**
 * Cron expressions through croner (docs/schedules.md says why croner): 5
 * fields (minute first) or 6 (second first), or a nickname (`@hourly`), in an
 * IANA time zone. A compiled expression is kept per (expression, zone): the
 * leader asks for next times every tick.
 */
const compiled = new Map<string, Cron>();

function fieldCount(expr: string): number {
  return expr.trim().split(/\s+/).length;
}

/** The compiled expression; ValidationError naming `cron` or `tz` when either is bad. */
export function compileCron(expr: string, tz: string | null): Cron {
  const key = `${tz ?? ''}\n${expr}`;
  const hit = compiled.get(key);
  if (hit) return hit;
  if (typeof expr !== 'string' || expr.trim() === '')
    throw new ValidationError('cron', 'must be a cron expression');
  const n = fieldCount(expr);
  if (!expr.trim().startsWith('@') && n !== 5 && n !== 6) {
    throw new ValidationError('cron', `must have 5 fields (minute first) or 6 (second first), got ${n}`);
  }
  if (tz !== null) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
    } catch {
      throw new ValidationError(
        'tz',
        `must be an IANA time zone such as Europe/Berlin, got ${JSON.stringify(tz)}`,
      );
    }
  }
  let cron: Cron;
  try {
    // paused: never starts a timer; only used to compute times. legacyMode: day-of-month and
    // day-of-week combine with OR, as in Vixie cron.
    cron = new Cron(expr.trim(), {
      paused: true,
      legacyMode: true,
      ...(tz === null ? { timezone: 'UTC' } : { timezone: tz }),
    });
  } catch (err) {
    throw new ValidationError('cron', `${(err as Error).message}`);
  }
  if (cron.nextRun(new Date(0)) === null) throw new ValidationError('cron', 'never fires');
  compiled.set(key, cron);
  return cron;
}

/** The first time of `expr` strictly after `afterMs`, or null if there is none. */
export function cronNextAfter(expr: string, tz: string | null, afterMs: number): number | null {
  const next = compileCron(expr, tz).nextRun(new Date(afterMs));
  return next === null ? null : next.getTime();
}
