import { ExitCode } from '../exit-codes.js';
import { formatTask } from '../format.js';
import type { Command } from './command.js';
import { taskId, taskRef } from './task-ref.js';

/** `dtps status ID`: the task as stored. */
export const status: Command = {
  name: 'status',
  args: ['ID'],
  summary: 'Show a task: state, attempts, times, error, result',
  flags: [],
  details: [
    'With --json: the whole task, including id, state, attempts, result, error, priority,',
    'queue, type, dependsOn, and createdAt, startedAt, finishedAt in ms since the epoch, and',
    'logs: [{"at","attempt","message"}], the newest lines the handler wrote with ctx.log (at most',
    '100 lines and 64 KiB, stored when each attempt ended; docs/handlers.md). The human form',
    'lists them under the task.',
    'An unknown id is bad input (exit 2).',
  ],
  examples: ['dtps status 01jh5x…', "dtps status 01jh5x… --json | jq -r '.state'"],
  async run(ctx) {
    const client = await ctx.client();
    const task = await client.get(taskId(ctx), taskRef(ctx));
    ctx.out.result(task, () => formatTask(task));
    return ExitCode.ok;
  },
};
