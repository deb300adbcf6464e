/**
 * @dtps/core — the engine of dtps as a library: task model and validation,
 * Redis key layout and Lua scripts, the Client, the worker-side primitives,
 * events and typed errors.
 */

export {
  BULK_ACTIONS,
  type BulkAction,
  type BulkFilter,
  type BulkRunOptions,
  type BulkStep,
  type BulkStepOptions,
} from './client/bulk.js';
export type { CancelResult, TaskRef } from './client/client.js';
export { Client, type QueueChange, type QueueState } from './client/client.js';
export { type IdChunk, readIdChunk } from './client/id-chunk.js';
export type { ListOptions, TaskPage } from './client/listing.js';
export {
  checkLimitSettings,
  clearQueueLimit,
  LIMIT_SCOPES,
  type LimitChangeResult,
  type LimitScope,
  type LimitSettings,
  type LimitTarget,
  type QueueLimit,
  type RateLimit,
  readQueueLimits,
  scopeId,
  setQueueLimit,
} from './client/queue-limits.js';
export { readTasks } from './client/reader.js';
export { type Clock, ManualClock, systemClock } from './clock.js';
export {
  type ConfigRow,
  type ConfigSource,
  configSchema,
  type DtpsConfig,
  describeConfig,
  engineOptionsFrom,
  envNameOf,
  findRunningUp,
  formatSource,
  type LoadConfigOptions,
  type LoadedConfig,
  loadConfig,
  PREFIX_PATTERN,
  type RunningUp,
  UP_STATE_FILE,
  type UpStateFields,
  upRedisNotice,
} from './config/index.js';
export { type ConfiguredLimit, parseLimitLine } from './config/limit-lines.js';
export {
  ACCEPTED_REDIS_URL_FORMS,
  type ConnectRedisOptions,
  connectRedis,
  createRedis,
  duplicateConnection,
  parseRedisUrl,
  type RedisTarget,
  redactRedisUrl,
} from './connection/index.js';
export type { EngineOptions, Retention, RetentionRule } from './context.js';
export { DEFAULT_RETENTION, EngineContext } from './context.js';
export { type ClaimedTask, decodeInboxMessage, decodeTaskRows } from './engine/claimed.js';
export { LATENCY_BOUNDS_MS, latencyBucket } from './engine/latency.js';
export {
  checkDurability,
  confirmReplicated,
  type DurabilityOptions,
  LOCAL_DURABILITY,
  NotReplicatedError,
  type ReplicationShortfall,
} from './engine/replication.js';
export { expireDue, promoteDue, trimQueue } from './engine/sweeps.js';
export { type WakeUp, waitForWork } from './engine/wake.js';
export type {
  ClaimResult,
  Completion,
  CycleRequest,
  CycleResult,
  Failure,
  StartOutcome,
  StartRequest,
} from './engine/worker-ops.js';
export { leaveQueue, recoverWorker, WorkerOps } from './engine/worker-ops.js';
export {
  ClosedError,
  ConfigError,
  CorruptTaskError,
  DependencyCycleError,
  DtpsError,
  type ErrorCode,
  InvalidStateError,
  PermanentError,
  RateLimitedError,
  RedisUnavailableError,
  TaskNotFoundError,
  UnencodableValueError,
  UnknownDependencyError,
  ValidationError,
  WaitTimeoutError,
} from './errors.js';
export { lastEventId, parseEvent, rangeEvents, readEvents, type TransitionEvent } from './events.js';
export { EXIT_CODE_HELP, ExitCode, exitCodeOf } from './exit-codes.js';
export {
  DATA_LOSS_CHECK_MS,
  type DataLossWatchOptions,
  watchDataLoss,
} from './fleet/data-loss-watch.js';
export { acquireLease, releaseLease } from './fleet/lease.js';
export {
  DATA_LOSS_MESSAGE,
  DataLossDetector,
  type OriginCheck,
  originKey,
  type RedisOrigin,
  readOrigin,
} from './fleet/origin.js';
export {
  listWorkers,
  publishControl,
  publishControlReply,
  removeWorker,
  sendControl,
  writeHeartbeat,
} from './fleet/registry.js';
export {
  type ControlCommand,
  type ControlReply,
  describeScale,
  type ScaleChange,
  type ScaleOutcome,
  type WorkerInfo,
} from './fleet/types.js';
export {
  Inspector,
  type QueueSummary,
  type Recommendation,
  type TaskDetail,
  type WorkerView,
} from './inspector/inspector.js';
export {
  latencyBuckets,
  percentile,
  pointFromCounters,
  SERIES_COUNTERS,
  type SeriesPoint,
} from './inspector/series.js';
export { FleetKeys, PRIORITY_BAND, priorityOfScore, QueueKeys, readyScore } from './keys.js';
export {
  classifyRedisError,
  execTransaction,
  explainRedisError,
  isTransientRedisError,
  type RedisErrorKind,
  RedisRefusedError,
  redisRefusalOf,
  refusalAdvice,
  unwrapRedisError,
} from './redis-errors.js';
export { Backoff, type BackoffOptions } from './runtime/backoff.js';
export { connectDaemonRedis, type DaemonRedisSettings } from './runtime/daemon-redis.js';
export { LOG_THROTTLE_INTERVAL_MS, LogThrottle } from './runtime/log-throttle.js';
export { createLogger, type Logger, prettyLine, silentLogger } from './runtime/logger.js';
export { Loop, type LoopOptions } from './runtime/loop.js';
export { within } from './runtime/within.js';
export * from './schedule/index.js';
export type { AttemptLogs } from './scripts/calls/logs.js';
export {
  listLibraries,
  pruneLibraries,
  type ScriptMode,
  type ServerLibraries,
  scriptLibrary,
  scriptModeOf,
  useFunctionScripts,
} from './scripts/functions.js';
export { type RedisClient, registerScripts, runScript, type ScriptName } from './scripts/registry.js';
export { backoffDelay } from './task/backoff.js';
export { decodeSpec, decodeTask } from './task/codec.js';
export { newTaskId, TASK_ID_PATTERN } from './task/ids.js';
export {
  LogBuffer,
  parseLogs,
  shownLogMessage,
  TASK_LOG_MAX_BYTES,
  TASK_LOG_MAX_LINES,
  type TaskLog,
} from './task/logs.js';
export {
  checkProgress,
  ERROR_MESSAGE_MAX_CHARS,
  encodeResult,
  errorText,
  isPermanent,
  LOG_LINE_MAX_CHARS,
  logLine,
  RESULT_MAX_BYTES,
  retryAfterOf,
} from './task/output.js';
export { type PayloadWhere, parseWhereValue, payloadMatcher } from './task/payload-field.js';
export {
  parseQueueEntry,
  QUEUE_WEIGHT_MAX,
  QUEUE_WEIGHT_MIN,
  type QueueEntry,
  type QueueOrder,
  resolveQueueOrder,
  type ServedQueue,
} from './task/queue-list.js';
export {
  type BackoffPolicy,
  DEBOUNCE_MODES,
  type DebounceMode,
  isTerminal,
  type NormalizedSpec,
  type SubmitResult,
  TASK_STATES,
  type Task,
  type TaskError,
  type TaskFields,
  type TaskSpec,
  type TaskState,
  TERMINAL_STATES,
  type TerminalState,
  type Unreadable,
  zeroCounts,
} from './task/types.js';
export {
  checkGroup,
  DEFAULT_BACKOFF,
  GROUP_PATTERN,
  QUEUE_NAME_PATTERN,
  TASK_SPEC_FIELDS,
} from './task/validate.js';
export { MESSAGING_SYSTEM, taskAttributes } from './telemetry/attributes.js';
export {
  HistogramProducer,
  type MetricsOptions,
  registerInstruments,
  startMetrics,
} from './telemetry/metrics.js';
export { DEFAULT_TRACE_RATE_LIMIT, TraceRateLimiter } from './telemetry/rate-limit.js';
export { attemptSampled } from './telemetry/sampler.js';
export { startTelemetry, type TelemetryOptions, telemetryOptionsOf } from './telemetry/setup.js';
export {
  DURATION_BOUNDS_S,
  DurationHistogram,
  type GaugeName,
  type GaugeReading,
  type GaugeSource,
  type QueueTally,
  TASK_COUNTERS,
  Tallies,
  type TaskCounter,
  tallies,
} from './telemetry/tallies.js';
export { taskTraceIds } from './telemetry/task-ids.js';
export {
  type AttemptInfo,
  endAttemptSpan,
  recordTaskEvent,
  standInTraceparent,
  startAttemptSpan,
  type TaskEvent,
} from './telemetry/task-spans.js';
export {
  contextOf,
  currentTraceContext,
  endSpan,
  parentLink,
  setTracingEnabled,
  taskContext,
  tracingEnabled,
  withRemoteContext,
} from './telemetry/tracing.js';
