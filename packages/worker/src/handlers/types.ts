/** What a handler receives besides its payload (DESIGN §5). */
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
  /** Reports progress, 0–100 (shown by `dtps status`, the console and the web page). */
  progress(percent: number): void;
  /** Logs a line tagged with the task. */
  log(message: string): void;
  /** Results of the tasks this one depends on, by task id. */
  parents: Record<string, unknown>;
}

/** A task handler: returns (or resolves with) the task's result, JSON-serialisable. */
export type Handler = (payload: unknown, ctx: HandlerContext) => unknown;

/** Task type → handler: the default export of a handler module. */
export type HandlerMap = Readonly<Record<string, Handler>>;
