import { hash } from 'node:crypto';
import type { IdGenerator } from '@opentelemetry/sdk-trace-base';

/**
 * The trace and root span ids of a task that carries no trace context (its
 * producer did not trace). Derived from the task id, so that every process
 * that touches the task — each worker that runs an attempt, the coordinator
 * that expires or recovers it — lands in one trace without storing anything
 * more in Redis.
 */
export function taskTraceIds(taskId: string): { traceId: string; spanId: string } {
  // The one-shot hash: no Hash object per task (a worker tracing every task derives one a task).
  const hex = hash('sha256', `dtps.task:${taskId}`, 'hex');
  return { traceId: hex.slice(0, 32), spanId: hex.slice(32, 48) };
}

/**
 * The SDK's id generator with one twist: while `forcing` runs, the span it
 * starts gets the given ids. That is how a task's stand-in root span gets the
 * ids that `taskTraceIds` gives every other process. Installed by
 * startTelemetry; an application running its own SDK has the random ids only
 * (its untraced tasks' spans then hang under a root that is never exported).
 */
export class TaskRootIdGenerator implements IdGenerator {
  readonly #random: IdGenerator;
  #forced: { traceId: string; spanId: string } | undefined;

  constructor(random: IdGenerator) {
    this.#random = random;
  }

  generateTraceId(): string {
    return this.#forced?.traceId ?? this.#random.generateTraceId();
  }

  generateSpanId(): string {
    return this.#forced?.spanId ?? this.#random.generateSpanId();
  }

  /** Runs `start` (which starts one root span, synchronously) with these ids. */
  forcing<T>(ids: { traceId: string; spanId: string }, start: () => T): T {
    this.#forced = ids;
    try {
      return start();
    } finally {
      this.#forced = undefined;
    }
  }
}

let installed: TaskRootIdGenerator | undefined;

/** Called by startTelemetry with the generator it gave the SDK (undefined at shutdown). */
export function installIdGenerator(generator: TaskRootIdGenerator | undefined): void {
  installed = generator;
}

/** The generator startTelemetry installed, if dtps started the SDK in this process. */
export function idGenerator(): TaskRootIdGenerator | undefined {
  return installed;
}
