import type { z } from 'zod';
import { envNameOf } from './env-name.js';
import { configMeta, configSchema } from './schema.js';

/** The value types a config leaf can have; environment strings are coerced to them. */
export type ConfigLeafKind = 'string' | 'int' | 'number' | 'boolean' | 'enum' | 'list';

/** One settable value of the configuration, as derived from the schema. */
export interface ConfigLeaf {
  /** Dotted path from the root (`retention.succeeded.ageMs`). */
  path: string;
  kind: ConfigLeafKind;
  /** The leaf's schema without default or optional: validates a given value. */
  schema: z.ZodType;
  /** What the value may be, in words ("an integer >= 1", "one of ..."). */
  allowed: string;
  /** Never show the value. */
  secret: boolean;
  /** False when the leaf has no default and may stay unset (`monitor.token`). */
  required: boolean;
  envName: string;
  /** For `enum` leaves, the allowed values. */
  values?: readonly string[];
}

// Internal shape of a zod 4 schema's definition, as far as the walker reads it.
interface Def {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  entries?: Record<string, string>;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Strips default, prefault and optional wrappers; tells whether one had a default. */
function unwrap(schema: z.ZodType): { inner: z.ZodType; hasDefault: boolean } {
  let inner = schema;
  let hasDefault = false;
  for (;;) {
    const def = defOf(inner);
    if (def.type === 'default' || def.type === 'prefault') hasDefault = true;
    else if (def.type !== 'optional' && def.type !== 'nullable') return { inner, hasDefault };
    if (def.innerType === undefined) return { inner, hasDefault };
    inner = def.innerType;
  }
}

/** Returns whether `schema` (after unwrapping) is a section, i.e. an object of further keys. */
export function isSection(schema: z.ZodType): boolean {
  return defOf(unwrap(schema).inner).type === 'object';
}

/** The keys of a section schema, or undefined for a leaf. */
export function sectionShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  const def = defOf(unwrap(schema).inner);
  return def.type === 'object' ? def.shape : undefined;
}

function describeLeaf(inner: z.ZodType, kind: ConfigLeafKind, values: readonly string[] | undefined): string {
  const given = configMeta.get(inner)?.allowed;
  if (given !== undefined) return given;
  if (kind === 'boolean') return 'true or false';
  if (kind === 'list') return 'a list of names (comma-separated in the environment)';
  if (kind === 'enum') return `one of ${(values ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
  if (kind === 'int' || kind === 'number') {
    const n = inner as z.ZodNumber;
    const noun = kind === 'int' ? 'an integer' : 'a number';
    const min =
      n.minValue !== null && Number.isFinite(n.minValue) && Math.abs(n.minValue) < Number.MAX_SAFE_INTEGER
        ? n.minValue
        : null;
    const max =
      n.maxValue !== null && Number.isFinite(n.maxValue) && Math.abs(n.maxValue) < Number.MAX_SAFE_INTEGER
        ? n.maxValue
        : null;
    if (min !== null && max !== null) return `${noun} from ${min} to ${max}`;
    if (min !== null) return `${noun} >= ${min}`;
    if (max !== null) return `${noun} <= ${max}`;
    return noun;
  }
  return 'a string';
}

function leafOf(path: string, schema: z.ZodType): ConfigLeaf {
  const { inner, hasDefault } = unwrap(schema);
  const def = defOf(inner);
  let kind: ConfigLeafKind;
  let values: readonly string[] | undefined;
  switch (def.type) {
    case 'string':
      kind = 'string';
      break;
    case 'boolean':
      kind = 'boolean';
      break;
    case 'number':
      kind = (inner as z.ZodNumber).isInt ? 'int' : 'number';
      break;
    case 'enum':
      kind = 'enum';
      values = Object.values(def.entries ?? {});
      break;
    case 'array':
      // A list of strings: YAML gives a sequence, environment and flags a comma-separated text.
      kind = 'list';
      break;
    default:
      // A new leaf type must be taught to the walker (and to env coercion).
      throw new Error(`config schema: leaf ${path} has unsupported type ${def.type}`);
  }
  return {
    path,
    kind,
    schema: inner,
    allowed: describeLeaf(inner, kind, values),
    secret: configMeta.get(inner)?.secret === true,
    required: hasDefault,
    envName: envNameOf(path),
    ...(values === undefined ? {} : { values }),
  };
}

function collect(shape: Record<string, z.ZodType>, prefix: string, out: ConfigLeaf[]): void {
  for (const [key, schema] of Object.entries(shape)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const inner = sectionShape(schema);
    if (inner === undefined) out.push(leafOf(path, schema));
    else collect(inner, path, out);
  }
}

/** Lists every leaf of a config schema, depth first in schema order. */
export function listLeaves(schema: z.ZodType = configSchema): ConfigLeaf[] {
  const shape = sectionShape(schema);
  if (shape === undefined) throw new Error('config schema: the root must be an object');
  const out: ConfigLeaf[] = [];
  collect(shape, '', out);
  return out;
}

/** Every leaf of the dtps configuration, computed once. */
export const CONFIG_LEAVES: readonly ConfigLeaf[] = listLeaves();
