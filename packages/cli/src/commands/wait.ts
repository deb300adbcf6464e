import { type Client, DtpsError, type Task, WaitTimeoutError } from '@dtps/core';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { intFlag } from '../flags.js';
import { formatTask } from '../format.js';
import type { Command } from './command.js';
import { taskId, taskRef } from './task-ref.js';

/** `dtps wait ID`: blocks until the task has ended; the exit code says how. */
export const wait: Command = {
  name: 'wait',
  args: ['ID'],
  summary: 'Wait until a task has ended: exit 0 if it succeeded, else 1',
  flags: ['timeout'],
  flagHelp: { timeout: 'Stop waiting after this many ms (exit 1)' },
  details: [
    'Prints the ended task (with --json as `dtps status --json` does). Exit 0 when it',
    'succeeded; 1 when it failed, expired or was cancelled, or, with --timeout, when it',
    'has not ended in time (then standard error says `task <id> is still <state> after N ms`).',
    "Reads the queue's event stream: waiting costs Redis nothing while nothing happens.",
  ],
  examples: ['dtps wait 01jh5x…', 'dtps wait 01jh5x… --timeout 30000 --json'],
  async run(ctx) {
    const timeoutMs = intFlag(ctx.flags.timeout, 'timeout', 'timeoutMs');
    const client = await ctx.client();
    return awaitTask(ctx, client, taskId(ctx), taskRef(ctx).queue, timeoutMs);
  },
};

/**
 * Waits for a task, prints it, and returns exit 0 if it succeeded, 1 if it
 * ended otherwise. A timeout is thrown as a `timeout` error (exit 1) that
 * names the state the task is still in.
 */
export async function awaitTask(
  ctx: CommandContext,
  client: Client,
  id: string,
  queue: string | undefined,
  timeoutMs: number | undefined,
): Promise<ExitCode> {
  let task: Task;
  try {
    task = await client.wait(id, {
      ...(queue === undefined ? {} : { queue }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    });
  } catch (err) {
    if (!(err instanceof WaitTimeoutError)) throw err;
    const now = await client.find(id, queue === undefined ? {} : { queue });
    const state = now?.state ?? 'gone';
    throw new DtpsError('timeout', `task ${id} is still ${state} after ${timeoutMs} ms`, {
      field: 'timeoutMs',
      cause: err,
    });
  }
  ctx.out.result(task, () => formatTask(task));
  return task.state === 'succeeded' ? ExitCode.ok : ExitCode.unsuccessful;
}
