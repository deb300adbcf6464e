import { type PayloadWhere, parseWhereValue, redactRedisUrl, TASK_STATES, type TaskState } from '@dtps/core';
import { usageError, withFlagNames } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { CliFlags } from '../flags.js';
import { intFlag } from '../flags.js';
import { shortDuration, table } from '../format.js';
import type { Command } from './command.js';

const FLAG_OF_FIELD = {
  state: '--state',
  priority: '--priority',
  limit: '--limit',
  cursor: '--cursor',
  type: '--type',
  where: '--where',
};

/** `dtps list`: the tasks of one queue, a page at a time. */
export const list: Command = {
  name: 'list',
  args: [],
  summary: 'List the tasks of a queue (running first, then waiting, then ended)',
  flags: ['state', 'priority', 'type', 'where', 'limit', 'cursor'],
  flagHelp: { priority: 'Only tasks of this priority (1-10)', type: 'Only tasks of this type' },
  details: [
    `States: ${TASK_STATES.join(', ')}.`,
    'When there are more, the last line gives the command for the next page: the same filters',
    'and a --cursor (it counts places among the tasks those filters choose). With --priority',
    'a page looks at up to 5000 tasks: it may come back short, even empty, with a cursor to go on.',
    'Search: --type and --where FIELD=VALUE (a payload field, a dot path; VALUE as JSON, else a',
    'string) read every task they look at, also at most 5000 a page, and go on by the cursor.',
    'With --json: {"tasks":[…], "cursor": "…" or null}, each task as `dtps status --json` prints it.',
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
        ...(flags.type === undefined ? {} : { type: flags.type }),
        ...(flags.where === undefined ? {} : { where: parseWhere(flags.where) }),
        ...(flags.cursor === undefined ? {} : { cursor: flags.cursor }),
      });
    } catch (err) {
      throw withFlagNames(err, FLAG_OF_FIELD);
    }
    out.result(page, () => {
      const more = page.cursor === null ? '' : `\nmore: ${nextPageCommand(flags, page.cursor)}`;
      if (page.tasks.length === 0) {
        const which = `${flags.state ? ` in state ${flags.state}` : ''}${priority === undefined ? '' : ` of priority ${priority}`}${flags.type || flags.where ? ' matching the search' : ''}`;
        // A filter that leaves most tasks out may end a page's scan before any match.
        return `no tasks in queue ${queue}${which}${page.cursor === null ? '' : ' so far'}${more}`;
      }
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
      return `${text}${more}`;
    });
    return ExitCode.ok;
  },
};

/** Flags that choose which tasks, or where from: the next page needs them all again. */
const REPEATED_FLAGS = [
  'redis',
  'config',
  'prefix',
  'queue',
  'state',
  'priority',
  'type',
  'where',
  'limit',
] as const;

/**
 * The command for the next page: `dtps list` with every filter flag given
 * (the cursor counts positions among the tasks those filters choose) and
 * `--cursor`. A Redis URL with a password is left out rather than printed.
 */
export function nextPageCommand(flags: CliFlags, cursor: string): string {
  const parts = ['dtps list'];
  for (const name of REPEATED_FLAGS) {
    const value = flags[name];
    if (value === undefined) continue;
    if (name === 'redis' && redactRedisUrl(value) !== value) continue;
    parts.push(`--${name} ${shellWord(value)}`);
  }
  parts.push(`--cursor ${cursor}`);
  return parts.join(' ');
}

/** A value as one shell word: quoted unless it is plainly safe. */
function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}

/** `--where user.id=42`: the field and its value (JSON when it parses, else the text). */
function parseWhere(raw: string): PayloadWhere {
  const at = raw.indexOf('=');
  if (at <= 0) throw usageError('--where: must be FIELD=VALUE, such as user.id=42', 'where');
  return { field: raw.slice(0, at), value: parseWhereValue(raw.slice(at + 1)) };
}
