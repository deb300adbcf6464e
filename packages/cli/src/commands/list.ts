import { TASK_STATES, type TaskState } from '@dtps/core';
import { withFlagNames } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { intFlag } from '../flags.js';
import { shortDuration, table } from '../format.js';
import type { Command } from './command.js';

const FLAG_OF_FIELD = { state: '--state', priority: '--priority', limit: '--limit', cursor: '--cursor' };

/** `dtps list`: the tasks of one queue, a page at a time. */
export const list: Command = {
  name: 'list',
  args: [],
  summary: 'List the tasks of a queue (running first, then waiting, then ended)',
  flags: ['state', 'priority', 'limit', 'cursor'],
  flagHelp: { priority: 'Only tasks of this priority (1-10)' },
  details: [
    `States: ${TASK_STATES.join(', ')}.`,
    'When there are more, the last line gives the --cursor of the next page. With --json:',
    '{"tasks":[…], "cursor": "…" or null}, each task as `dtps status --json` prints it.',
  ],
  examples: [
    'dtps list',
    'dtps list --queue emails --state failed --limit 100',
    'dtps list --json --cursor 2:50',
  ],
  async run(ctx) {
    const { flags, out } = ctx;
    const priority = intFlag(flags.priority, 'priority');
    const limit = intFlag(flags.limit, 'limit');
    const client = await ctx.client();
    const queue = flags.queue ?? client.ctx.defaultQueue;
    let page: Awaited<ReturnType<typeof client.list>>;
    try {
      page = await client.list({
        queue,
        ...(flags.state === undefined ? {} : { state: flags.state as TaskState }),
        ...(priority === undefined ? {} : { priority }),
        ...(limit === undefined ? {} : { limit }),
        ...(flags.cursor === undefined ? {} : { cursor: flags.cursor }),
      });
    } catch (err) {
      throw withFlagNames(err, FLAG_OF_FIELD);
    }
    out.result(page, () => {
      if (page.tasks.length === 0)
        return `no tasks in queue ${queue}${flags.state ? ` in state ${flags.state}` : ''}`;
      const now = Date.now();
      const rows = page.tasks.map((t) => [
        t.id,
        t.state,
        t.type,
        String(t.priority),
        String(t.attempts),
        shortDuration(now - t.createdAt),
      ]);
      const text = table(['ID', 'STATE', 'TYPE', 'PRIORITY', 'ATTEMPTS', 'AGE'], rows);
      return page.cursor === null ? text : `${text}\nmore: dtps list --cursor ${page.cursor}`;
    });
    return ExitCode.ok;
  },
};
