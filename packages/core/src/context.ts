import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import { checkDurability, type DurabilityOptions, LOCAL_DURABILITY } from './engine/replication.js';
import { FleetKeys, QueueKeys } from './keys.js';
import { type ScriptMode, useFunctionScripts } from './scripts/functions.js';
import type { RedisClient } from './scripts/registry.js';
import type { BackoffPolicy } from './task/types.js';
import { DEFAULT_BACKOFF } from './task/validate.js';

/** Retention of terminal tasks of one state. */
export interface RetentionRule {
  /** Delete tasks that ended longer ago than this, in ms. */
  ageMs: number;
  /** Keep at most this many. */
  max: number;
}

export interface Retention {
  succeeded: RetentionRule;
  failed: RetentionRule;
  expired: RetentionRule;
  cancelled: RetentionRule;
}

export const DEFAULT_RETENTION: Retention = {
  succeeded: { ageMs: 3_600_000, max: 10_000 },
  failed: { ageMs: 604_800_000, max: 100_000 },
  expired: { ageMs: 604_800_000, max: 100_000 },
  cancelled: { ageMs: 604_800_000, max: 100_000 },
};

/** Options shared by everything that talks to the engine's Redis data. */
export interface EngineOptions {
  /** An ioredis connection (single, Sentinel or Cluster). dtps does not close a connection it was given. */
  redis: RedisClient;
  /** Key prefix; default `dtps`. */
  prefix?: string;
  /** Queue used when a call names none; default `default`. */
  defaultQueue?: string;
  /** Largest payload, in bytes of JSON; default 1 MiB. */
  payloadMaxBytes?: number;
  /** Approximate length cap of each queue's event stream; default 10,000. */
  eventsMaxLen?: number;
  retention?: Retention;
  backoff?: BackoffPolicy;
  clock?: Clock;
  /**
   * How scripts run: `functions` (default) loads dtps's function library and
   * calls it with FCALL (less Redis time per call; see README), falling back to
   * EVALSHA where the server has no functions (Redis 6, an ACL without
   * FUNCTION); `eval` always sends them with EVALSHA.
   */
  scripts?: ScriptMode;
  /**
   * When a submit or a completion is acknowledged: once the master has it
   * (`local`, the default) or once replicas have it too (`replicated`, WAIT;
   * see docs/durability.md).
   */
  durability?: DurabilityOptions;
}

/** The resolved options, and key builders. Collaborators receive this, not the owning class. */
export class EngineContext {
  readonly redis: RedisClient;
  readonly prefix: string;
  readonly defaultQueue: string;
  readonly payloadMaxBytes: number;
  readonly eventsMaxLen: number;
  readonly retention: Retention;
  readonly backoff: BackoffPolicy;
  readonly clock: Clock;
  readonly fleet: FleetKeys;
  readonly durability: DurabilityOptions;
  readonly #queues = new Map<string, QueueKeys>();
  /** Queues this context has added to the known queues (see registerQueue). */
  readonly #registered = new Set<string>();

  constructor(opts: EngineOptions) {
    this.redis = opts.redis;
    this.prefix = opts.prefix ?? 'dtps';
    this.defaultQueue = opts.defaultQueue ?? 'default';
    this.payloadMaxBytes = opts.payloadMaxBytes ?? 1_048_576;
    this.eventsMaxLen = opts.eventsMaxLen ?? 10_000;
    this.retention = opts.retention ?? DEFAULT_RETENTION;
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.clock = opts.clock ?? systemClock;
    this.fleet = new FleetKeys(this.prefix);
    this.durability = opts.durability ?? LOCAL_DURABILITY;
    checkDurability(this.redis, this.durability);
    // (A context without a connection — the CLI's spec check before it connects — has nothing to opt in.)
    if (opts.scripts !== 'eval' && this.redis) useFunctionScripts(this.redis);
  }

  /** Key builder of a queue (cached: it is on every hot path). */
  keys(queue: string): QueueKeys {
    let k = this.#queues.get(queue);
    if (!k) {
      k = new QueueKeys(this.prefix, queue);
      this.#queues.set(queue, k);
    }
    return k;
  }

  /**
   * Adds `queue` to the known queues (what `queueNames` lists), once per
   * context: the client does it at its first write, a worker at its first claim.
   */
  async registerQueue(queue: string): Promise<void> {
    if (this.#registered.has(queue)) return;
    await this.redis.sadd(this.fleet.queues, queue);
    this.#registered.add(queue);
  }

  /** All queue names ever used with this prefix. */
  async queueNames(): Promise<string[]> {
    return (await this.redis.smembers(this.fleet.queues)).sort();
  }
}
