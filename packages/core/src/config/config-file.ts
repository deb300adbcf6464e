import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { cosmiconfig } from 'cosmiconfig';
import { ConfigError } from '../errors.js';

/** The cosmiconfig module name: `.dtpsrc`, `.dtpsrc.yaml`, `dtps.config.js`, `package.json#dtps`, ... */
export const CONFIG_MODULE_NAME = 'dtps';

/** A config file that was found and read. */
export interface ConfigFileContent {
  /** Absolute path of the file. */
  path: string;
  /** Its parsed content, not yet validated. Empty files give `{}`. */
  content: unknown;
}

/** Where to look for the config file. */
export interface FindConfigFileOptions {
  /** Directory the search starts from. */
  cwd: string;
  /** Read exactly this file (relative to `cwd`) instead of searching. */
  configFile?: string;
  /** Last directory searched upward; defaults to the home directory (cosmiconfig's default). */
  stopDir?: string;
}

/**
 * Finds and reads the dtps config file. Without `configFile`, it searches
 * from `cwd` up to `stopDir`, then the global config directory (cosmiconfig's
 * `global` strategy: the `project` strategy would stop at the nearest
 * package.json, missing the `.dtpsrc.yaml` at the root of a monorepo when run
 * from a package). Returns undefined when there is none.
 *
 * @throws ConfigError when `configFile` does not exist or a file cannot be parsed.
 */
export async function findConfigFile(options: FindConfigFileOptions): Promise<ConfigFileContent | undefined> {
  // A fresh explorer each time: cosmiconfig caches results, and a long-running
  // process (or a test) must see the file as it is now.
  const explorer = cosmiconfig(CONFIG_MODULE_NAME, {
    searchStrategy: 'global',
    cache: false,
    ...(options.stopDir === undefined ? {} : { stopDir: options.stopDir }),
  });

  if (options.configFile !== undefined) {
    const path = resolve(options.cwd, options.configFile);
    try {
      await access(path);
    } catch {
      throw new ConfigError('configFile', `file ${path}`, `the config file ${path} does not exist`);
    }
    const result = await explorer.load(path).catch((err: unknown) => {
      throw new ConfigError('configFile', `file ${path}`, `cannot read the config file: ${messageOf(err)}`);
    });
    return { path, content: result === null || result.isEmpty ? {} : result.config };
  }

  const result = await explorer.search(options.cwd).catch((err: unknown) => {
    // cosmiconfig names the file only inside its message ("YAML Error in /x/.dtpsrc.yaml:").
    const path = /Error in (.+?):\n/.exec(messageOf(err))?.[1];
    throw new ConfigError(
      'configFile',
      path === undefined ? `config search from ${options.cwd}` : `file ${path}`,
      `cannot read the config file: ${messageOf(err)}`,
    );
  });
  if (result === null) return undefined;
  return { path: result.filepath, content: result.isEmpty ? {} : result.config };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
