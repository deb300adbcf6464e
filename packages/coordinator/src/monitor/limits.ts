/**
 * What one API request may cost the coordinator. Leadership (lease renewal,
 * recovery, sweeps) shares the process with the monitor, so every answer is
 * bounded in rows, in bytes and in how many run at once; docs/http-api.md
 * documents each figure.
 */
export const LIMITS = {
  /** Largest `limit` of `GET /api/v1/tasks`; a larger one is refused (400, field `limit`). */
  listMaxLimit: 500,
  /** Page size when a request names none. */
  listDefaultLimit: 50,
  /** JSON bytes of one list page; past it the page ends early with a cursor and `truncated: "bytes"`. */
  listMaxBytes: 1024 * 1024,
  /** Task ids read per Redis round trip of a list; the event loop is yielded to between rounds. */
  listChunk: 100,
  /** Ids a filtered list examines in one request before it returns what it has and a cursor. */
  listScanMax: 5000,
  /** A list row carries a task's last error only up to this size (else `errorBytes` says how big it is). */
  listErrorMaxBytes: 4096,
  /** A task's error history in the detail view, bytes (the payload and result are capped by payloadMaxBytes). */
  detailErrorsMaxBytes: 256 * 1024,
  /** A search by payload field reads payloads up to this size (bytes); a larger one never matches. */
  searchPayloadMaxBytes: 64 * 1024,
  /** Task ids one bulk request (`POST /api/v1/bulk/:action`) looks at before it returns a cursor. */
  bulkScanMax: 5000,
  /** Task ids one script call of a bulk request acts on: how long Redis is busy with one call. */
  bulkChunk: 100,
  /** Heavy requests (task lists and details) served at once; more get 429 with Retry-After. */
  heavyConcurrency: 4,
  /** Seconds a client told 429 should wait. */
  retryAfterS: 1,
} as const;

/** Lets the event loop run timers and I/O (lease renewal first of all) before the next chunk. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
