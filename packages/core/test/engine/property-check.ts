/**
 * The state check of the model-based test, after every step: the engine's
 * Redis holds exactly what the model says.
 * - Nothing is lost: every task is readable, in the model's state, with its
 *   attempt count; the counts by state agree.
 * - One terminal state: each ended task is in its state's set and no other.
 * - Fencing: each running task is in exactly one worker's running set, with
 *   its attempt as the fence.
 * - Priority order: the ready set and every window in priority/FIFO order.
 * - DAG rules: the pending set is the model's, and each pending task waits on
 *   a dependency that has not ended (one that failed would have cancelled it).
 * - Idle workers: the idle hash holds the model's registrations (free slots,
 *   held until), and each inbox the model's messages, in order.
 */
import assert from 'node:assert/strict';
import { decodeInboxMessage, type TaskState } from '../../src/index.js';
import { isTerminalState } from './model.js';
import { QUEUE } from './property-cmds.js';
import { checkFlow } from './property-flow.js';
import type { Run } from './property-run.js';

const TERMINAL_KINDS = ['succeeded', 'failed', 'expired', 'cancelled'] as const;

export async function checkState(run: Run): Promise<void> {
  await checkTasks(run);
  await checkFlow(run);
  await checkOwners(run);
  await checkQueueSets(run);
  await checkIdle(run);
}

/** Every task readable, in the model's state; the counts by state. */
async function checkTasks({ e, model }: Run): Promise<void> {
  const got = await Promise.all(model.ids.map((id) => e.client.get(id)));
  got.forEach((task, i) => {
    const m = model.get(model.ids[i]!);
    assert.equal(task.state, m.state, `state of ${m.id}`);
    assert.equal(task.attempts, m.attempt, `attempts of ${m.id}`);
    if (m.state === 'reserved' || m.state === 'running')
      assert.equal(task.worker, m.worker, `worker of ${m.id}`);
    if (m.state === 'failed' || m.state === 'expired' || m.state === 'cancelled') {
      assert.equal(task.reason, m.reason, `reason of ${m.id}`);
    }
    if (m.state === 'pending') {
      assert.ok(
        m.deps.some((d) => !isTerminalState(model.get(d).state)),
        `pending ${m.id} waits on no dependency that has not ended`,
      );
    }
  });
  assert.deepEqual(await e.client.counts(QUEUE), model.counts());
}

/** Each running task in exactly one running set, with its attempt; windows in priority/FIFO order. */
async function checkOwners({ e, model, k, workers }: Run): Promise<void> {
  const r = e.redis;
  const registered = await r.smembers(k.workers);
  const all = [...new Set([...workers, ...registered])];
  const [runSets, windows] = await Promise.all([
    Promise.all(all.map((w) => r.zrange(k.running(w), '0', '-1', 'WITHSCORES'))),
    Promise.all(all.map((w) => r.zrange(k.window(w), '0', '-1'))),
  ]);
  const seen = new Map<string, number>();
  all.forEach((w, i) => {
    const flat = runSets[i]!;
    const actual: Record<string, number> = {};
    for (let j = 0; j < flat.length; j += 2) {
      actual[flat[j]!] = Number(flat[j + 1]);
      seen.set(flat[j]!, (seen.get(flat[j]!) ?? 0) + 1);
    }
    const expected: Record<string, number> = {};
    for (const t of model.running(w)) expected[t.id] = t.attempt;
    assert.deepEqual(actual, expected, `running set of ${w}`);
    assert.deepEqual(
      windows[i],
      model.window(w).map((t) => t.id),
      `window of ${w} (priority/FIFO order)`,
    );
  });
  for (const t of model.inState('running'))
    assert.equal(seen.get(t.id), 1, `${t.id} in ${seen.get(t.id)} running sets`);
}

/** The ready set in order, the scheduled set with run times, the pending set, one terminal set each. */
async function checkQueueSets({ e, model, k }: Run): Promise<void> {
  const r = e.redis;
  const [readyScores, sched, pending, ...done] = await Promise.all([
    r.zrange(k.ready, '0', '-1', 'WITHSCORES'),
    r.zrange(k.scheduled, '0', '-1', 'WITHSCORES'),
    r.smembers(k.pending),
    ...TERMINAL_KINDS.map((s) => r.zrange(k.done(s), '0', '-1')),
  ]);
  const ready = readyScores.filter((_, i) => i % 2 === 0);
  assert.deepEqual(
    ready,
    model.ready().map((t) => t.id),
    'ready set (priority/FIFO order)',
  );
  // The scores themselves: priority band and sequence, lanes included (model-lanes.ts).
  assert.deepEqual(
    readyScores.filter((_, i) => i % 2 === 1).map(Number),
    model.ready().map((t) => (10 - t.priority) * 1e13 + t.seq),
    'ready scores',
  );
  const schedActual: Record<string, number> = {};
  for (let j = 0; j < sched.length; j += 2) schedActual[sched[j]!] = Number(sched[j + 1]);
  const schedExpected: Record<string, number> = {};
  for (const t of model.inState('scheduled')) schedExpected[t.id] = t.runAt!;
  assert.deepEqual(schedActual, schedExpected, 'scheduled set');
  const sorted = (ids: readonly string[]) => [...ids].sort();
  assert.deepEqual(sorted(pending), sorted(model.inState('pending').map((t) => t.id)), 'pending set');
  const ended = new Map<string, number>();
  TERMINAL_KINDS.forEach((s, i) => {
    for (const id of done[i]!) ended.set(id, (ended.get(id) ?? 0) + 1);
    assert.deepEqual(sorted(done[i]!), sorted(model.inState(s as TaskState).map((t) => t.id)), `${s} set`);
  });
  for (const [id, n] of ended) assert.equal(n, 1, `${id} in ${n} terminal sets`);
}

/** The idle hash and the inboxes. */
async function checkIdle({ e, model, k, workers }: Run): Promise<void> {
  const r = e.redis;
  const [idle, inboxes] = await Promise.all([
    r.hgetall(k.idle),
    Promise.all(workers.map((w) => r.lrange(k.inbox(w), '0', '-1'))),
  ]);
  const expected: Record<string, string> = {};
  for (const [w, reg] of model.idle) expected[w] = `${reg.free} ${reg.until}`;
  assert.deepEqual(idle, expected, 'idle hash');
  workers.forEach((w, i) => {
    assert.deepEqual(
      inboxes[i]!.map((m) => decodeInboxMessage(QUEUE, m).map((t) => ({ id: t.id, attempt: t.attempt }))),
      model.inboxOf(w),
      `inbox of ${w}`,
    );
  });
}
