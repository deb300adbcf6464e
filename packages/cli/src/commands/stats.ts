import { TASK_STATES, type TaskState } from '@dtps/core';
import { ExitCode } from '../exit-codes.js';
import { table } from '../format.js';
import type { Command } from './command.js';

/** `dtps stats`: task counts by state, for each queue. */
export const stats: Command = {
  name: 'stats',
  args: [],
  summary: 'Count the tasks in each state, for each queue',
  flags: [],
  details: [
    'Every queue that was ever used (and the default queue), or only --queue.',
    'With --json: {"queues": {"default": {"pending": 0, "queued": 3, "running": 1, …}}}',
    `with every state: ${TASK_STATES.join(', ')}.`,
  ],
  examples: ['dtps stats', "dtps stats --json | jq '.queues.default.queued'"],
  async run(ctx) {
    const client = await ctx.client();
    const names =
      ctx.flags.queue !== undefined
        ? [ctx.flags.queue]
        : [...new Set([client.ctx.defaultQueue, ...(await client.queues())])].sort();
    const counts = await Promise.all(names.map((q) => client.counts(q)));
    const queues: Record<string, Record<TaskState, number>> = {};
    names.forEach((q, i) => {
      queues[q] = counts[i]!;
    });
    ctx.out.result({ queues }, () =>
      table(
        ['QUEUE', ...TASK_STATES.map((s) => s.toUpperCase())],
        names.map((q) => [q, ...TASK_STATES.map((s) => String(queues[q]?.[s] ?? 0))]),
      ),
    );
    return ExitCode.ok;
  },
};
