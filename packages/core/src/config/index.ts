/**
 * dtps configuration: the schema with its defaults, loading from defaults,
 * file, environment and flags with the source of every value, and the
 * rendering that `dtps config` prints.
 */
export {
  CONFIG_MODULE_NAME,
  type ConfigFileContent,
  type FindConfigFileOptions,
  findConfigFile,
} from './config-file.js';
export { type ConfigRow, describeConfig } from './describe-config.js';
export { engineOptionsFrom } from './engine-options.js';
export { ENV_ALIASES, ENV_PREFIX, envNameOf } from './env-name.js';
export { unusedEnvNames } from './env-values.js';
export { CONFIG_LEAVES, type ConfigLeaf, type ConfigLeafKind, listLeaves } from './leaves.js';
export { type LoadConfigOptions, type LoadedConfig, loadConfig } from './load-config.js';
export {
  type ConfigLeafMeta,
  configMeta,
  configSchema,
  type DtpsConfig,
  type DtpsConfigInput,
  PREFIX_PATTERN,
} from './schema.js';
export { type ConfigSource, formatSource } from './source.js';
export {
  findRunningUp,
  type RunningUp,
  UP_STATE_FILE,
  type UpStateFields,
  upRedisNotice,
} from './up-state.js';
