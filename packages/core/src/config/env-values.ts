import { ENV_ALIASES, ENV_PREFIX } from './env-name.js';
import type { ConfigLeaf } from './leaves.js';

/** A config value read from the environment, still as text. */
export interface EnvValue {
  /** The variable it came from (`DTPS_REDIS_URL`, or an alias like `DTPS_API_TOKEN`). */
  name: string;
  text: string;
}

/**
 * Picks the `DTPS_*` variables that name a config leaf, keyed by leaf path.
 * Unknown `DTPS_*` variables are ignored: other tools (and the dtps daemons'
 * own switches) share the prefix. Empty values count as unset, so that
 * `DTPS_X= dtps ...` can clear a variable set further up.
 */
export function readEnvValues(env: NodeJS.ProcessEnv, leaves: readonly ConfigLeaf[]): Map<string, EnvValue> {
  const out = new Map<string, EnvValue>();
  const known = new Set(leaves.map((leaf) => leaf.path));
  // Aliases first, so that the generated name, set next, wins over them.
  for (const [name, path] of Object.entries(ENV_ALIASES)) {
    const text = env[name];
    if (known.has(path) && text !== undefined && text !== '') out.set(path, { name, text });
  }
  for (const leaf of leaves) {
    const text = env[leaf.envName];
    if (text !== undefined && text !== '') out.set(leaf.path, { name: leaf.envName, text });
  }
  return out;
}

/** Lists the `DTPS_*` variables of `env` that no config leaf or alias uses (for diagnostics). */
export function unusedEnvNames(env: NodeJS.ProcessEnv, leaves: readonly ConfigLeaf[]): string[] {
  const used = new Set([...leaves.map((leaf) => leaf.envName), ...Object.keys(ENV_ALIASES)]);
  return Object.keys(env).filter((name) => name.startsWith(ENV_PREFIX) && !used.has(name));
}
