import type { Logger } from './logger.js';

/** How long repeats of one error are counted before they are summarised (ms). */
export const LOG_THROTTLE_INTERVAL_MS = 10_000;

interface Window {
  /** Repeats since the last line. */
  count: number;
  level: 'warn' | 'error';
  fields: Record<string, unknown>;
  msg: string;
  timer: NodeJS.Timeout;
}

/**
 * One log line per distinct error per interval: the first occurrence is
 * logged at once; repeats within the interval are only counted, and one line
 * at the interval's end says how many there were ("… (repeated 3,812 times
 * in 10 s)"). A loop that fails thousands of times a second thus writes a
 * line every few seconds, and a new error still shows at once.
 */
export class LogThrottle {
  readonly #log: Logger;
  readonly #intervalMs: number;
  readonly #open = new Map<string, Window>();

  constructor(log: Logger, intervalMs = LOG_THROTTLE_INTERVAL_MS) {
    this.#log = log;
    this.#intervalMs = intervalMs;
  }

  /** Logs at warn level, unless the same `msg` + `err` was logged within the interval. */
  warn(fields: Record<string, unknown>, msg: string): void {
    this.#write('warn', fields, msg);
  }

  /** Logs at error level, throttled like warn. */
  error(fields: Record<string, unknown>, msg: string): void {
    this.#write('error', fields, msg);
  }

  /** Logs the pending summaries now and forgets every error (a stop). */
  flush(): void {
    for (const [key, w] of [...this.#open]) {
      clearTimeout(w.timer);
      this.#open.delete(key);
      this.#summarise(w);
    }
  }

  #write(level: 'warn' | 'error', fields: Record<string, unknown>, msg: string): void {
    const key = `${level}\u0000${msg}\u0000${String(fields.err ?? '')}`;
    const open = this.#open.get(key);
    if (open) {
      open.count++;
      open.fields = fields;
      return;
    }
    this.#log[level](fields, msg);
    const w: Window = {
      count: 0,
      level,
      fields,
      msg,
      timer: setTimeout(() => this.#tick(key, w), this.#intervalMs),
    };
    w.timer.unref();
    this.#open.set(key, w);
  }

  /** The end of an interval: a summary if it repeated (and the next interval counts on), else forget it. */
  #tick(key: string, w: Window): void {
    if (w.count === 0) {
      this.#open.delete(key);
      return;
    }
    this.#summarise(w);
    w.count = 0;
    w.timer = setTimeout(() => this.#tick(key, w), this.#intervalMs);
    w.timer.unref();
  }

  #summarise(w: Window): void {
    if (w.count === 0) return;
    const ms = this.#intervalMs;
    const span = ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
    this.#log[w.level](
      { ...w.fields, repeated: w.count },
      `${w.msg} (repeated ${w.count.toLocaleString('en-US')} times in ${span})`,
    );
  }
}
