/**
 * The Client's submit scripts: submitTasks-6.lua (any batch) and
 * submitPlain-2.lua (the fast path for plain tasks).
 */
import { encodeSpec } from '../../task/codec.js';
import type { NormalizedSpec, TaskState } from '../../task/types.js';
import { type Refusal, refusalName } from './error-codes.js';
import {
  type QueueCallBase,
  replyArray,
  replyInteger,
  type ScriptCall,
  ScriptReplyError,
  type ScriptShape,
} from './shape.js';

export const SUBMIT_TASKS: ScriptShape = {
  name: 'submitTasks',
  keyNames: ['ready', 'scheduled', 'pending', 'deadlines', 'idem', 'seq'],
  argNames: ['base', 'now', 'maxLen', 'atomic'],
  perItem: [
    {
      per: 'task',
      names: [
        'id',
        'priority',
        'runAt',
        'deadline',
        'idempotencyKey',
        'dependsOn',
        'spec',
        'payload',
        'dedupTtl',
        'debounce',
      ],
    },
  ],
};

export function buildSubmitTasks(
  a: QueueCallBase & { atomic: boolean; tasks: readonly NormalizedSpec[] },
): ScriptCall {
  const k = a.keys;
  const argv = [k.base, String(a.now), String(a.maxLen), a.atomic ? '1' : '0'];
  for (const s of a.tasks) {
    argv.push(
      s.id,
      String(s.priority),
      s.runAt === null ? '' : String(s.runAt),
      s.deadline === null ? '' : String(s.deadline),
      s.idempotencyKey ?? '',
      s.dependsOn.join(' '),
      encodeSpec(s),
      s.payloadJson,
      s.dedupTtlMs == null ? '' : String(s.dedupTtlMs),
      s.debounce ?? '',
    );
  }
  return { keys: [k.ready, k.scheduled, k.pending, k.deadlines, k.idempotency, k.seq], argv };
}

/** What became of one task of a submitTasks batch. */
export type SubmitTaskReply =
  /** Written, in `state`. */
  | { outcome: 'created'; id: string; state: TaskState }
  /** Its idempotency key was seen before: `id` is the earlier task, in `state`. */
  | { outcome: 'duplicate'; id: string; state: TaskState }
  /** Debounce `replace`: the earlier task `id`, still waiting in `state`, took this payload. */
  | { outcome: 'replaced'; id: string; state: TaskState }
  /** Not written: unknownDependency (naming it) or notWritten (another task of the atomic batch). */
  | { outcome: 'refused'; refusal: Refusal };

/** 3 values per task: code, id, state. */
const SUBMIT_WIDTH = 3;

/** One entry per task of the batch, in order; `count` is how many tasks were sent. */
export function decodeSubmitTasks(reply: unknown, count: number): SubmitTaskReply[] {
  const flat = replyArray('submitTasks', reply);
  if (flat.length !== count * SUBMIT_WIDTH)
    throw new ScriptReplyError('submitTasks', `${flat.length} values for ${count} tasks`);
  const out: SubmitTaskReply[] = [];
  for (let o = 0; o < flat.length; o += SUBMIT_WIDTH) {
    const code = Number(flat[o]);
    const id = String(flat[o + 1]);
    if (code === 0 || code === 1 || code === 2) {
      out.push({
        outcome: code === 0 ? 'created' : code === 1 ? 'duplicate' : 'replaced',
        id,
        state: String(flat[o + 2]) as TaskState,
      });
      continue;
    }
    const name = refusalName('submitTasks', code);
    out.push({
      outcome: 'refused',
      refusal: name === 'unknownDependency' ? { code: name, dependency: id } : { code: name },
    });
  }
  return out;
}

export const SUBMIT_PLAIN: ScriptShape = {
  name: 'submitPlain',
  keyNames: ['ready', 'seq'],
  argNames: ['base', 'now', 'maxLen'],
  perItem: [{ per: 'task', names: ['id', 'priority', 'spec', 'payload'] }],
};

/** `tasks` must be plain: no dependencies, idempotency key, run time or deadline. */
export function buildSubmitPlain(a: QueueCallBase & { tasks: readonly NormalizedSpec[] }): ScriptCall {
  const k = a.keys;
  // Sized once: a batch has up to a thousand values.
  const argv = new Array<string>(3 + 4 * a.tasks.length);
  argv[0] = k.base;
  argv[1] = String(a.now);
  argv[2] = String(a.maxLen);
  let o = 3;
  for (const s of a.tasks) {
    argv[o] = s.id;
    argv[o + 1] = String(s.priority);
    argv[o + 2] = encodeSpec(s);
    argv[o + 3] = s.payloadJson;
    o += 4;
  }
  return { keys: [k.ready, k.seq], argv };
}

/** Every task is written, `queued`. */
export function decodeSubmitPlain(reply: unknown): { written: number } {
  return { written: replyInteger('submitPlain', reply) };
}
