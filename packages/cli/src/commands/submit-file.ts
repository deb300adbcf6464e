import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import {
  type Client,
  DependencyCycleError,
  DtpsError,
  type SubmitResult,
  type TaskSpec,
  UnknownDependencyError,
} from '@dtps/core';
import type { CommandContext } from '../context.js';
import { usageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { BATCH_SIZE, externalDependencies, planBatches } from '../submit/batches.js';
import { specFromFlags } from '../submit/spec-flags.js';
import { lineError, readSpecLines, type SpecLine } from '../submit/spec-lines.js';
import { validateSpecs } from '../submit/validate-specs.js';

/** How many dependency lookups run at once. */
const LOOKUP_CONCURRENCY = 64;

/**
 * `dtps submit --file FILE|-`: every line is checked (fields, refs, cycles,
 * that named dependencies exist) before the first batch is written, so a
 * bad line means nothing is submitted.
 */
export async function submitFile(ctx: CommandContext): Promise<ExitCode> {
  const { flags, out } = ctx;
  if (flags.wait)
    throw usageError('--wait takes one task; with --file, wait on each id with `dtps wait`', 'wait');
  if (flags.idempotencyKey !== undefined) {
    throw usageError(
      '--idempotency-key would make every line the same task; give idempotencyKey in each line',
      'idempotencyKey',
    );
  }
  const defaults = specFromFlags(flags);
  const { config } = await ctx.config();
  const lines = await readLines(ctx, flags.file ?? '-', defaults);
  const specs = lines.map((l) => l.spec);

  try {
    await validateSpecs(config, specs);
  } catch (err) {
    throw atLine(err, lines);
  }
  const client = await ctx.client();
  await checkDependenciesExist(client, lines, config.queue);

  const results = new Array<SubmitResult>(specs.length);
  let submitted = 0;
  for (const batch of planBatches(specs, BATCH_SIZE)) {
    let written: SubmitResult[];
    try {
      written = await client.submitMany(batch.map((i) => specs[i]!));
    } catch (err) {
      // Only Redis failing mid-way gets here after a first batch: say what is in.
      throw withWritten(atLine(err, lines, batch), submitted, specs.length);
    }
    batch.forEach((specIndex, k) => {
      results[specIndex] = written[k]!;
    });
    submitted += batch.length;
  }

  if (out.json) {
    out.jsonLines(
      results.map((r, i) => {
        const ref = specs[i]!.ref;
        return {
          id: r.id,
          queue: r.queue,
          state: r.state,
          duplicate: r.duplicate,
          ...(r.replaced ? { replaced: true } : {}),
          ...(ref === undefined ? {} : { ref }),
        };
      }),
    );
  } else {
    out.note(summary(results));
  }
  return ExitCode.ok;
}

async function readLines(
  ctx: CommandContext,
  file: string,
  defaults: Partial<TaskSpec>,
): Promise<SpecLine[]> {
  if (file === '-') return readSpecLines(ctx.environment.stdin, defaults);
  let input: Readable;
  try {
    const handle = await open(file, 'r');
    input = handle.createReadStream({ encoding: 'utf8' });
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw usageError(`--file: cannot read ${file}: ${reason}`, 'file');
  }
  return readSpecLines(input, defaults);
}

/**
 * Refuses, before anything is written, a line whose dependsOn names a task
 * that does not exist: the core would refuse it only when its batch is
 * written, after earlier batches (or other queues of the same batch).
 */
async function checkDependenciesExist(
  client: Client,
  lines: readonly SpecLine[],
  defaultQueue: string,
): Promise<void> {
  const deps = externalDependencies(
    lines.map((l) => l.spec),
    defaultQueue,
  );
  for (let i = 0; i < deps.length; i += LOOKUP_CONCURRENCY) {
    const chunk = deps.slice(i, i + LOOKUP_CONCURRENCY);
    const found = await Promise.all(chunk.map((d) => client.find(d.id, { queue: d.queue })));
    const missing = found.indexOf(null);
    if (missing !== -1) {
      const d = chunk[missing]!;
      throw lineError(lines[d.index]!.line, new UnknownDependencyError(d.id, d.queue));
    }
  }
}

/**
 * Maps an error of a batch back to its line: `specs[i].field` of a
 * ValidationError, the first ref of a cycle, the dependency of an
 * UnknownDependencyError. `batch` maps the batch's indices to spec indices.
 */
function atLine(err: unknown, lines: readonly SpecLine[], batch?: readonly number[]): unknown {
  if (!(err instanceof DtpsError)) return err;
  const toSpec = (i: number) => (batch === undefined ? i : (batch[i] ?? i));
  const m = err.field === undefined ? null : /^specs\[(\d+)\]\.?(.*)$/.exec(err.field);
  if (m) {
    const line = lines[toSpec(Number(m[1]))];
    if (line === undefined) return err;
    const field = m[2] || 'spec';
    const rest = err.message.startsWith(`${err.field}: `)
      ? err.message.slice(err.field!.length + 2)
      : err.message;
    return lineError(line.line, new DtpsError(err.code, `${field}: ${rest}`, { field }), line.aliases);
  }
  if (err instanceof DependencyCycleError) {
    const first = err.cycle[0];
    const line = lines.find((l) => l.spec.ref === first || l.spec.dependsOn?.includes(first ?? ''));
    return line === undefined ? err : lineError(line.line, err);
  }
  if (err instanceof UnknownDependencyError) {
    const line = lines.find((l) => l.spec.dependsOn?.includes(err.dependencyId));
    return line === undefined ? err : lineError(line.line, err);
  }
  return err;
}

/** Appends how many tasks earlier batches wrote, when there are any. */
function withWritten(err: unknown, submitted: number, total: number): unknown {
  if (submitted === 0 || !(err instanceof Error)) return err;
  err.message = `${err.message} (${submitted} of ${total} tasks were submitted before this; see dtps list)`;
  return err;
}

function summary(results: readonly SubmitResult[]): string {
  const byState = new Map<string, number>();
  let duplicates = 0;
  for (const r of results) {
    byState.set(r.state, (byState.get(r.state) ?? 0) + 1);
    if (r.duplicate) duplicates += 1;
  }
  const parts = [...byState].map(([state, n]) => `${n} ${state}`);
  if (duplicates > 0) parts.push(`${duplicates} duplicate${duplicates === 1 ? '' : 's'}`);
  const n = results.length;
  return `submitted ${n} task${n === 1 ? '' : 's'}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}
