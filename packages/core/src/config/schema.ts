/**
 * The dtps configuration: one zod schema holding every key, its type, its
 * allowed values and its default. Everything else (environment variable
 * names, the leaf list of `dtps config`, validation messages) is derived from
 * it, so a new setting is added here and nowhere else: add a key to a section,
 * or a new section (`worker: section({...})`) to `configSchema`.
 */

import { z } from 'zod';
import { parseRedisUrl } from '../connection/index.js';
import { ValidationError } from '../errors.js';
import { declarationToInput } from '../schedule/declared.js';
import { checkSchedule } from '../schedule/validate.js';
import { resolveQueueOrder } from '../task/queue-list.js';
import { QUEUE_NAME_PATTERN } from '../task/validate.js';
import { DEFAULT_TRACE_RATE_LIMIT } from '../telemetry/rate-limit.js';
import { parseLimitLine } from './limit-lines.js';

/** Extra facts about a leaf that zod's own types cannot carry. */
export interface ConfigLeafMeta {
  /** What the value may be, in words, for error messages ("1-32 letters, ..."). */
  allowed?: string;
  /** Never echo the value (in errors or `dtps config`): it is or holds a secret. */
  secret?: boolean;
}

/** Where leaves register their `ConfigLeafMeta`; read by the leaf walker. */
export const configMeta = z.registry<ConfigLeafMeta>();

/**
 * The characters of a key prefix: it becomes part of every Redis key and hash
 * tag (`{dtps:queue}`), so `{`, `}`, `:` and whitespace are out.
 */
export const PREFIX_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

const MIB = 1024 * 1024;

/** An integer leaf with bounds and a default. */
function int(defaultValue: number, min: number, max?: number) {
  const base = z.number().int().min(min);
  return (max === undefined ? base : base.max(max)).default(defaultValue);
}

/**
 * A section: an object whose missing keys take their defaults. `prefault`
 * (not `default`) runs the empty object through the schema, so that the inner
 * defaults apply when the whole section is absent.
 */
function section<Shape extends z.ZodRawShape>(shape: Shape) {
  // Every key of a section has a default or is optional, so `{}` is a valid
  // input; TypeScript cannot see that through the generic shape.
  return z.strictObject(shape).prefault({} as never);
}

/** How long and how many finished tasks of one terminal state are kept. */
function retentionOf(ageMs: number, max: number) {
  return section({ ageMs: int(ageMs, 1000), max: int(max, 1) });
}

const redisUrl = z
  .string()
  .superRefine((value, ctx) => {
    try {
      parseRedisUrl(value);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      // The ValidationError message starts with its field; the config error
      // names the key itself, so only the reason is kept.
      ctx.addIssue({ code: 'custom', message: err.message.replace(/^redis\.url: /, '') });
    }
  })
  .register(configMeta, { secret: true, allowed: 'a Redis URL' });

/**
 * Schedules the coordinator creates or updates on start (docs/schedules.md),
 * checked as `dtps schedule add` checks them, each error naming its entry.
 */
const scheduleList = z
  .array(z.record(z.string(), z.unknown()))
  .superRefine((list, ctx) => {
    list.forEach((decl, i) => {
      try {
        checkSchedule(declarationToInput(decl), 'config');
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        ctx.addIssue({ code: 'custom', path: [i], message: err.message });
      }
    });
  })
  .register(configMeta, { allowed: 'a list of schedules, in the config file only (see schedules.md)' });

/** The schema of the whole configuration, with every default. */
export const configSchema = z.strictObject({
  redis: section({
    url: redisUrl.default('redis://127.0.0.1:6379'),
    scripts: z.enum(['eval', 'functions']).default('functions'),
    tls: section({
      ca: z
        .string()
        .min(1)
        .register(configMeta, { allowed: 'a path to a PEM file of CA certificates' })
        .optional(),
    }),
  }),
  prefix: z
    .string()
    .regex(PREFIX_PATTERN)
    .register(configMeta, { allowed: '1-32 letters, digits, "_" or "-"' })
    .default('dtps'),
  queue: z
    .string()
    .regex(QUEUE_NAME_PATTERN)
    .register(configMeta, { allowed: '1-64 letters, digits, "_", ".", ":" or "-"' })
    .default('default'),
  payloadMaxBytes: int(MIB, 1, 64 * MIB),
  // When a submit or a completion is acknowledged (docs/durability.md).
  durability: z.enum(['local', 'replicated']).default('local'),
  durabilityReplicas: int(1, 1, 64),
  durabilityTimeoutMs: int(1000, 1, 60_000),
  events: section({ maxLen: int(10_000, 100) }),
  retention: section({
    succeeded: retentionOf(3_600_000, 10_000),
    failed: retentionOf(604_800_000, 100_000),
    expired: retentionOf(604_800_000, 100_000),
    cancelled: retentionOf(604_800_000, 100_000),
  }),
  backoff: section({ baseMs: int(1000, 1), maxMs: int(3_600_000, 1) }).superRefine((backoff, ctx) => {
    if (backoff.maxMs < backoff.baseMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxMs'],
        message: `expected an integer >= backoff.baseMs (${backoff.baseMs}), got ${backoff.maxMs}`,
      });
    }
  }),
  // Flow-control limits the coordinator sets at start (docs/flow-control.md).
  limits: z
    .array(z.string())
    .superRefine((lines, ctx) => {
      lines.forEach((line, i) => {
        try {
          parseLimitLine(line);
        } catch (err) {
          if (!(err instanceof ValidationError)) throw err;
          ctx.addIssue({ code: 'custom', path: [i], message: err.message.replace(/^limits: /, '') });
        }
      });
    })
    .register(configMeta, {
      allowed:
        'limit lines "QUEUE [type=T | group=G | each-group] [rate=N/MS] [concurrency=N]" (comma-separated in the environment)',
    })
    .default([]),
  logFormat: z.enum(['pretty', 'json']).default('pretty'),
  monitor: section({
    enabled: z.boolean().default(false),
    host: z
      .string()
      .min(1)
      .register(configMeta, { allowed: 'a host name or IP address' })
      .default('127.0.0.1'),
    port: int(7420, 1, 65535),
    token: z.string().min(1).register(configMeta, { secret: true, allowed: 'a non-empty string' }).optional(),
  }),
  worker: section({
    queues: z
      .array(
        z.union([
          z.string().min(1),
          z.object({ name: z.string().regex(QUEUE_NAME_PATTERN), weight: z.number().optional() }).strict(),
        ]),
      )
      .min(1)
      .superRefine((entries, ctx) => {
        // The worker's own rules (weights 1-1000, all or none, no queue twice), said once.
        try {
          resolveQueueOrder(entries);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message.replace(/^queues: /, '') });
        }
      })
      .register(configMeta, {
        allowed:
          'one or more queue names, each optionally with :WEIGHT (1-1000, on all or none), or {name, weight} (comma-separated in the environment)',
      })
      .default(['default']),
    strict: z.boolean().default(false),
    workers: int(5, 0, 10_000),
    min: int(1, 0, 10_000),
    max: int(10, 1, 10_000),
    steal: z.boolean().default(false),
    prefetch: z.number().int().min(0).max(100_000).optional(),
    isolation: z.enum(['inline', 'thread']).default('inline'),
    handlers: z.string().min(1).register(configMeta, { allowed: 'a path to a handler module' }).optional(),
    id: z
      .string()
      .regex(/^[A-Za-z0-9_.:@-]{1,128}$/)
      .register(configMeta, { allowed: '1-128 letters, digits, "_", ".", ":", "@" or "-"' })
      .optional(),
    heartbeatMs: int(1000, 10, 60_000),
    graceMs: int(30_000, 0),
    idleBlockMs: int(5000, 10, 60_000),
    autoscaleCooldownMs: int(10_000, 0),
    metricsPort: z.number().int().min(1).max(65535).optional(),
    metricsHost: z
      .string()
      .min(1)
      .register(configMeta, { allowed: 'a host name or IP address' })
      .default('127.0.0.1'),
  }).superRefine((w, ctx) => {
    if (w.min > w.max)
      ctx.addIssue({
        code: 'custom',
        path: ['min'],
        message: `expected an integer <= worker.max (${w.max}), got ${w.min}`,
      });
  }),
  coordinator: section({
    id: z
      .string()
      .regex(/^[A-Za-z0-9_.:@-]{1,128}$/)
      .register(configMeta, { allowed: '1-128 letters, digits, "_", ".", ":", "@" or "-"' })
      .optional(),
    leaseMs: int(5000, 500, 600_000),
    heartbeatTimeoutMs: int(5000, 500, 3_600_000),
    sweepIntervalMs: int(500, 50, 60_000),
    janitorIntervalMs: int(10_000, 100, 3_600_000),
    scheduleGraceMs: int(10_000, 1000, 86_400_000),
  }),
  telemetry: section({
    traces: z.boolean().default(false),
    metrics: z.boolean().default(false),
    otlpEndpoint: z.url().register(configMeta, { allowed: 'a URL (http://host:4318)' }).optional(),
    /** The share of tasks traced (by trace id, so every process keeps or drops the same tasks). */
    traceSampleRatio: z.number().min(0).max(1).default(1),
    /** The most traces a process starts per second (a token bucket; 0: no limit), on top of the ratio. */
    traceRateLimit: z.number().min(0).default(DEFAULT_TRACE_RATE_LIMIT),
  }),
  schedules: scheduleList.default([]),
});

/** The configuration after defaults are applied: what programs read. */
export type DtpsConfig = z.output<typeof configSchema>;

/** What a config file may contain: every key optional. */
export type DtpsConfigInput = z.input<typeof configSchema>;
