/**
 * Every script's calling convention, beside its header in lua/: a typed
 * builder (named fields in, KEYS and ARGV out), a decoder (the reply in,
 * named fields and result codes out) and its shape, which a test checks
 * against the header. Callers of a script go through these and never count
 * positions.
 */
export * from './bulk.js';
export * from './complete.js';
export * from './cycle.js';
export * from './error-codes.js';
export * from './lease.js';
export * from './logs.js';
export * from './operator.js';
export * from './origin.js';
export * from './queue.js';
export * from './schedule.js';
export * from './shape.js';
export * from './submit.js';
export * from './sweeps.js';
export * from './worker.js';
