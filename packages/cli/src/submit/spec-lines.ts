import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { DtpsError, type TaskSpec } from '@dtps/core';
import { usageError } from '../errors.js';
import { DEFAULT_TYPE, splitIds } from './spec-flags.js';

/** One task spec of a JSON Lines file. */
export interface SpecLine {
  /** 1-based line number in the file (blank lines count). */
  line: number;
  spec: TaskSpec;
  /** Task field → the name the line used for it, where it used a short alias (`maxRetries` → `retries`). */
  aliases: ReadonlyMap<string, string>;
}

/** The flags' short names, accepted in a line too: alias → task field. */
const ALIASES: Readonly<Record<string, string>> = {
  retries: 'maxRetries',
  timeout: 'timeoutMs',
  delay: 'delayMs',
  dedupTtl: 'dedupTtlMs',
};

/**
 * Reads JSON Lines task specs. Blank lines are skipped; each other line must
 * be a JSON object with task fields (camelCase, as `TaskSpec`, plus the
 * aliases `retries`, `timeout`, `delay`). `defaults` (from flags) fill in
 * fields a line leaves out; `type` defaults to `noop`.
 *
 * Field values are checked by the core later, all lines at once; this only
 * throws (naming the line) for a line that is not a JSON object.
 */
export async function readSpecLines(input: Readable, defaults: Partial<TaskSpec>): Promise<SpecLine[]> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  const out: SpecLine[] = [];
  let n = 0;
  for await (const text of lines) {
    n += 1;
    if (text.trim() === '') continue;
    out.push(parseLine(text, n, defaults));
  }
  return out;
}

function parseLine(text: string, line: number, defaults: Partial<TaskSpec>): SpecLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw lineError(line, usageError(`not valid JSON (${(err as Error).message})`, 'spec'));
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw lineError(line, usageError('a task spec must be a JSON object like {"type":"echo"}', 'spec'));
  }
  const fields: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  const aliases = new Map<string, string>();
  for (const [alias, field] of Object.entries(ALIASES)) {
    if (!(alias in fields)) continue;
    if (field in fields)
      throw lineError(line, usageError(`give either ${field} or ${alias}, not both`, field));
    fields[field] = fields[alias];
    delete fields[alias];
    aliases.set(field, alias);
  }
  // Comma-separated ids, like the flag, as well as an array.
  if (typeof fields.dependsOn === 'string') fields.dependsOn = splitIds([fields.dependsOn]);
  const spec = { type: DEFAULT_TYPE, ...defaults, ...fields } as TaskSpec;
  return { line, spec, aliases };
}

/**
 * The same error, its message prefixed with `line N: ` and the field renamed
 * back to the alias the line used. `line` is added to the error so that
 * `--json` output carries it.
 */
export function lineError(line: number, err: DtpsError, aliases?: ReadonlyMap<string, string>): DtpsError {
  let message = err.message;
  let field = err.field;
  if (field !== undefined) {
    const root = field.split(/[.[]/)[0] ?? field;
    const alias = aliases?.get(root);
    if (alias !== undefined) {
      if (message.startsWith(`${field}:`)) message = alias + message.slice(root.length);
      field = alias + field.slice(root.length);
    }
  }
  const out = new DtpsError(err.code, `line ${line}: ${message}`, {
    ...(field === undefined ? {} : { field }),
    cause: err,
  });
  return Object.assign(out, { line });
}
