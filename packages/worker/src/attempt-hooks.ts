import {
  type AttemptLogs,
  type ClaimedTask,
  checkProgress,
  LogBuffer,
  type Logger,
  logLine,
  type WorkerOps,
} from '@dtps/core';
import type { AttemptHooks } from './executor/executor.js';

/**
 * The hooks of one attempt on this worker: progress goes to Redis, log lines
 * to the worker's log, tagged with the task, and the newest of them (a
 * bounded LogBuffer) to the task's stored log once the attempt ended
 * (`takeLogs`, sent with the worker's reports). The two functions are made the
 * first time something asks for them (most handlers never do). Both check
 * what the handler passes where it passes it: a progress that is not a
 * number from 0 to 100 throws a ValidationError back to the handler; a log
 * line that is not a string is logged as its JSON, and a long one is cut.
 */
export class RunnerHooks implements AttemptHooks {
  parents: Record<string, unknown> = {};
  readonly #ops: WorkerOps;
  readonly #logger: Logger;
  readonly #queue: string;
  readonly #task: ClaimedTask;
  readonly #attempt: number;
  #progress: ((percent: number) => void) | undefined;
  #log: ((message: string) => void) | undefined;
  readonly #now: () => number;
  /** Made with the first line: most attempts log nothing. */
  #kept: LogBuffer | undefined;

  constructor(
    ops: WorkerOps,
    logger: Logger,
    queue: string,
    task: ClaimedTask,
    attempt: number,
    now: () => number = Date.now,
  ) {
    this.#now = now;
    this.#ops = ops;
    this.#logger = logger;
    this.#queue = queue;
    this.#task = task;
    this.#attempt = attempt;
  }

  get progress(): (percent: number) => void {
    this.#progress ??= (percent: number) => {
      const checked = checkProgress(percent);
      this.#ops.progress(this.#queue, this.#task.id, this.#attempt, checked).catch(() => {});
    };
    return this.#progress;
  }

  get log(): (message: string) => void {
    this.#log ??= (message: string) => {
      const line = logLine(message);
      this.#logger.info(
        { queue: this.#queue, task: this.#task.id, type: this.#task.type, attempt: this.#attempt },
        line,
      );
      this.#kept ??= new LogBuffer();
      this.#kept.add(this.#now(), line);
    };
    return this.#log;
  }

  /** The lines to store with the task (the newest, within the bounds), once; undefined when none. */
  takeLogs(): AttemptLogs | undefined {
    const kept = this.#kept;
    if (!kept || kept.size === 0) return undefined;
    this.#kept = undefined;
    return { id: this.#task.id, attempt: this.#attempt, lines: kept.lines() };
  }
}
