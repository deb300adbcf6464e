import { REDACTED, redactRedisUrl } from '../connection/index.js';
import { CONFIG_LEAVES } from './leaves.js';
import type { LoadedConfig } from './load-config.js';
import { formatSource } from './source.js';

/** One line of `dtps config`: a key, its effective value and where it came from. */
export interface ConfigRow {
  /** Dotted path (`retention.succeeded.ageMs`). */
  key: string;
  /**
   * The value, safe to print: Redis URLs with the password redacted, other
   * secrets as `***`; undefined when the key is unset.
   */
  value: string | number | boolean | string[] | undefined;
  /** `default`, `file /path/.dtpsrc.yaml`, `env DTPS_REDIS_URL`, `flag --redis`. */
  source: string;
}

/**
 * Lists every config leaf with its value and source, in schema order, for
 * the `dtps config` command. Secrets never appear: `redis.url` shows with
 * its password redacted and any other secret leaf (`monitor.token`) as `***`
 * when set.
 */
export function describeConfig(loaded: LoadedConfig): ConfigRow[] {
  return CONFIG_LEAVES.map((leaf) => {
    const value = valueAt(loaded.config, leaf.path);
    const source = formatSource(loaded.sources[leaf.path] ?? { kind: 'default' });
    return { key: leaf.path, value: safeValue(leaf.path, leaf.secret, value), source };
  });
}

function safeValue(path: string, secret: boolean, value: unknown): ConfigRow['value'] {
  if (value === undefined) return undefined;
  // A list entry in object form (`worker.queues`: {name, weight}) shows as its text form.
  if (Array.isArray(value)) return value.map(listEntryText);
  if (!secret) return value as ConfigRow['value'];
  // A Redis URL is only partly secret: host and user help the operator.
  if (path === 'redis.url' && typeof value === 'string') return redactRedisUrl(value);
  return REDACTED;
}

function listEntryText(entry: unknown): string {
  if (typeof entry === 'string') return entry;
  const { name, weight } = entry as { name: string; weight?: number };
  return weight === undefined ? name : `${name}:${weight}`;
}

function valueAt(config: object, path: string): unknown {
  let node: unknown = config;
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}
