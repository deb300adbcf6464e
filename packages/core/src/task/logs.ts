/**
 * A task's stored log: the lines its handler wrote with `ctx.log`, kept with
 * the task within fixed bounds (see appendLogs-1.lua and docs/handlers.md).
 * This module imports nothing: worker threads and the worker load it.
 */

/** Lines kept per task at most (the newest). */
export const TASK_LOG_MAX_LINES = 100;
/** Bytes (UTF-8) of messages kept per task at most (the newest lines that fit). */
export const TASK_LOG_MAX_BYTES = 64 * 1024;

/** One stored log line. */
export interface TaskLog {
  /** When the handler wrote it, ms since the epoch. */
  at: number;
  /** The attempt that wrote it. */
  attempt: number;
  message: string;
}

/**
 * The newest lines of one attempt within the bounds, while it runs: a handler
 * that logs in a loop holds at most TASK_LOG_MAX_LINES lines and
 * TASK_LOG_MAX_BYTES bytes here, however many it writes. Older lines are
 * dropped as new ones come (they still went to the worker's log).
 */
export class LogBuffer {
  #lines: [number, string][] = [];
  #sizes: number[] = [];
  #bytes = 0;
  /** Index of the oldest kept line (dropping from the front without shifting each time). */
  #head = 0;

  add(at: number, message: string): void {
    const size = Buffer.byteLength(message);
    if (size > TASK_LOG_MAX_BYTES) return; // cannot be kept (logLine cuts lines far below this)
    this.#lines.push([at, message]);
    this.#sizes.push(size);
    this.#bytes += size;
    while (this.#lines.length - this.#head > TASK_LOG_MAX_LINES || this.#bytes > TASK_LOG_MAX_BYTES) {
      this.#bytes -= this.#sizes[this.#head]!;
      this.#head++;
    }
    // Compact now and then, so the arrays stay near the bound too.
    if (this.#head >= TASK_LOG_MAX_LINES) {
      this.#lines = this.#lines.slice(this.#head);
      this.#sizes = this.#sizes.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Lines kept, oldest first. */
  get size(): number {
    return this.#lines.length - this.#head;
  }

  /** Bytes of the messages kept. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The kept lines, oldest first, as `[at, message]`. */
  lines(): [number, string][] {
    return this.#lines.slice(this.#head);
  }
}

/** The stored field `lg` as log lines; null when it is not a list of lines (damaged data). */
export function parseLogs(raw: string | undefined): TaskLog[] | null {
  if (raw === undefined) return [];
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return null;
  }
  // cjson writes an empty table as `{}`.
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) return [];
  if (!Array.isArray(v)) return null;
  const out: TaskLog[] = [];
  for (const l of v) {
    if (l === null || typeof l !== 'object') return null;
    const { at, attempt, message } = l as Record<string, unknown>;
    if (typeof at !== 'number' || typeof attempt !== 'number' || typeof message !== 'string') return null;
    out.push({ at, attempt, message });
  }
  return out;
}

/**
 * A log message for a terminal: every control character but the newline
 * (a handler's stray escape sequences, which would redraw the screen) written
 * as `\uXXXX`.
 */
export function shownLogMessage(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    const control = (c < 0x20 && c !== 0x0a) || (c >= 0x7f && c <= 0x9f);
    out += control ? `\\u${c.toString(16).padStart(4, '0')}` : ch;
  }
  return out;
}
