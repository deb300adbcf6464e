import {
  type ScheduleDetail,
  type ScheduleInput,
  ScheduleStore,
  type ScheduleTemplate,
  scheduleDetail,
  scheduleSummary,
} from '@dtps/core';
import type { CommandContext } from '../context.js';
import { usageError, withFlagNames } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { intFlag } from '../flags.js';
import { FLAG_OF_FIELD } from '../submit/spec-flags.js';
import type { Command } from './command.js';

const ACTIONS = ['add', 'list', 'show', 'pause', 'resume', 'rm', 'run-now'] as const;

/** The flag that sets each schedule field, for messages about that field. */
const FLAG_OF_SCHEDULE_FIELD: Readonly<Record<string, string>> = {
  ...FLAG_OF_FIELD,
  cron: '--cron',
  tz: '--tz',
  everyMs: '--every',
  missed: '--missed',
  overlap: '--overlap',
  jitterMs: '--jitter',
  deadlineOffsetMs: '--deadline-offset',
  group: '--group',
  id: 'ID',
};

/**
 * `dtps schedule add|list|show|pause|resume|rm|run-now [ID]`: periodic
 * tasks (docs/schedules.md). The leading coordinator fires them; these only
 * change what is stored.
 */
export const schedule: Command = {
  name: 'schedule',
  args: ['ACTION'],
  optionalArgs: ['ID'],
  summary: 'Periodic tasks (add|list|show|pause|resume|rm|run-now [ID])',
  flags: [
    'cron',
    'tz',
    'every',
    'type',
    'payload',
    'priority',
    'retries',
    'timeout',
    'deadlineOffset',
    'group',
    'missed',
    'overlap',
    'jitter',
  ],
  details: [
    'add ID (--cron EXPR [--tz ZONE] | --every MS) --type T [--payload JSON] [--queue Q]',
    '  [--priority P] [--missed skip|once|catch-up:N] [--overlap allow|skip]: create, or',
    '  update (the same ID again). The leading coordinator submits a task at each due time.',
    'list: every schedule; with --json one array of',
    '  {"id","cron"|"everyMs","tz","next","last","paused","fired"} (times in ms).',
    'show ID: one schedule, its template, policies and last run. pause/resume ID: stop and',
    '  start firing (resume starts at the next due time). rm ID: delete (its runs stay).',
    'run-now ID: submit a run now, outside its due times.',
  ],
  examples: [
    "dtps schedule add nightly --cron '0 3 * * *' --tz Europe/Berlin --type report",
    'dtps schedule add poll --every 30000 --type poll --payload \'{"url":"https://x"}\' --overlap skip',
    'dtps schedule list --json',
    'dtps schedule run-now nightly',
  ],
  async run(ctx) {
    const action = ctx.args[0] ?? '';
    const id = ctx.args[1];
    if (!(ACTIONS as readonly string[]).includes(action))
      throw usageError(`dtps schedule: unknown action "${action}" (one of ${ACTIONS.join(', ')})`, 'action');
    if (action === 'list') {
      if (id !== undefined) throw usageError(`dtps schedule list takes no ID, got ${JSON.stringify(id)}`);
      return list(ctx);
    }
    if (id === undefined)
      throw usageError(`dtps schedule ${action} needs a schedule id: dtps schedule ${action} ID`, 'id');
    if (action === 'add') return add(ctx, id);
    const client = await ctx.client();
    const store = new ScheduleStore(client.ctx);
    switch (action) {
      case 'show': {
        const detail = await scheduleDetail(await store.get(id), client);
        ctx.out.result(detail, () => describe(detail));
        return ExitCode.ok;
      }
      case 'pause':
      case 'resume': {
        const changed = await store.setPaused(id, action === 'pause');
        const info = await store.get(id);
        ctx.out.result({ ...scheduleSummary(info), changed }, () =>
          changed
            ? `schedule ${id} ${action}d`
            : `schedule ${id} was already ${action === 'pause' ? 'paused' : 'running'}`,
        );
        return ExitCode.ok;
      }
      case 'rm':
        await store.remove(id);
        ctx.out.result({ id, removed: true }, () => `schedule ${id} removed (its runs so far stay)`);
        return ExitCode.ok;
      default: {
        const r = await store.runNow(client, id);
        ctx.out.result(r, () => `schedule ${id}: submitted ${r.id} (queue ${r.queue})`);
        return ExitCode.ok;
      }
    }
  },
};

async function list(ctx: CommandContext): Promise<ExitCode> {
  const client = await ctx.client();
  const all = await new ScheduleStore(client.ctx).list();
  const rows = all.map(scheduleSummary);
  ctx.out.result(rows, () =>
    rows.length === 0
      ? 'no schedules'
      : rows
          .map((r) => {
            const every = 'cron' in r ? `cron '${r.cron}'${r.tz ? ` ${r.tz}` : ''}` : `every ${r.everyMs} ms`;
            const next = r.paused ? 'paused' : `next ${when(r.next)}`;
            return `${r.id}  ${every}  ${next}  last ${when(r.last)}  fired ${r.fired}`;
          })
          .join('\n'),
  );
  return ExitCode.ok;
}

async function add(ctx: CommandContext, id: string): Promise<ExitCode> {
  const f = ctx.flags;
  if (f.type === undefined) throw usageError('dtps schedule add needs --type T', 'type');
  const { config } = await ctx.config();
  const template: ScheduleTemplate = { type: f.type, queue: f.queue ?? config.queue };
  if (f.payload !== undefined) {
    try {
      template.payload = JSON.parse(f.payload);
    } catch (err) {
      throw usageError(`--payload: must be JSON (${(err as Error).message})`, 'payload');
    }
  }
  const priority = intFlag(f.priority, 'priority');
  if (priority !== undefined) template.priority = priority;
  const retries = intFlag(f.retries, 'retries', 'maxRetries');
  if (retries !== undefined) template.maxRetries = retries;
  const timeout = intFlag(f.timeout, 'timeout', 'timeoutMs');
  if (timeout !== undefined) template.timeoutMs = timeout;
  const offset = intFlag(f.deadlineOffset, 'deadlineOffset', 'deadlineOffsetMs');
  if (offset !== undefined) template.deadlineOffsetMs = offset;
  if (f.group !== undefined) template.group = f.group;
  const input: ScheduleInput = { id, template };
  if (f.cron !== undefined) input.cron = f.cron;
  if (f.tz !== undefined) input.tz = f.tz;
  const every = intFlag(f.every, 'every', 'everyMs');
  if (every !== undefined) input.everyMs = every;
  if (f.cron === undefined && every === undefined)
    throw usageError('dtps schedule add needs --cron EXPR or --every MS', 'cron');
  if (f.missed !== undefined) input.missed = f.missed;
  if (f.overlap !== undefined) input.overlap = f.overlap as ScheduleInput['overlap'];
  const jitter = intFlag(f.jitter, 'jitter', 'jitterMs');
  if (jitter !== undefined) input.jitterMs = jitter;
  const client = await ctx.client();
  const store = new ScheduleStore(client.ctx);
  try {
    const { outcome } = await store.save(input, 'cli');
    const info = await store.get(id);
    ctx.out.result(
      { ...scheduleSummary(info), outcome },
      () => `schedule ${id} ${outcome}; next run ${when(info.next)}`,
    );
  } catch (err) {
    throw withFlagNames(err, FLAG_OF_SCHEDULE_FIELD);
  }
  return ExitCode.ok;
}

function when(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString();
}

function describe(d: ScheduleDetail): string {
  const timing = 'cron' in d ? `cron '${d.cron}' in ${d.tz ?? 'UTC'}` : `every ${d.everyMs} ms`;
  const last = d.lastTask ? `${d.lastTask.id} (${d.lastTask.state ?? 'deleted'})` : '-';
  return [
    `schedule ${d.id}: ${timing}${d.paused ? ', paused' : ''}`,
    `  next ${when(d.next)}  last ${when(d.last)} (${d.lastOutcome ?? '-'})  fired ${d.fired}`,
    `  task ${JSON.stringify(d.template)}`,
    `  missed ${d.missed}  overlap ${d.overlap}  jitter ${d.jitterMs} ms  from ${d.origin}`,
    `  last run ${last}`,
  ].join('\n');
}
