/**
 * cycleTasks-6.lua: one round of a busy worker (report, start, claim).
 * The round's hot path: the builder packs ARGV in one pass, without a
 * closure or an object per task.
 */
import type { ClaimedTask } from '../../engine/claimed.js';
import { decodeTaskRows, HANDOUT_WIDTH } from '../../engine/claimed.js';
import { COMPLETION_VALUES, type CompletionArg, pushCompletions } from './complete.js';
import { type QueueCallBase, type ScriptCall, ScriptReplyError, type ScriptShape } from './shape.js';

/**
 * What became of a start: `gone` when the task was no longer in the window
 * (stolen, handed back, recovered, cancelled), `expired` when its deadline had passed.
 */
export type StartOutcome = 'started' | 'gone' | 'expired';

/** A start code of the reply (1, 0, -1) as its outcome; undefined for a code no script sends. */
function startOutcome(code: number): StartOutcome | undefined {
  return code === 1 ? 'started' : code === 0 ? 'gone' : code === -1 ? 'expired' : undefined;
}

export const CYCLE_TASKS: ScriptShape = {
  name: 'cycleTasks',
  keyNames: ['ready', 'scheduled', 'window', 'running', 'workers', 'succeeded'],
  argNames: [
    'base',
    'now',
    'maxLen',
    'worker',
    'keep',
    'max',
    'start',
    'promote',
    'steal',
    'nc',
    'ns',
    'leaveIdle',
    'registerIdle',
    'idleTtl',
  ],
  perItem: [
    { per: 'completion', names: COMPLETION_VALUES, count: 'nc' },
    { per: 'start', names: ['id', 'attempt'], count: 'ns' },
  ],
};

/** The claim of a round; `max` 0 claims nothing. */
export interface CycleClaimArg {
  max: number;
  /** How many of the claimed to start at once. */
  start: number;
  /** Due scheduled tasks to promote at most. */
  promote: number;
  /** Tasks to steal at most when the ready set runs dry (0: never). */
  steal: number;
}

export interface CycleTasksArgs extends QueueCallBase {
  worker: string;
  /** Retention: most succeeded tasks to keep. */
  keep: number;
  completions: readonly CompletionArg[];
  /** Window tasks to start, each with its new attempt number. */
  starts: readonly { id: string; attempt: number }[];
  claim: CycleClaimArg | null;
  /** The worker may be registered idle: take it off, and return its inbox. */
  leaveIdle: boolean;
  /** When the claim cannot fill its free slots, register the worker idle with the slots left. */
  registerIdle: boolean;
  /** How long a registration holds, ms. */
  idleTtlMs: number;
}

export function buildCycleTasks(a: CycleTasksArgs): ScriptCall {
  const k = a.keys;
  const c = a.claim;
  const argv = [
    k.base,
    String(a.now),
    String(a.maxLen),
    a.worker,
    String(a.keep),
    c ? String(c.max) : '0',
    c ? String(c.start) : '0',
    c ? String(c.promote) : '0',
    c ? String(c.steal) : '0',
    String(a.completions.length),
    String(a.starts.length),
    a.leaveIdle ? '1' : '0',
    a.registerIdle ? '1' : '0',
    String(a.idleTtlMs),
  ];
  pushCompletions(argv, a.completions, a.now);
  for (const s of a.starts) argv.push(s.id, String(s.attempt));
  return {
    keys: [k.ready, k.scheduled, k.window(a.worker), k.running(a.worker), k.workers, k.done('succeeded')],
    argv,
  };
}

/** What a round did. */
export interface CycleTasksReply {
  /** When the claim found the ready set dry: the run time of the earliest scheduled task, else null. */
  nextDueAt: number | null;
  /** How many of the claimed were stolen from a peer. */
  stolen: number;
  /** Whether the worker is now registered idle. */
  registered: boolean;
  /** What submits handed to it while it was registered (with leaveIdle): started, to run. */
  handedOff: ClaimedTask[];
  /** Per completion sent, in order: whether the fence accepted it. */
  accepted: boolean[];
  /** Per start sent, in order. */
  started: StartOutcome[];
  /** The claimed tasks, in order. */
  claimed: ClaimedTask[];
}

/** What the round sent, which the reply's layout depends on. */
export interface CycleSent {
  queue: string;
  completions: number;
  starts: number;
}

/**
 * A quiet round's reply (quietround.lua: one completion sent, no start, a claim that came back
 * dry, no inbox message): one integer, 1 when the completion was accepted, plus 2 when the
 * worker is now registered idle. Redis turns an integer into its reply for far less than a table.
 */
function decodeQuietRound(code: number, sent: CycleSent): CycleTasksReply {
  if (sent.completions !== 1 || sent.starts !== 0 || !Number.isInteger(code) || code < 0 || code > 3)
    throw new ScriptReplyError('cycleTasks', `quiet reply ${code} for what the round sent`);
  return {
    nextDueAt: null,
    stolen: 0,
    registered: (code & 2) !== 0,
    handedOff: [],
    accepted: [(code & 1) !== 0],
    started: [],
    claimed: [],
  };
}

/**
 * Reply: one text, a value per line (lua/includes/handout.lua, replyText): nextDue, stolen,
 * registered, m, then per inbox message its number of tasks and their lines, nc completion
 * codes, ns start codes, 7 values per claimed task; or a quiet round's integer.
 */
export function decodeCycleTasks(reply: unknown, sent: CycleSent): CycleTasksReply {
  if (typeof reply === 'number') return decodeQuietRound(reply, sent);
  if (typeof reply !== 'string') throw new ScriptReplyError('cycleTasks', 'a reply that is not a text');
  // One native split: far cheaper than the client decoding a value a line.
  const r = reply.split('\n');
  const messages = Number(r[3]);
  let o = 4;
  if (!(messages >= 0) || r.length < o + messages + sent.completions + sent.starts)
    throw new ScriptReplyError('cycleTasks', `${r.length} values for what the round sent`);
  const handedOff: ClaimedTask[] = [];
  for (let m = 0; m < messages; m++) {
    const end = o + 1 + Number(r[o]) * HANDOUT_WIDTH;
    if (!(end <= r.length)) throw new ScriptReplyError('cycleTasks', `inbox message of ${r[o]} tasks`);
    for (const task of decodeTaskRows(sent.queue, r, o + 1, end)) handedOff.push(task);
    o = end;
  }
  const accepted: boolean[] = [];
  for (const end = o + sent.completions; o < end; o++) accepted.push(r[o] === '1');
  const started: StartOutcome[] = [];
  for (const end = o + sent.starts; o < end; o++) {
    const outcome = startOutcome(Number(r[o]));
    if (outcome === undefined) throw new ScriptReplyError('cycleTasks', `start code ${String(r[o])}`);
    started.push(outcome);
  }
  if ((r.length - o) % HANDOUT_WIDTH !== 0)
    throw new ScriptReplyError('cycleTasks', `${r.length - o} values for the claimed tasks`);
  const nextDue = Number(r[0]);
  return {
    nextDueAt: nextDue < 0 ? null : nextDue,
    stolen: Number(r[1]),
    registered: r[2] === '1',
    handedOff,
    accepted,
    started,
    claimed: decodeTaskRows(sent.queue, r, o),
  };
}
