import { ConfigError } from '../errors.js';
import { checkLeafValue } from './check-value.js';
import { coerceText } from './coerce.js';
import { findConfigFile } from './config-file.js';
import { readEnvValues } from './env-values.js';
import { flattenFileValues } from './file-values.js';
import { CONFIG_LEAVES, type ConfigLeaf } from './leaves.js';
import { configSchema, type DtpsConfig } from './schema.js';
import { type ConfigSource, formatSource } from './source.js';
import { findRunningUp, type RunningUp } from './up-state.js';

/** Inputs of `loadConfig`; all optional. */
export interface LoadConfigOptions {
  /** Directory the config file search starts from. Default `process.cwd()`. */
  cwd?: string;
  /** Read exactly this file (relative to `cwd`) instead of searching; it must exist. */
  configFile?: string;
  /** Last directory of the upward search (default: the home directory). Mostly for tests. */
  stopDir?: string;
  /** Environment to read `DTPS_*` from. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /**
   * Values from command-line flags, keyed by dotted config path
   * (`{ 'redis.url': 'redis://h' }`). `undefined` values are skipped, so a
   * caller can pass every flag of its parser as is. Strings are coerced to
   * the leaf's type like environment values.
   */
  flags?: Record<string, unknown>;
  /**
   * The flag name that set each path, for messages and `dtps config`
   * (`{ 'redis.url': '--redis' }`). A path without a name shows as `--<path>`.
   */
  flagNames?: Record<string, string>;
  /**
   * Whether a `dtps up` running in `cwd` (its `.dtps/up.json`, pid alive)
   * supplies `redis.url`, above the config file and below the environment.
   * Default true; `dtps up` itself passes false.
   */
  upState?: boolean;
}

/** The effective configuration and where each value came from. */
export interface LoadedConfig {
  config: DtpsConfig;
  /** The source of every leaf, keyed by dotted path. */
  sources: Record<string, ConfigSource>;
  /** Absolute path of the config file read, if any. */
  file?: string;
  /** The running `dtps up` whose Redis is used (`redis.url` came from its state file). */
  up?: RunningUp;
}

/** One layer's value for a leaf. */
interface Given {
  value: unknown;
  source: ConfigSource;
}

/**
 * Loads the dtps configuration. Precedence, lowest first: schema defaults <
 * config file (cosmiconfig name `dtps`) < the Redis URL of a `dtps up`
 * running in `cwd` (`.dtps/up.json`) < `DTPS_*` environment < flags.
 *
 * The running `dtps up` sits above the file because the file names where
 * Redis would be, while up knows where it is (it may have started its own on
 * a free port); below the environment and flags, because those are what the
 * user just typed.
 *
 * Every value given by any layer is validated, even when a higher layer
 * overrides it: a broken file is reported as broken rather than lurking until
 * the override goes away.
 *
 * @throws ConfigError naming the key, the source (`file /x/.dtpsrc.yaml`,
 *   `env DTPS_X`, `flag --x`) and what is allowed: for a bad value, for an
 *   unknown key in the file or in `flags`, or for a missing `configFile`.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const leaves = new Map(CONFIG_LEAVES.map((leaf) => [leaf.path, leaf] as const));

  // Each layer maps a leaf path to its value; later layers win.
  const layers: Array<Map<string, Given>> = [];

  const file = await findConfigFile({
    cwd,
    ...(options.configFile === undefined ? {} : { configFile: options.configFile }),
    ...(options.stopDir === undefined ? {} : { stopDir: options.stopDir }),
  });
  if (file !== undefined) {
    const source: ConfigSource = { kind: 'file', path: file.path };
    const layer = new Map<string, Given>();
    for (const [path, value] of flattenFileValues(file.content, file.path)) {
      layer.set(path, { value: checkLeafValue(leafAt(leaves, path), value, formatSource(source)), source });
    }
    layers.push(layer);
  }

  const up = options.upState === false ? undefined : await findRunningUp(cwd);
  if (up !== undefined) {
    const source: ConfigSource = { kind: 'up', path: up.path };
    const leaf = leafAt(leaves, 'redis.url');
    const value = checkLeafValue(leaf, up.redisUrl, formatSource(source));
    layers.push(new Map([['redis.url', { value, source }]]));
  }

  const envLayer = new Map<string, Given>();
  for (const [path, { name, text }] of readEnvValues(env, CONFIG_LEAVES)) {
    const leaf = leafAt(leaves, path);
    const source: ConfigSource = { kind: 'env', name };
    envLayer.set(path, { value: checkLeafValue(leaf, coerceText(leaf, text), formatSource(source)), source });
  }
  layers.push(envLayer);

  const flagLayer = new Map<string, Given>();
  for (const [path, raw] of Object.entries(options.flags ?? {})) {
    if (raw === undefined) continue;
    const source: ConfigSource = { kind: 'flag', name: options.flagNames?.[path] ?? `--${path}` };
    const leaf = leaves.get(path);
    if (leaf === undefined) throw new ConfigError(path, formatSource(source), 'unknown config key');
    const value = typeof raw === 'string' ? coerceText(leaf, raw) : raw;
    flagLayer.set(path, { value: checkLeafValue(leaf, value, formatSource(source)), source });
  }
  layers.push(flagLayer);

  const input: Record<string, unknown> = {};
  const sources: Record<string, ConfigSource> = {};
  for (const leaf of CONFIG_LEAVES) {
    let winner: Given | undefined;
    for (const layer of layers) winner = layer.get(leaf.path) ?? winner;
    sources[leaf.path] = winner?.source ?? { kind: 'default' };
    if (winner !== undefined) setPath(input, leaf.path, winner.value);
  }

  // The whole-schema parse fills the defaults and runs the checks that span
  // several keys (backoff.maxMs >= backoff.baseMs).
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue === undefined ? '(root)' : issue.path.join('.');
    const source = sources[key] ?? { kind: 'default' };
    throw new ConfigError(key, formatSource(source), issue?.message ?? 'invalid configuration');
  }
  return {
    config: parsed.data,
    sources,
    ...(file === undefined ? {} : { file: file.path }),
    ...(up !== undefined && sources['redis.url']?.kind === 'up' ? { up } : {}),
  };
}

function leafAt(leaves: ReadonlyMap<string, ConfigLeaf>, path: string): ConfigLeaf {
  const leaf = leaves.get(path);
  // The file walker and the env reader only yield schema leaves.
  if (leaf === undefined) throw new Error(`config: no leaf ${path}`);
  return leaf;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next === 'object' && next !== null) node = next as Record<string, unknown>;
    else {
      const created: Record<string, unknown> = {};
      node[part] = created;
      node = created;
    }
  }
  node[parts[parts.length - 1] as string] = value;
}
