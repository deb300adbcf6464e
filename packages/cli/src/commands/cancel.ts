import { ExitCode } from '../exit-codes.js';
import type { Command } from './command.js';
import { taskId, taskRef } from './task-ref.js';

/** `dtps cancel ID`: ends a task that has not ended, and its pending dependents. */
export const cancel: Command = {
  name: 'cancel',
  args: ['ID'],
  summary: 'Cancel a task that has not ended (a running one is aborted)',
  flags: ['reason'],
  details: [
    'Tasks waiting for it are cancelled too (reason dependency_failed). With --json:',
    '{"id","queue","state","previousState","worker"}. A task that has ended cannot be',
    'cancelled (exit 2).',
  ],
  examples: ['dtps cancel 01jh5x…', 'dtps cancel 01jh5x… --reason "wrong input" --json'],
  async run(ctx) {
    const client = await ctx.client();
    const r = await client.cancel(taskId(ctx), {
      ...taskRef(ctx),
      ...(ctx.flags.reason === undefined ? {} : { reason: ctx.flags.reason }),
    });
    const now = await client.find(r.id, { queue: r.queue });
    const state = now?.state ?? 'cancelled';
    ctx.out.result(
      { id: r.id, queue: r.queue, state, previousState: r.previousState, worker: r.worker },
      () => {
        const worker = r.worker === null ? '' : `; worker ${r.worker} told to abort it`;
        return `cancelled ${r.id} (was ${r.previousState}, queue ${r.queue}${worker})`;
      },
    );
    return ExitCode.ok;
  },
};
