/** What a handler receives besides its payload (docs/design.md §5). */
export interface HandlerContext {
  /** Fires when the attempt must stop: timeout, deadline, cancellation, shutdown. */
  signal: AbortSignal;
  task: {
    id: string;
    queue: string;
    type: string;
    attempt: number;
    priority: number;
    maxRetries: number;
    /** Epoch ms, or null. */
    deadline: number | null;
  };
  /**
   * Reports progress, 0–100 (shown by `dtps status`, the console and the web
   * page). Anything else throws a ValidationError (field `progress`) here.
   */
  progress(percent: number): void;
  /** Logs a line tagged with the task (a non-string is logged as its JSON; long lines are cut). */
  log(message: string): void;
  /** Results of the tasks this one depends on, by task id. */
  parents: Record<string, unknown>;
}

/**
 * A task handler: returns (or resolves with) the task's result, which must be
 * JSON-serialisable and at most 16 MiB of JSON; otherwise the attempt fails
 * with reason `unencodable_result` (docs/handlers.md).
 */
export type Handler = (payload: unknown, ctx: HandlerContext) => unknown;

/** Task type → handler: the default export of a handler module. */
export type HandlerMap = Readonly<Record<string, Handler>>;
