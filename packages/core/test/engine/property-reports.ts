/**
 * The model test's reports from outside a worker's round — the reporter's
 * completions and failures (the engine's backoff choice checked and read
 * back) — and the operator's cancel and retry. See property-run.ts.
 */
import assert from 'node:assert/strict';
import { DtpsError, InvalidStateError } from '../../src/index.js';
import { isTerminalState, type ModelTask } from './model.js';
import { BACKOFF, pickOf, QUEUE } from './property-cmds.js';
import type { Run } from './property-run.js';

/** The largest backoff delay of retry number `attempt` (full jitter picks in [0, this]). */
function backoffCap(attempt: number): number {
  return Math.min(BACKOFF.baseMs * 2 ** (attempt - 1), BACKOFF.maxMs);
}

export async function cancel(run: Run, pick: number): Promise<void> {
  const { e, model } = run;
  const t = pickOf(
    run.tasks(() => true),
    pick,
  );
  if (!t) return void run.log.push('cancel: nothing');
  const before = t.state;
  const snapshot = isTerminalState(before) ? await run.hash(t.id) : null;
  const exp = model.cancel(t.id);
  try {
    const r = await e.client.cancel(t.id);
    run.log.push(`cancel ${t.id} (${before}) → ok`);
    assert.ok(exp !== null, `cancel of ${before} task ${t.id} was accepted`);
    assert.equal(r.previousState, exp.previousState);
    assert.equal(r.worker, exp.worker);
  } catch (err) {
    run.log.push(`cancel ${t.id} (${before}) → ${(err as Error).message}`);
    if (exp !== null) throw err;
    assert.ok(err instanceof InvalidStateError, String(err));
    assert.equal(err.code, 'invalid_state');
    assert.equal(err.state, before);
    assert.deepEqual(await run.hash(t.id), snapshot);
  }
}

export async function retry(run: Run, pick: number, any: boolean): Promise<void> {
  const { e, model } = run;
  const t = pickOf(
    run.tasks((x) => any || isTerminalState(x.state)),
    pick,
  );
  if (!t) return void run.log.push('retry: nothing');
  const before = t.state;
  const exp = model.retry(t.id, run.now());
  try {
    const r = await e.client.retry(t.id);
    run.log.push(`retry ${t.id} (${before}) → ${r.state}`);
    assert.ok(exp.ok, `retry of ${before} task ${t.id} was accepted; expected ${JSON.stringify(exp)}`);
    assert.equal(r.state, exp.state);
  } catch (err) {
    run.log.push(`retry ${t.id} (${before}) → ${(err as Error).message}`);
    if (exp.ok) throw err;
    assert.ok(err instanceof DtpsError, String(err));
    assert.equal(err.code, exp.code);
  }
}

/** The reporter's success report (completeTasks). */
export async function complete(run: Run, t: ModelTask, worker: string, attempt: number): Promise<void> {
  const { e, model } = run;
  const holds = model.fenceHolds(worker, t.id, attempt);
  const snapshot = holds ? null : await run.hash(t.id);
  const before = model.windowLengths();
  const [ok] = await e.ops(worker).complete(QUEUE, [{ id: t.id, attempt, result: { by: worker } }]);
  const accepted = model.complete(worker, t.id, attempt, run.now(), await run.choices(before));
  run.log.push(`complete ${worker} ${t.id} a${attempt} → ${ok}`);
  assert.equal(ok, accepted);
  if (!accepted) assert.deepEqual(await run.hash(t.id), snapshot, 'a refused report changed the task');
}

/** The reporter's failure report (failTasks); the engine's backoff choice is checked and read back. */
export async function fail(
  run: Run,
  t: ModelTask,
  worker: string,
  attempt: number,
  permanent: boolean,
): Promise<void> {
  const { e, model } = run;
  const holds = model.fenceHolds(worker, t.id, attempt);
  const snapshot = holds ? null : await run.hash(t.id);
  const [state] = await e
    .ops(worker)
    .fail(QUEUE, [{ id: t.id, attempt, message: 'boom', reason: 'handler_error', permanent }]);
  run.log.push(`fail ${worker} ${t.id} a${attempt}${permanent ? ' permanent' : ''} → ${state}`);
  if (!holds) {
    assert.equal(state, null);
    assert.deepEqual(await run.hash(t.id), snapshot, 'a refused report changed the task');
    return;
  }
  let runAt: number | null = null;
  const verdict = model.failVerdict(t.id, attempt, permanent, run.now());
  if (verdict) assert.equal(state, verdict);
  else runAt = await checkBackoffChoice(run, t, state!, attempt);
  model.applyFailure(t.id, state as 'failed', 'handler_error', runAt);
}

/**
 * A failed attempt whose outcome the engine chose by its backoff jitter:
 * checks the choice was allowed and returns the run time when scheduled.
 */
async function checkBackoffChoice(
  run: Run,
  t: ModelTask,
  state: string,
  attempt: number,
): Promise<number | null> {
  const now = run.now();
  const cap = backoffCap(attempt);
  if (state === 'scheduled') {
    const score = await run.e.redis.zscore(run.k.scheduled, t.id);
    assert.notEqual(score, null, `${t.id} scheduled but not in the scheduled set`);
    const runAt = Number(score);
    assert.ok(runAt > now && runAt <= now + cap, `retry of ${t.id} at +${runAt - now} ms, cap ${cap}`);
    if (t.deadline !== null)
      assert.ok(runAt < t.deadline, `retry of ${t.id} scheduled at or past its deadline`);
    return runAt;
  }
  if (state === 'queued') {
    assert.ok(t.deadline === null || t.deadline > now, `${t.id} requeued past its deadline`);
    return null;
  }
  if (state === 'expired') {
    assert.ok(t.deadline !== null && t.deadline <= now + cap, `${t.id} expired though its deadline is far`);
    return null;
  }
  assert.fail(`failed attempt of ${t.id} moved it to ${state}`);
}
