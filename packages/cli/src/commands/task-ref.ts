import type { TaskRef } from '@dtps/core';
import type { CommandContext } from '../context.js';

/**
 * Where to look for a task by id: only in `--queue` when it is given on the
 * command line, else in every known queue (the configured default queue
 * first). A default queue from the config file or DTPS_QUEUE does not limit
 * the search: it says where new tasks go, not where old ones are.
 */
export function taskRef(ctx: CommandContext): TaskRef {
  return ctx.flags.queue === undefined ? {} : { queue: ctx.flags.queue };
}

/** The task id argument. Arity is checked before a command runs. */
export function taskId(ctx: CommandContext): string {
  return ctx.args[0] ?? '';
}
