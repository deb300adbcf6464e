/**
 * @dtps/worker — the embeddable Worker runtime (and, in bin.ts, the
 * `dtps-worker` daemon around it).
 */
export { PermanentError, RateLimitedError } from '@dtps/core';
export { default as demoHandlers } from './handlers/demo.js';
export { DEMO_HANDLERS_URL, handlerModuleUrl, loadHandlerModule } from './handlers/load.js';
export type { Handler, HandlerContext, HandlerMap } from './handlers/types.js';
export { createLogger, type Logger, prettyLine, silentLogger } from './logger.js';
export type { ResolvedWorkerOptions, WorkerOptions } from './options.js';
export { SlotPool } from './pool.js';
export { VERSION, Worker } from './worker.js';
