/**
 * `@dtps/core/testing`: real Redis servers, clusters and sentinel setups for
 * tests, on free ports with temp dirs, that never outlive the test process.
 * Needs `redis-server` and `redis-cli` on the PATH.
 */
export { sleepUnlessAborted } from './abortable-sleep.js';
export { type HookRegistrar, type RedisServerHandle, uniquePrefix, useRedisServer } from './ava-hooks.js';
export { type WaitOptions, waitFor, waitForValue } from './conditions.js';
export {
  type DaemonKind,
  type DaemonOptions,
  DaemonProcess,
  type Exit,
  type LogLine,
  stopAll,
} from './daemon-process.js';
export { freePort } from './free-port.js';
export { expectedStorage, handlerOutputs } from './handler-outputs.js';
export {
  parseRecords,
  RECORDING_HANDLERS,
  type Rec,
  type RecordPayload,
  recordKey,
} from './recording-handlers.js';
export { RedisCluster, type RedisClusterOptions, type RedisNodeAddress } from './redis-cluster.js';
export { type RedisSentinelOptions, RedisSentinelSetup } from './redis-sentinel.js';
export { RedisServer, type RedisServerOptions } from './redis-server.js';
export { makeTlsCerts, startTlsRedisServer, type TlsCerts, type TlsRedisServer } from './tls-certs.js';
