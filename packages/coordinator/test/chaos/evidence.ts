/**
 * Reads back, once the run is over, what the checks need: every task, the
 * queue's totals and event stream, the fleet's worker:dead events (from the
 * dtps Redis), and the handlers' recording (from the recorder Redis).
 */
import { type Client, rangeEvents, type Task, type TransitionEvent } from '@dtps/core';
import type { RedisServer } from '@dtps/core/testing';
import { transitionsByTask } from '../e2e/fixture.js';
import type { Transition } from './checks.js';
import { RUNS_KEY, type RunRecord } from './handlers.js';

const PAGE = 5000;

/** Every task by planned index (undefined where Redis does not have it). */
export async function readTasks(client: Client, ids: readonly string[]): Promise<(Task | undefined)[]> {
  const out: (Task | undefined)[] = [];
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    const read = await Promise.all(
      chunk.map((id) => (id === undefined ? null : client.find(id, { queue: 'default' }))),
    );
    out.push(...read.map((t) => t ?? undefined));
  }
  return out;
}

/** Each task's transitions, from the whole event stream of the default queue. */
export async function readTransitions(client: Client): Promise<Map<string, Transition[]>> {
  const key = client.ctx.keys('default').events;
  const events: TransitionEvent[] = [];
  let from = '-';
  for (;;) {
    const batch = await rangeEvents(client.ctx.redis, key, from, PAGE);
    events.push(...batch);
    if (batch.length < PAGE) return transitionsByTask(events);
    from = `(${batch.at(-1)!.streamId}`;
  }
}

/** The default queue's cumulative counters. */
export async function readTotals(client: Client): Promise<Record<string, number>> {
  const raw = await client.ctx.redis.hgetall(client.ctx.keys('default').totals);
  return Object.fromEntries(Object.entries(raw).map(([f, v]) => [f, Number(v)]));
}

/** Worker id → when the leader declared it dead (each time, in order), from the fleet event stream. */
export async function readDeclaredDead(client: Client): Promise<Map<string, number[]>> {
  const raw = (await client.ctx.redis.xrange(client.ctx.fleet.events, '-', '+')) as [string, string[]][];
  const out = new Map<string, number[]>();
  for (const [streamId, flat] of raw) {
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
    if (fields.kind !== 'worker:dead' || !fields.id) continue;
    const at = Number(streamId.split('-')[0]);
    const list = out.get(fields.id);
    if (list) list.push(at);
    else out.set(fields.id, [at]);
  }
  return out;
}

/** The handlers' recording, in order. */
export async function readRuns(recorder: ReturnType<RedisServer['client']>): Promise<RunRecord[]> {
  const out: RunRecord[] = [];
  const len = await recorder.llen(RUNS_KEY);
  for (let i = 0; i < len; i += 10_000) {
    for (const line of await recorder.lrange(RUNS_KEY, i, i + 9999)) out.push(JSON.parse(line) as RunRecord);
  }
  return out;
}
