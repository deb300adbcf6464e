import { ConfigError } from '../errors.js';
import type { ConfigLeaf } from './leaves.js';

/** Longest rendering of a bad value in a message; a pasted blob should not flood the terminal. */
const MAX_SHOWN = 60;

/** Renders a bad value for a message, hiding it when the leaf is secret. */
export function showValue(value: unknown, secret: boolean): string {
  if (value === undefined) return 'nothing';
  if (secret && typeof value === 'string')
    return value === '' ? 'an empty string' : 'a value that is not shown (secret)';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}...` : text;
}

/**
 * Validates one value given for `leaf` and returns it as parsed.
 *
 * @param source rendered source (`file /x/.dtpsrc.yaml`), for the error.
 * @throws ConfigError naming the key and the source and saying what is
 *   allowed: `expected an integer >= 1, got "abc"`.
 */
export function checkLeafValue(leaf: ConfigLeaf, value: unknown, source: string): unknown {
  const result = leaf.schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  // Custom issues (the Redis URL check) carry their own full explanation.
  const message =
    issue?.code === 'custom'
      ? issue.message
      : `expected ${leaf.allowed}, got ${showValue(value, leaf.secret)}`;
  throw new ConfigError(leaf.path, source, message);
}
