import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { sectionShape } from './leaves.js';
import { configSchema } from './schema.js';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Flattens the content of a config file into dotted leaf paths
 * (`{ redis: { url } }` → `redis.url`), refusing any key the schema does not
 * know: a typo (`retension:`) must not be silently ignored while the user
 * believes it applies. `null` (a YAML key with nothing after it) counts as
 * not given. Values are not validated here.
 *
 * @throws ConfigError naming the unknown key (or the section that is not a
 *   mapping) and the file.
 */
export function flattenFileValues(
  content: unknown,
  filePath: string,
  schema: z.ZodType = configSchema,
): Map<string, unknown> {
  const source = `file ${filePath}`;
  const out = new Map<string, unknown>();
  const rootShape = sectionShape(schema);
  if (rootShape === undefined) throw new Error('config schema: the root must be an object');
  if (!isPlainObject(content)) {
    throw new ConfigError(
      '(root)',
      source,
      `expected a mapping of config keys, got ${Array.isArray(content) ? 'a list' : typeof content}`,
    );
  }
  walk(content, rootShape, '', source, out);
  return out;
}

function walk(
  object: Record<string, unknown>,
  shape: Record<string, z.ZodType>,
  prefix: string,
  source: string,
  out: Map<string, unknown>,
): void {
  for (const [key, value] of Object.entries(object)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const schema = shape[key];
    if (schema === undefined) {
      const known = Object.keys(shape).join(', ');
      throw new ConfigError(
        path,
        source,
        `unknown key; the keys known ${prefix === '' ? 'at the top level' : `in ${prefix}`} are ${known}`,
      );
    }
    if (value === null) continue;
    const inner = sectionShape(schema);
    if (inner === undefined) {
      out.set(path, value);
    } else if (isPlainObject(value)) {
      walk(value, inner, path, source, out);
    } else {
      throw new ConfigError(
        path,
        source,
        `expected a mapping with the keys ${Object.keys(inner).join(', ')}`,
      );
    }
  }
}
