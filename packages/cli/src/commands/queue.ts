import type { LimitChangeResult, LimitTarget, QueueChange, QueueLimit, QueueState } from '@dtps/core';
import type { CommandContext } from '../context.js';
import { usageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { intFlag } from '../flags.js';
import type { Command } from './command.js';

const ACTIONS = ['pause', 'resume', 'show', 'limit'] as const;

/**
 * `dtps queue pause|resume|show|limit QUEUE`: an operator's control of a whole queue, distinct
 * from pausing a worker. A paused queue starts no task anywhere (what workers reserved goes back
 * to it); submits are still accepted and running tasks finish. Limits (rate, concurrency) hold
 * across the fleet, enforced where tasks are handed out (docs/flow-control.md).
 */
export const queue: Command = {
  name: 'queue',
  args: ['ACTION', 'QUEUE'],
  summary: 'Pause, resume, limit or show a queue (pause|resume|limit|show QUEUE)',
  flags: ['type', 'group', 'eachGroup', 'rate', 'per', 'concurrency', 'clear'],
  details: [
    'pause: no task of QUEUE starts on any worker until resume; submits are still accepted,',
    'running tasks finish, and tasks workers had reserved go back to the queue (in place).',
    'resume: tasks start again. show: whether it is paused, and its limits.',
    'limit: [--type T | --group G | --each-group] (--rate N --per MS | --concurrency N | --clear)',
    "  without a scope flag the limit is the whole queue's; --group G limits one group,",
    '  --each-group every group separately. --rate N --per MS: at most N starts in any window',
    '  of MS; --concurrency N: at most N running at once; both may be given; --clear removes',
    '  the limit (the tasks it held back go back to the queue, in place).',
    'With --json: {"queue","paused","changed","released"} for pause and resume;',
    '{"queue","paused","pausedAt","limits":[{"scope","key","rate":{"n","perMs"}|null,',
    '"concurrency","running","heldBack","tokensLeft"}]} for show; for limit',
    '{"queue","limit":{"scope","key","rate","concurrency"},"unreserved","released"}.',
  ],
  examples: [
    'dtps queue pause emails',
    'dtps queue resume emails',
    'dtps queue limit emails --type send --rate 100 --per 1000',
    'dtps queue limit emails --each-group --concurrency 5',
    'dtps queue limit emails --group acme --clear',
    'dtps queue show emails --json',
  ],
  async run(ctx) {
    const [action, name] = [ctx.args[0] ?? '', ctx.args[1] ?? ''];
    if (!(ACTIONS as readonly string[]).includes(action))
      throw usageError(`dtps queue: unknown action "${action}" (one of ${ACTIONS.join(', ')})`, 'action');
    if (action === 'limit') return limit(ctx, name);
    const client = await ctx.client();
    if (action === 'show') {
      const state = await client.queueState(name);
      ctx.out.result(state, () => describeState(state));
      return ExitCode.ok;
    }
    const change = action === 'pause' ? await client.pauseQueue(name) : await client.resumeQueue(name);
    ctx.out.result(change, () => describeChange(change));
    return ExitCode.ok;
  },
};

/** The limit's scope from --type, --group and --each-group (at most one). */
function targetOf(ctx: CommandContext): LimitTarget {
  const { flags } = ctx;
  const given = [flags.type !== undefined, flags.group !== undefined, flags.eachGroup === true].filter(
    Boolean,
  );
  if (given.length > 1)
    throw usageError('dtps queue limit: give at most one of --type, --group and --each-group', 'scope');
  if (flags.type !== undefined) return { scope: 'type', key: flags.type };
  if (flags.group !== undefined) return { scope: 'group', key: flags.group };
  if (flags.eachGroup) return { scope: 'each-group' };
  return { scope: 'queue' };
}

async function limit(ctx: CommandContext, name: string): Promise<ExitCode> {
  const { flags } = ctx;
  const target = targetOf(ctx);
  const n = intFlag(flags.rate, 'rate', 'rate.n');
  const perMs = intFlag(flags.per, 'per', 'rate.perMs');
  const concurrency = intFlag(flags.concurrency, 'concurrency');
  if (flags.clear) {
    if (n !== undefined || perMs !== undefined || concurrency !== undefined)
      throw usageError('dtps queue limit: --clear takes no --rate, --per or --concurrency', 'clear');
  } else {
    if ((n === undefined) !== (perMs === undefined))
      throw usageError(
        'dtps queue limit: --rate N needs --per MS (and --per needs --rate)',
        n === undefined ? 'rate' : 'rate.perMs',
      );
    if (n === undefined && concurrency === undefined)
      throw usageError('dtps queue limit: give --rate N --per MS, --concurrency N, or --clear', 'rate');
  }
  const client = await ctx.client();
  const result = flags.clear
    ? await client.clearQueueLimit(name, target)
    : await client.setQueueLimit(name, {
        ...target,
        ...(n !== undefined && perMs !== undefined ? { rate: { n, perMs } } : {}),
        ...(concurrency !== undefined ? { concurrency } : {}),
      });
  ctx.out.result(result, () => describeLimitChange(result));
  return ExitCode.ok;
}

function scopeText(l: { scope: string; key?: string | null }): string {
  if (l.scope === 'queue') return 'the queue';
  if (l.scope === 'each-group') return 'each group';
  return `${l.scope} ${l.key}`;
}

function limitText(l: { rate: { n: number; perMs: number } | null; concurrency: number | null }): string {
  const parts: string[] = [];
  if (l.rate) parts.push(`at most ${l.rate.n} starts per ${l.rate.perMs} ms`);
  if (l.concurrency !== null) parts.push(`at most ${l.concurrency} running`);
  return parts.length > 0 ? parts.join(', ') : 'no limit';
}

function describeLimitChange(r: LimitChangeResult): string {
  const lines = [`queue ${r.queue}, ${scopeText(r.limit)}: ${limitText(r.limit)}`];
  if (r.unreserved > 0) lines.push(`${r.unreserved} reserved tasks went back to the queue`);
  if (r.released > 0) lines.push(`${r.released} held-back tasks went back to the queue`);
  return lines.join('\n');
}

function describeChange(c: QueueChange): string {
  if (!c.changed) return `queue ${c.queue} was already ${c.paused ? 'paused' : 'running'}`;
  if (!c.paused) return `queue ${c.queue} resumed: its tasks start again`;
  const back = c.released > 0 ? `; ${c.released} reserved tasks went back to it` : '';
  return `queue ${c.queue} paused: no task of it starts until dtps queue resume ${c.queue}${back}`;
}

function describeLimit(l: QueueLimit): string {
  const now: string[] = [];
  if (l.concurrency !== null) now.push(`${l.running} running`);
  if (l.tokensLeft !== null) now.push(`${l.tokensLeft} starts left in the window`);
  now.push(`${l.heldBack} held back`);
  return `  ${scopeText(l)}: ${limitText(l)} (${now.join(', ')})`;
}

function describeState(s: QueueState): string {
  const state = s.paused ? `paused since ${new Date(s.pausedAt ?? 0).toISOString()}` : 'running';
  if (s.limits.length === 0) return `queue ${s.queue}: ${state}; limits: none`;
  return [`queue ${s.queue}: ${state}; limits:`, ...s.limits.map(describeLimit)].join('\n');
}
