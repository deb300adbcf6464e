import type { QueueChange, QueueState } from '@dtps/core';
import { usageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { Command } from './command.js';

const ACTIONS = ['pause', 'resume', 'show'] as const;

/**
 * `dtps queue pause|resume|show QUEUE`: an operator's control of a whole
 * queue, distinct from pausing a worker. A paused queue starts no task
 * anywhere (what workers reserved goes back to it); submits are still
 * accepted and running tasks finish.
 */
export const queue: Command = {
  name: 'queue',
  args: ['ACTION', 'QUEUE'],
  summary: 'Pause, resume or show a queue (pause|resume|show QUEUE)',
  flags: [],
  details: [
    'pause: no task of QUEUE starts on any worker until resume; submits are still accepted,',
    'running tasks finish, and tasks workers had reserved go back to the queue (in place).',
    'resume: tasks start again. show: whether it is paused, and its limits.',
    'With --json: {"queue","paused","changed","released"} for pause and resume;',
    '{"queue","paused","pausedAt","limits"} for show (pausedAt in ms, or null).',
    'Rate limits and concurrency caps (queue limit) are not in this version: limits is [].',
  ],
  examples: ['dtps queue pause emails', 'dtps queue resume emails', 'dtps queue show emails --json'],
  async run(ctx) {
    const [action, name] = [ctx.args[0] ?? '', ctx.args[1] ?? ''];
    if (action === 'limit')
      throw usageError(
        'dtps queue limit: rate limits and concurrency caps are not in this version',
        'action',
      );
    if (!(ACTIONS as readonly string[]).includes(action))
      throw usageError(`dtps queue: unknown action "${action}" (one of ${ACTIONS.join(', ')})`, 'action');
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

function describeChange(c: QueueChange): string {
  if (!c.changed) return `queue ${c.queue} was already ${c.paused ? 'paused' : 'running'}`;
  if (!c.paused) return `queue ${c.queue} resumed: its tasks start again`;
  const back = c.released > 0 ? `; ${c.released} reserved tasks went back to it` : '';
  return `queue ${c.queue} paused: no task of it starts until dtps queue resume ${c.queue}${back}`;
}

function describeState(s: QueueState): string {
  const state = s.paused ? `paused since ${new Date(s.pausedAt ?? 0).toISOString()}` : 'running';
  return `queue ${s.queue}: ${state}; limits: none`;
}
