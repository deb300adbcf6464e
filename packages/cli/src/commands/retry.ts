import { ExitCode } from '../exit-codes.js';
import type { Command } from './command.js';
import { taskId, taskRef } from './task-ref.js';

/** `dtps retry ID`: a new series of attempts for a task that has ended. */
export const retry: Command = {
  name: 'retry',
  args: ['ID'],
  summary: 'Run a task that has ended again (a new series of attempts)',
  flags: [],
  details: [
    'For a failed, expired or cancelled task (or a succeeded one, to run it again).',
    'Refused (exit 2) while it has not ended, when its deadline has passed, or when a task',
    'it depends on did not succeed (retry that one first). With --json: {"id","queue","state"}.',
  ],
  examples: [
    'dtps retry 01jh5x…',
    "dtps list --state failed --json | jq -r '.tasks[].id' | xargs -n1 dtps retry",
  ],
  async run(ctx) {
    const client = await ctx.client();
    const r = await client.retry(taskId(ctx), taskRef(ctx));
    ctx.out.result(
      { id: r.id, queue: r.queue, state: r.state },
      () => `retried ${r.id} (${r.state}, queue ${r.queue})`,
    );
    return ExitCode.ok;
  },
};
