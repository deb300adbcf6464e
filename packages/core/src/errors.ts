/**
 * Typed errors of dtps. Every error has a stable `code` that scripts and
 * other programs can branch on, and where one value is at fault, the `field`
 * (or config key) that holds it. Messages say what to do next.
 */

/** Stable error codes. Never renamed once released: programs match on them. */
export type ErrorCode =
  | 'invalid_argument'
  | 'invalid_config'
  | 'not_found'
  | 'unknown_dependency'
  | 'dependency_cycle'
  | 'dependency_not_satisfied'
  | 'invalid_state'
  | 'deadline_passed'
  | 'fenced'
  | 'redis_unavailable'
  | 'redis_refused'
  | 'timeout'
  | 'closed'
  | 'not_replicated'
  | 'script_error'
  | 'unencodable_result'
  | 'corrupt_task';

/** Base class of every error dtps throws on purpose. */
export class DtpsError extends Error {
  readonly code: ErrorCode;
  /** The input field or config key at fault, when one is. */
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.field = options.field;
  }

  /** A plain object for `--json` output and HTTP bodies. */
  toJSON(): { code: ErrorCode; message: string; field?: string } {
    return this.field === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, field: this.field };
  }
}

/** A value given by the caller is not acceptable. Nothing was written. */
export class ValidationError extends DtpsError {
  constructor(field: string, message: string) {
    super('invalid_argument', `${field}: ${message}`, { field });
  }
}

/** A configuration value (file, environment or flag) is not acceptable. */
export class ConfigError extends DtpsError {
  /** Where the bad value came from: a file path, `env DTPS_X` or `flag --x`. */
  readonly source: string;
  constructor(key: string, source: string, message: string) {
    super('invalid_config', `${key} (from ${source}): ${message}`, { field: key });
    this.source = source;
  }
}

/** No task with this id exists (in the given queue, or in any known queue). */
export class TaskNotFoundError extends DtpsError {
  readonly taskId: string;
  constructor(taskId: string, queue?: string) {
    super(
      'not_found',
      queue === undefined
        ? `task ${taskId} not found in any queue`
        : `task ${taskId} not found in queue ${queue}`,
      { field: 'id' },
    );
    this.taskId = taskId;
  }
}

/** `dependsOn` names a task that does not exist in the task's queue. */
export class UnknownDependencyError extends DtpsError {
  readonly dependencyId: string;
  constructor(dependencyId: string, queue: string) {
    super(
      'unknown_dependency',
      `dependsOn: task ${dependencyId} does not exist in queue ${queue}; a task can only depend on tasks of its own queue`,
      { field: 'dependsOn' },
    );
    this.dependencyId = dependencyId;
  }
}

/** The tasks of one `submitMany` batch depend on each other in a cycle. */
export class DependencyCycleError extends DtpsError {
  readonly cycle: readonly string[];
  constructor(cycle: readonly string[]) {
    super('dependency_cycle', `dependsOn: dependency cycle ${cycle.join(' -> ')}`, { field: 'dependsOn' });
    this.cycle = cycle;
  }
}

/** The operation is not allowed in the task's current state (e.g. retry of a running task). */
export class InvalidStateError extends DtpsError {
  readonly taskId: string;
  readonly state: string;
  constructor(taskId: string, state: string, message: string) {
    super('invalid_state', `task ${taskId} is ${state}: ${message}`, { field: 'id' });
    this.taskId = taskId;
    this.state = state;
  }
}

/** Redis could not be reached. The URL in the message is redacted. */
export class RedisUnavailableError extends DtpsError {
  constructor(redactedUrl: string, cause?: unknown) {
    const reason = cause instanceof Error ? `: ${cause.message}` : '';
    super('redis_unavailable', `cannot reach Redis at ${redactedUrl}${reason}`, { cause });
  }
}

/** A wait ran out of time before the task reached a terminal state. */
export class WaitTimeoutError extends DtpsError {
  constructor(taskId: string, timeoutMs: number) {
    super('timeout', `task ${taskId} did not finish within ${timeoutMs} ms`, { field: 'timeoutMs' });
  }
}

/**
 * What a handler produced (its result, or a progress value) cannot be stored:
 * a BigInt, a cycle, a function or symbol, a `toJSON` that throws, or too many
 * bytes. The attempt fails with this code as its reason.
 */
export class UnencodableValueError extends DtpsError {
  constructor(field: string, message: string) {
    super('unencodable_result', `${field}: ${message}`, { field });
  }
}

/**
 * A task's stored data in Redis is damaged (a field that does not decode, a
 * key of the wrong type). A worker that meets one fails the task with this
 * code as its reason instead of running it (quarantine).
 */
export class CorruptTaskError extends DtpsError {
  readonly taskId: string;
  constructor(taskId: string, field: string, message: string) {
    super('corrupt_task', `task ${taskId}: stored ${field} is corrupt: ${message}`, { field });
    this.taskId = taskId;
  }
}

/** The client or worker was closed while the call was in flight. */
export class ClosedError extends DtpsError {
  constructor(what: string) {
    super('closed', `${what} is closed`);
  }
}

/**
 * Thrown by a handler whose task met a rate limit outside dtps (an API's 429): the task goes back
 * to wait `retryAfterMs` and runs again, without counting the attempt against its retries
 * (docs/flow-control.md). Its deadline still holds: a wait past it ends the task `expired`.
 */
export class RateLimitedError extends Error {
  readonly rateLimited = true;
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number, message = `rate limited: retry after ${retryAfterMs} ms`) {
    super(message);
    this.name = 'RateLimitedError';
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * Thrown by a handler to fail its task at once, skipping the remaining retries
 * (bad input that no retry can fix).
 */
export class PermanentError extends Error {
  readonly permanent = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}
