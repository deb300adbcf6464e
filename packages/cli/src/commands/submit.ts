import { DtpsError, type SubmitResult, type TaskSpec } from '@dtps/core';
import type { CommandContext } from '../context.js';
import { usageError, withFlagNames } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { intFlag } from '../flags.js';
import { DEFAULT_TYPE, FLAG_OF_FIELD, specFromFlags } from '../submit/spec-flags.js';
import { validateSpecs } from '../submit/validate-specs.js';
import type { Command } from './command.js';
import { submitFile } from './submit-file.js';
import { awaitTask } from './wait.js';

/** `dtps submit`: one task from flags, or many from `--file`. */
export const submit: Command = {
  name: 'submit',
  args: [],
  summary: 'Submit a task (or many, one a line, with --file)',
  flags: [
    'type',
    'payload',
    'priority',
    'deadline',
    'retries',
    'timeout',
    'delay',
    'dependsOn',
    'idempotencyKey',
    'dedupTtl',
    'debounce',
    'group',
    'wait',
    'waitTimeout',
    'file',
  ],
  details: [
    'Prints `submitted <id> (<state>, priority <n>, queue <q>)`; with --json',
    '{"id","queue","state","duplicate"} (and "replaced": true when --debounce replace gave an',
    'earlier task this payload), or with --wait the ended task as `dtps status --json` does.',
    '',
    '--dedup-ttl MS: the idempotency key holds for MS ms, then a submit with it makes a new task.',
    '--debounce replace|drop: while the task holding the key waits to start, replace its payload',
    '  (replace) or drop this submit (drop); once it has started, a new task takes the key.',
    '  See docs/dedup.md.',
    '',
    '--file: JSON Lines, one task spec a line, with the fields of the flags in camelCase:',
    '  type, payload, priority, deadline, maxRetries (or retries), timeoutMs (or timeout),',
    '  delayMs (or delay), dependsOn (ids, or refs of other lines), queue, idempotencyKey,',
    '  dedupTtlMs (or dedupTtl), debounce, group,',
    '  ref (a name that other lines can list in dependsOn), runAt, backoff.',
    '  Blank lines are skipped; type defaults to noop; flags given with --file are defaults',
    '  for every line. All lines are checked before anything is written: one bad line and',
    '  nothing is submitted (exit 2, naming the line and the field). Prints',
    '  `submitted N tasks`; with --json one {"id","queue","state","duplicate"} a line, in order.',
  ],
  examples: [
    'dtps submit',
    'dtps submit --type sleep --payload \'{"ms":2000}\' --priority 10 --wait',
    'dtps submit -priority 10 -deadline 2030-01-22T15:04:05Z -retries 5',
    'dtps submit --type echo --depends-on 01jh5x…,01jh5y… --json',
    'dtps submit --type reindex --idempotency-key user-7 --debounce replace --delay 2000',
    'dtps submit --file tasks.jsonl --json',
    'cat tasks.jsonl | dtps submit --file -',
  ],
  async run(ctx) {
    if (ctx.flags.file !== undefined) return submitFile(ctx);
    return submitOne(ctx);
  },
};

async function submitOne(ctx: CommandContext): Promise<ExitCode> {
  const { flags, out } = ctx;
  const spec = { type: DEFAULT_TYPE, ...specFromFlags(flags) } as TaskSpec;
  const waitTimeoutMs = intFlag(flags.waitTimeout, 'waitTimeout');
  if (waitTimeoutMs !== undefined && !flags.wait)
    throw usageError('--wait-timeout only applies with --wait', 'waitTimeout');
  const { config } = await ctx.config();
  // Bad input is reported as such (exit 2) even when Redis is down.
  try {
    await validateSpecs(config, [spec]);
  } catch (err) {
    throw withFlagNames(unbatched(err), FLAG_OF_FIELD);
  }
  const client = await ctx.client();
  let result: SubmitResult;
  try {
    result = await client.submit(spec);
  } catch (err) {
    throw withFlagNames(err, FLAG_OF_FIELD);
  }
  // People see the stored priority: the core's default, or an earlier task's for a duplicate.
  const line = out.json
    ? ''
    : submittedLine(result, (await client.find(result.id, { queue: result.queue }))?.priority);
  if (flags.wait) {
    out.note(line);
    return awaitTask(ctx, client, result.id, result.queue, waitTimeoutMs);
  }
  out.result(result, () => line);
  return ExitCode.ok;
}

function submittedLine(r: SubmitResult, priority: number | undefined): string {
  const duplicate = r.replaced
    ? ', replaced: the earlier task with this idempotency key took this payload'
    : r.duplicate
      ? ', a duplicate: an earlier task has this idempotency key'
      : '';
  const shown = priority === undefined ? '' : `, priority ${priority}`;
  return `submitted ${r.id} (${r.state}${shown}, queue ${r.queue}${duplicate})`;
}

/** `specs[0].priority: …` → `priority: …`: a batch of one reads as the flags it came from. */
function unbatched(err: unknown): unknown {
  if (!(err instanceof DtpsError) || err.field === undefined) return err;
  const m = /^specs\[0\]\.(.*)$/.exec(err.field);
  if (!m?.[1]) return err;
  const field = m[1];
  const rest = err.message.startsWith(`${err.field}: `)
    ? err.message.slice(err.field.length + 2)
    : err.message;
  return new DtpsError(err.code, `${field}: ${rest}`, { field, cause: err });
}
