import { BULK_ACTIONS, type BulkAction, type BulkFilter, type BulkStep, type TaskState } from '@dtps/core';
import { usageError, withFlagNames } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { intFlag } from '../flags.js';
import type { Command } from './command.js';

const FLAG_OF_FIELD = {
  state: '--state',
  type: '--type',
  group: '--group',
  priority: '--priority',
  before: '--before',
  after: '--after',
  queue: '--queue',
};

/** Progress lines on standard error at most this often (ms). */
const PROGRESS_EVERY_MS = 1000;

/**
 * `dtps bulk retry|cancel|delete|purge`: acts on every task of a queue that
 * the filter chooses, a bounded chunk at a time (docs/bulk.md). Ctrl-C stops
 * between chunks; running the same command again finishes the job.
 */
export const bulk: Command = {
  name: 'bulk',
  args: ['ACTION'],
  summary: 'Retry, cancel, delete or purge every task a filter chooses (retry|cancel|delete|purge)',
  flags: ['state', 'type', 'group', 'priority', 'before', 'after', 'dryRun'],
  flagHelp: {
    state: 'The state the tasks are in (required but for purge)',
    type: 'Only tasks of this type',
    priority: 'Only tasks of this priority (1-10)',
  },
  details: [
    'retry: ended tasks (--state failed, expired, cancelled or succeeded) get a new attempt series.',
    'cancel: tasks that have not ended (pending, scheduled, queued, reserved, running) end cancelled;',
    'workers running them are told to abort. delete: the tasks are removed (one that has not ended',
    'is cancelled first). purge: delete every ended task (all four ended states unless --state).',
    'Works a chunk of 100 tasks per Redis call and rests as long as each took, so other traffic',
    'keeps flowing; each task is checked again when its chunk runs. Tasks created (or ended)',
    'after the command started are left alone. Ctrl-C stops between chunks (exit 130); run the',
    'command again to finish.',
    'Progress goes to standard error. With --json: {"matched","done"}; --dry-run counts only.',
  ],
  examples: [
    'dtps bulk retry --state failed --type resize --dry-run',
    'dtps bulk cancel --state queued --queue emails --before 1767225600000',
    'dtps bulk purge --queue emails --json',
  ],
  async run(ctx) {
    const { flags, out } = ctx;
    const action = ctx.args[0] ?? '';
    if (!(BULK_ACTIONS as readonly string[]).includes(action))
      throw usageError(`dtps bulk: unknown action "${action}" (one of ${BULK_ACTIONS.join(', ')})`, 'action');
    const filter: BulkFilter = {
      ...(flags.queue === undefined ? {} : { queue: flags.queue }),
      ...(flags.state === undefined ? {} : { state: flags.state as TaskState }),
      ...(flags.type === undefined ? {} : { type: flags.type }),
      ...(flags.group === undefined ? {} : { group: flags.group }),
    };
    for (const name of ['priority', 'before', 'after'] as const) {
      const v = intFlag(flags[name], name);
      if (v !== undefined) filter[name] = v;
    }
    const client = await ctx.client();
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    let lastNote = Date.now();
    const progress = (p: BulkStep) => {
      if (out.json || Date.now() - lastNote < PROGRESS_EVERY_MS) return;
      lastNote = Date.now();
      out.rawError(`bulk ${action}: ${p.scanned} looked at, ${p.matched} matched, ${p.done} done`);
    };
    let r: BulkStep;
    try {
      r = await client.bulk(action as BulkAction, filter, {
        dryRun: flags.dryRun === true,
        signal: stop.signal,
        onProgress: progress,
      });
    } catch (err) {
      throw withFlagNames(err, FLAG_OF_FIELD);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    const interrupted = stop.signal.aborted && r.cursor !== null;
    out.result({ matched: r.matched, done: r.done }, () =>
      describe(action, flags.dryRun === true, r, interrupted),
    );
    return interrupted ? ExitCode.forced : ExitCode.ok;
  },
};

function describe(action: string, dryRun: boolean, r: BulkStep, interrupted: boolean): string {
  if (dryRun) return `${r.matched} tasks match (dry run: nothing changed; ${r.scanned} looked at)`;
  const refused = r.matched - r.done;
  const why = refused > 0 ? `; ${refused} refused (a deadline passed or a dependency did not succeed)` : '';
  const stopped = interrupted ? '\ninterrupted: run the same command again to finish' : '';
  return `${action}: ${r.done} of ${r.matched} matching tasks done${why}${stopped}`;
}
