import { Writable } from 'node:stream';
import { type ClaimedTask, createLogger, DEFAULT_BACKOFF, type Logger } from '@dtps/core';
import type { AttemptHooks } from '../../src/executor/executor.js';

let seq = 0;

/** A claimed task as the engine hands it out; override what the test cares about. */
export function claimed(over: Partial<ClaimedTask> = {}): ClaimedTask {
  seq++;
  return {
    id: over.id ?? `t${seq}`,
    queue: 'default',
    type: 'echo',
    payload: null,
    priority: 5,
    score: seq,
    attempt: 0,
    started: false,
    deadline: null,
    timeoutMs: null,
    maxRetries: 3,
    backoff: DEFAULT_BACKOFF,
    dependsOn: [],
    trace: null,
    createdAt: Date.now(),
    ...over,
  };
}

/** Hooks that record what the handler reported. */
export function recordingHooks(): AttemptHooks & { progressed: number[]; logged: string[] } {
  const progressed: number[] = [];
  const logged: string[] = [];
  return {
    progressed,
    logged,
    parents: {},
    progress: (n) => progressed.push(n),
    log: (m) => logged.push(m),
  };
}

/** A JSON logger whose records are kept in `records`. */
export function capturingLogger(): { log: Logger; records: Record<string, unknown>[] } {
  const records: Record<string, unknown>[] = [];
  const dest = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) records.push(JSON.parse(line));
      cb();
    },
  });
  return { log: createLogger({ format: 'json', level: 'debug', dest }), records };
}
