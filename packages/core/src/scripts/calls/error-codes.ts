import {
  CorruptTaskError,
  DtpsError,
  InvalidStateError,
  TaskNotFoundError,
  UnknownDependencyError,
} from '../../errors.js';
import type { ScriptName } from '../registry.js';
import { ScriptReplyError } from './shape.js';

/**
 * The codes with which scripts refuse (negative numbers in their replies), by
 * name: one table for every script, so that a code means the same thing
 * wherever it appears (as BullMQ's enums/error-code.ts). The Lua headers
 * (lua/*.lua) cite these numbers.
 */
export const ScriptRefusal = {
  /** No such task. */
  noSuchTask: -1,
  /** Not written: another task of the atomic batch was refused. */
  notWritten: -2,
  /** The task's state does not allow it (cancel of an ended task, retry of one that has not ended). */
  wrongState: -3,
  /** A dependency does not exist. */
  unknownDependency: -4,
  /** A dependency did not succeed and cannot any more. */
  dependencyNotSatisfied: -5,
  /** The task's deadline has passed. */
  deadlinePassed: -6,
  /** The task's stored spec cannot be read (a quarantined task). */
  unreadableSpec: -7,
} as const;

/** The name of a refusal code. */
export type RefusalName = keyof typeof ScriptRefusal;

/** A refusal as a decoder reports it: the code's name and what the reply said with it. */
export interface Refusal {
  code: RefusalName;
  /** wrongState: the task's state. */
  state?: string;
  /** unknownDependency, dependencyNotSatisfied: the dependency's id. */
  dependency?: string;
  /** dependencyNotSatisfied: the dependency's state ('' when it is gone). */
  dependencyState?: string;
}

/** What the caller was doing, for the error's message. */
export interface RefusalContext {
  id: string;
  queue: string;
  action: 'submit' | 'cancel' | 'retry';
}

const BY_CODE = new Map<number, RefusalName>(
  Object.entries(ScriptRefusal).map(([name, code]) => [code, name as RefusalName]),
);

/** The name of a refusal code in a reply of `script`; an unknown code is a ScriptReplyError. */
export function refusalName(script: ScriptName, code: number): RefusalName {
  const name = BY_CODE.get(code);
  if (name === undefined) throw new ScriptReplyError(script, `unknown code ${code}`);
  return name;
}

/** Why a state refuses each action, in the InvalidStateError's message. */
const WRONG_STATE: Record<RefusalContext['action'], string> = {
  submit: 'it cannot be submitted again',
  cancel: 'it has already ended; only a task that has not ended can be cancelled',
  retry: 'only a task that has ended can be retried',
};

/** Refusal name → the typed error a caller throws for it. */
const TO_ERROR: { [K in RefusalName]: (r: Refusal, c: RefusalContext) => Error } = {
  noSuchTask: (_r, c) => new TaskNotFoundError(c.id, c.queue),
  notWritten: (_r, c) => new NotWrittenError(c.id),
  wrongState: (r, c) => new InvalidStateError(c.id, r.state ?? '', WRONG_STATE[c.action]),
  unknownDependency: (r, c) => new UnknownDependencyError(r.dependency ?? '', c.queue),
  dependencyNotSatisfied: (r, c) =>
    r.dependencyState
      ? new DtpsError(
          'dependency_not_satisfied',
          `dependsOn: task ${r.dependency} is ${r.dependencyState}; retry it first`,
          { field: 'dependsOn' },
        )
      : new UnknownDependencyError(r.dependency ?? '', c.queue),
  deadlinePassed: (_r, c) =>
    new DtpsError(
      'deadline_passed',
      `deadline: the deadline of task ${c.id} has passed; submit a new task instead`,
      { field: 'deadline' },
    ),
  unreadableSpec: (_r, c) =>
    new CorruptTaskError(c.id, 'spec', 'it cannot be read, so the task cannot run again; submit a new task'),
};

/** The typed error for a refusal. */
export function refusalError(refusal: Refusal, context: RefusalContext): Error {
  return TO_ERROR[refusal.code](refusal, context);
}

/**
 * A task of an atomic batch that was not written because another was refused;
 * the batch's caller throws the other task's error, never this one.
 */
export class NotWrittenError extends Error {
  override readonly name = 'NotWrittenError';
  constructor(readonly taskId: string) {
    super(`task ${taskId} was not written: another task of its atomic batch was refused`);
  }
}
