import type { EngineContext } from '../context.js';
import { ValidationError } from '../errors.js';
import type { QueueKeys } from '../keys.js';
import {
  buildSetQueueLimit,
  callScript,
  decodeSetQueueLimit,
  SET_QUEUE_LIMIT,
} from '../scripts/calls/index.js';
import { checkGroup } from '../task/validate.js';

/** What a limit applies to (docs/flow-control.md). */
export type LimitScope = 'queue' | 'type' | 'group' | 'each-group';
export const LIMIT_SCOPES: readonly LimitScope[] = ['queue', 'type', 'group', 'each-group'];

/** At most `n` starts in any window of `perMs`. */
export interface RateLimit {
  n: number;
  perMs: number;
}

/** Which limit: the queue's, one task type's, one group's, or every group's (each separately). */
export interface LimitTarget {
  scope: LimitScope;
  /** The type (scope `type`) or the group (scope `group`); none for `queue` and `each-group`. */
  key?: string | null;
}

/** A change to one limit: what is given is set (null: removed), what is not given stays. */
export interface LimitSettings extends LimitTarget {
  rate?: RateLimit | null;
  concurrency?: number | null;
}

/** One limit of a queue as `dtps queue show --json` gives it. */
export interface QueueLimit {
  scope: LimitScope;
  key: string | null;
  rate: RateLimit | null;
  concurrency: number | null;
  /** Tasks running under the cap now (summed over the groups, for `each-group`). */
  running: number;
  /** Tasks held back by this limit now, waiting in the queue. */
  heldBack: number;
  /** Starts the rate still allows in the current window (the least over the groups), or null. */
  tokensLeft: number | null;
}

/** The result of a limit change. */
export interface LimitChangeResult {
  queue: string;
  limit: LimitTarget & { rate: RateLimit | null; concurrency: number | null };
  /** Tasks workers had reserved, put back in the queue (a limited queue reserves nothing). */
  unreserved: number;
  /** Tasks the cleared limit had held back, back in the queue. */
  released: number;
}

export const MAX_LIMIT_N = 1_000_000;
export const MAX_LIMIT_WINDOW_MS = 86_400_000;

function whole(field: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ValidationError(
      field,
      `must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

/** The scope as the flow hash names it (`queue`, `type:<T>`, `group:<G>`, `each-group`). */
export function scopeId(t: LimitTarget): string {
  if (!LIMIT_SCOPES.includes(t.scope)) {
    throw new ValidationError(
      'scope',
      `must be one of ${LIMIT_SCOPES.join(', ')}, got ${JSON.stringify(t.scope)}`,
    );
  }
  const key = t.key ?? null;
  if (t.scope === 'queue' || t.scope === 'each-group') {
    if (key !== null) throw new ValidationError('key', `a ${t.scope} limit names no type or group`);
    return t.scope;
  }
  if (t.scope === 'type') {
    if (typeof key !== 'string' || key.length === 0 || key.length > 128) {
      throw new ValidationError('type', 'must be a non-empty string of at most 128 characters');
    }
    return `type:${key}`;
  }
  return `group:${checkGroup('group', key)}`;
}

/** Checks a limit change; throws a ValidationError naming the field, before anything is written. */
export function checkLimitSettings(s: LimitSettings): {
  scope: string;
  rate?: RateLimit | null;
  concurrency?: number | null;
} {
  const scope = scopeId(s);
  if (s.rate === undefined && s.concurrency === undefined) {
    throw new ValidationError('rate', 'give a rate (n per perMs), a concurrency, or both');
  }
  let rate: RateLimit | null | undefined = s.rate;
  if (rate !== undefined && rate !== null) {
    if (typeof rate !== 'object') throw new ValidationError('rate', 'must be {n, perMs} or null');
    rate = {
      n: whole('rate.n', rate.n, 1, MAX_LIMIT_N),
      perMs: whole('rate.perMs', rate.perMs, 1, MAX_LIMIT_WINDOW_MS),
    };
  }
  const concurrency =
    s.concurrency === undefined || s.concurrency === null
      ? s.concurrency
      : whole('concurrency', s.concurrency, 1, MAX_LIMIT_N);
  return { scope, rate, concurrency };
}

function parseValue(v: string): { rate: RateLimit | null; concurrency: number | null } {
  const [n, per, conc] = v.split(' ').map(Number);
  return { rate: n ? { n, perMs: per ?? 0 } : null, concurrency: conc ? conc : null };
}

function targetOf(scope: string): { scope: LimitScope; key: string | null } {
  if (scope.startsWith('type:')) return { scope: 'type', key: scope.slice(5) };
  if (scope.startsWith('group:')) return { scope: 'group', key: scope.slice(6) };
  return { scope: scope as LimitScope, key: null };
}

/** Sets a limit (the parts given) of a queue. */
export async function setQueueLimit(
  ctx: EngineContext,
  queue: string,
  s: LimitSettings,
): Promise<LimitChangeResult> {
  const checked = checkLimitSettings(s);
  return changeLimit(ctx, queue, { ...checked, clear: false });
}

/** Removes a limit of a queue; the tasks it held back go back in the queue, in their places. */
export async function clearQueueLimit(
  ctx: EngineContext,
  queue: string,
  t: LimitTarget,
): Promise<LimitChangeResult> {
  return changeLimit(ctx, queue, { scope: scopeId(t), clear: true });
}

async function changeLimit(
  ctx: EngineContext,
  queue: string,
  change: { scope: string; rate?: RateLimit | null; concurrency?: number | null; clear: boolean },
): Promise<LimitChangeResult> {
  const call = buildSetQueueLimit({
    keys: ctx.keys(queue),
    now: ctx.clock.now(),
    maxLen: ctx.eventsMaxLen,
    ...change,
  });
  const r = decodeSetQueueLimit(await callScript(ctx.redis, SET_QUEUE_LIMIT, call));
  await ctx.registerQueue(queue);
  const value = r.value === null ? { rate: null, concurrency: null } : parseValue(r.value);
  return {
    queue,
    limit: { ...targetOf(change.scope), ...value },
    unreserved: r.unreserved,
    released: r.released,
  };
}

/** The limit instances (flow.lua) a scope counts under now: one, or one per group for each-group. */
async function instancesOf(ctx: EngineContext, keys: QueueKeys, scope: string): Promise<string[]> {
  if (scope !== 'each-group') return [scope];
  const [members, due] = await Promise.all([
    ctx.redis.smembers(keys.flowInstances),
    ctx.redis.zrange(keys.flowDue, '0', '-1'),
  ]);
  return [...new Set([...members, ...due])].filter((i) => i.startsWith('each:'));
}

/**
 * Starts a rate's log holds after `from` (ms): one entry per claim, its member starting with
 * how many tasks that claim started (includes/flow.lua).
 */
async function startsInWindow(ctx: EngineContext, logKey: string, from: number): Promise<number> {
  const members = await ctx.redis.zrangebyscore(logKey, `(${from}`, '+inf');
  return members.reduce((sum, m) => sum + (Number(m.slice(0, m.indexOf(':'))) || 1), 0);
}

/** Every limit of a queue with what it holds now: running under it, held back by it, tokens left. */
export async function readQueueLimits(ctx: EngineContext, queue: string): Promise<QueueLimit[]> {
  const keys = ctx.keys(queue);
  const stored = await ctx.redis.hgetall(keys.flow);
  const now = ctx.clock.now();
  const out: QueueLimit[] = [];
  for (const [scope, value] of Object.entries(stored).sort(([a], [b]) => a.localeCompare(b))) {
    const { rate, concurrency } = parseValue(value);
    let running = 0;
    let heldBack = 0;
    let tokensLeft: number | null = rate ? rate.n : null;
    for (const inst of await instancesOf(ctx, keys, scope)) {
      const [run, held, inWindow] = await Promise.all([
        concurrency ? ctx.redis.scard(keys.flowRunning(inst)) : 0,
        ctx.redis.zcard(keys.flowHeld(inst)),
        rate ? startsInWindow(ctx, keys.flowLog(inst), now - rate.perMs) : 0,
      ]);
      running += run;
      heldBack += held;
      if (rate) tokensLeft = Math.min(tokensLeft ?? rate.n, Math.max(0, rate.n - inWindow));
    }
    // The queue's own limit holds back the whole ready set while it binds.
    if (
      scope === 'queue' &&
      ((tokensLeft !== null && tokensLeft < 1) || (concurrency !== null && running >= concurrency))
    ) {
      heldBack = await ctx.redis.zcard(keys.ready);
    }
    out.push({ ...targetOf(scope), rate, concurrency, running, heldBack, tokensLeft });
  }
  return out;
}
