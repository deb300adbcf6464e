import { type ControlCommand, describeScale } from '@dtps/core';
import type { CommandContext } from '../context.js';
import { usageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { intFlag } from '../flags.js';
import type { Command } from './command.js';

/** Sends one control command to a worker and reports it. */
async function send(ctx: CommandContext, cmd: ControlCommand, done: string): Promise<ExitCode> {
  const worker = ctx.args[0]!;
  const client = await ctx.client();
  await client.control(worker, cmd);
  ctx.out.result({ worker, ...cmd, sent: true }, () => `${done} (worker ${worker})`);
  return ExitCode.ok;
}

/** How long `scale` waits for the worker to say what it changed. */
const SCALE_REPLY_MS = 5000;

/** Sends a `scale` and prints what the worker reports it changed (before → after). */
async function sendScale(ctx: CommandContext, cmd: ControlCommand & { command: 'scale' }): Promise<ExitCode> {
  const worker = ctx.args[0]!;
  const client = await ctx.client();
  const reply = await client.control(worker, cmd, { awaitReplyMs: SCALE_REPLY_MS });
  const outcome = reply?.scale;
  ctx.out.result({ worker, ...cmd, sent: true, answered: outcome !== undefined, ...outcome }, () =>
    outcome
      ? `scaled worker ${worker}: ${describeScale(outcome)}`
      : `sent ${describeAsked(cmd)} to worker ${worker}, but it did not answer within ${SCALE_REPLY_MS / 1000} s; \`dtps workers\` shows its size`,
  );
  return ExitCode.ok;
}

function describeAsked(cmd: { size?: number; min?: number; max?: number }): string {
  const parts = (['size', 'min', 'max'] as const)
    .filter((f) => cmd[f] !== undefined)
    .map((f) => `${f} ${cmd[f]}`);
  return `scale (${parts.join(', ')})`;
}

/** `dtps scale WORKER --size N [--min N --max N]`. */
export const scale: Command = {
  name: 'scale',
  args: ['WORKER'],
  summary: "Change a worker's pool size and its autoscaler bounds at run time",
  flags: ['size', 'min', 'max'],
  details: [
    'Changes only what is given, and prints what the worker changed, before → after.',
    'A new min above the size or the max raises them to it; a new max below the size or the min lowers them.',
    "An operator's size is held against the autoscaler for 3 autoscaler cooldowns (default 30 s).",
  ],
  examples: ['dtps scale host-1234-ab12 --size 20', 'dtps scale host-1234-ab12 --min 2 --max 50'],
  run(ctx) {
    const size = intFlag(ctx.flags.size, 'size');
    const min = intFlag(ctx.flags.min, 'min');
    const max = intFlag(ctx.flags.max, 'max');
    if (size === undefined && min === undefined && max === undefined) {
      throw usageError('scale needs --size, --min or --max', '--size');
    }
    const cmd: ControlCommand & { command: 'scale' } = {
      command: 'scale',
      ...(size === undefined ? {} : { size }),
      ...(min === undefined ? {} : { min }),
      ...(max === undefined ? {} : { max }),
    };
    return sendScale(ctx, cmd);
  },
};

/** `dtps pause WORKER`. */
export const pause: Command = {
  name: 'pause',
  args: ['WORKER'],
  summary: 'Stop a worker from starting tasks (running ones finish; its window goes back)',
  flags: [],
  examples: ['dtps pause host-1234-ab12'],
  run: (ctx) => send(ctx, { command: 'pause' }, 'paused'),
};

/** `dtps resume WORKER`. */
export const resume: Command = {
  name: 'resume',
  args: ['WORKER'],
  summary: 'Let a paused worker take tasks again',
  flags: [],
  examples: ['dtps resume host-1234-ab12'],
  run: (ctx) => send(ctx, { command: 'resume' }, 'resumed'),
};

/** `dtps drain WORKER`. */
export const drain: Command = {
  name: 'drain',
  args: ['WORKER'],
  summary: 'Let a worker finish its running tasks, take no more, and exit',
  flags: [],
  examples: ['dtps drain host-1234-ab12'],
  run: (ctx) => send(ctx, { command: 'drain' }, 'draining'),
};

/** `dtps steal WORKER on|off`. */
export const steal: Command = {
  name: 'steal',
  args: ['WORKER', 'on|off'],
  summary: 'Turn work stealing on or off for a worker',
  flags: [],
  examples: ['dtps steal host-1234-ab12 on'],
  run(ctx) {
    const value = ctx.args[1];
    if (value !== 'on' && value !== 'off')
      throw usageError(`steal takes on or off, got ${JSON.stringify(value)}`, 'on|off');
    return send(ctx, { command: 'steal', on: value === 'on' }, `stealing ${value}`);
  },
};
