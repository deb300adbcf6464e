/**
 * Flow control in the model-based test: the operator's limit changes, pause
 * and resume (each against the engine and the model), what is checked after a
 * claim of a limited queue, and the flow state check after every step:
 * 1. every cap instance's running set (fc:run) is the model's — the tasks that
 *    started under the cap and still run that attempt — and within the cap (a cap
 *    set or lowered while tasks run: those started before it do not count, or
 *    count over it until they end; FlowModel.capExcess);
 * 2. no task starts while the queue is paused (Run.step);
 * 3. no window of a rate's length holds more starts than it allows;
 * 4. every queued task is in the ready set or in exactly one held set (fc:held)
 *    of a limit it counts under, keeping its score; nothing else is;
 * 5. a limited or paused queue has no reservations and no idle registrations;
 * and `queueState` (what `dtps queue show` prints) agrees: running, held back
 * and tokens left per limit; listing queued tasks shows the held ones too.
 */
import assert from 'node:assert/strict';
import { GROUPS, type LimitCmd, QUEUE, RATE_WINDOW_MS, TYPES } from './property-cmds.js';
import type { Run } from './property-run.js';

const BAND = 1e13;

/** Every limit instance the test can make: the queue's, each type's, each group's, each-group's. */
const INSTANCES = [
  'queue',
  ...TYPES.map((t) => `type:${t}`),
  ...GROUPS.flatMap((g) => [`group:${g}`, `each:${g}`]),
];

function scopeOf(cmd: LimitCmd): { scope: LimitCmd['scope']; key?: string } {
  if (cmd.scope === 'type') return { scope: 'type', key: TYPES[cmd.key % TYPES.length]! };
  if (cmd.scope === 'group') return { scope: 'group', key: GROUPS[cmd.key % GROUPS.length]! };
  return { scope: cmd.scope };
}

/** An operator's command: a limit change, pause or resume. */
export function operatorStep(run: Run, cmd: LimitCmd | { k: 'pause' } | { k: 'resume' }): Promise<void> {
  if (cmd.k === 'limit') return limit(run, cmd);
  return cmd.k === 'pause' ? pause(run) : resume(run);
}

async function limit(run: Run, cmd: LimitCmd): Promise<void> {
  const { e, model } = run;
  const target = scopeOf(cmd);
  const scope = target.key === undefined ? target.scope : `${target.scope}:${target.key}`;
  const rate =
    cmd.rate === 'keep' ? undefined : cmd.rate === null ? null : { n: cmd.rate, perMs: RATE_WINDOW_MS };
  const conc = cmd.conc === 'keep' ? undefined : cmd.conc;
  const r = cmd.clear
    ? await e.client.clearQueueLimit(QUEUE, target)
    : await e.client.setQueueLimit(QUEUE, {
        ...target,
        ...(rate === undefined ? {} : { rate }),
        ...(conc === undefined ? {} : { concurrency: conc }),
      });
  const exp = model.setLimit(scope, { rate, conc, clear: cmd.clear });
  run.log.push(
    `${cmd.clear ? 'clear' : 'limit'} ${scope} rate=${JSON.stringify(rate)} conc=${conc} → ${JSON.stringify(r.limit)} unreserved=${r.unreserved} released=${r.released}`,
  );
  assert.deepEqual(
    { rate: r.limit.rate, concurrency: r.limit.concurrency },
    exp.value
      ? {
          rate: exp.value.n ? { n: exp.value.n, perMs: exp.value.per } : null,
          concurrency: exp.value.conc || null,
        }
      : { rate: null, concurrency: null },
    'limit now',
  );
  assert.equal(r.unreserved, exp.unreserved, 'reserved tasks put back');
  assert.equal(r.released, exp.released, 'held tasks let go');
}

async function pause(run: Run): Promise<void> {
  const r = await run.e.client.pauseQueue(QUEUE);
  const exp = run.model.pause();
  run.log.push(`pause → changed=${r.changed} released=${r.released}`);
  assert.deepEqual({ changed: r.changed, released: r.released }, exp);
}

async function resume(run: Run): Promise<void> {
  const r = await run.e.client.resumeQueue(QUEUE);
  run.log.push(`resume → changed=${r.changed}`);
  assert.equal(r.changed, run.model.resume());
}

/** Invariant 2: returns a check that no attempt started since, if the queue is paused now. */
export function noStartWhilePaused(run: Run): () => void {
  if (!run.model.flow.paused) return () => {};
  const key = (t: { id: string; attempt: number }) => `${t.id}a${t.attempt}`;
  const before = new Set(run.tasks((t) => t.state === 'running').map(key));
  return () => {
    const started = run.tasks((t) => t.state === 'running' && !before.has(key(t)));
    assert.deepEqual(
      started.map((t) => t.id),
      [],
      'started while the queue was paused',
    );
  };
}

/** The queued (or due scheduled) tasks past their deadline that a limited claim expired at handout. */
export async function expiredAtHandout(run: Run, candidates: readonly string[]): Promise<Set<string>> {
  const states = await Promise.all(candidates.map((id) => run.e.client.get(id)));
  return new Set(candidates.filter((_, i) => states[i]!.state === 'expired'));
}

/**
 * Tasks a limited claim could expire at handout: past their deadline and waiting (queued, or
 * queued within the round: due, or released by a dependency the round completes).
 */
export function expiryCandidates(run: Run, now: number): string[] {
  return run
    .tasks(
      (t) =>
        t.deadline !== null &&
        t.deadline <= now &&
        (t.state === 'queued' || t.state === 'scheduled' || t.state === 'pending'),
    )
    .map((t) => t.id);
}

/**
 * After a claim of a limited queue (the model took its starts, checked one by one): what stays
 * in the ready set comes after everything it started (it took them in order); a claim that
 * started fewer than asked, with no queue-wide limit to stop it, left the ready set empty (the
 * rest is held back); and when a task it left queued could start now, the worker is told to
 * come back now (a limit's held tasks are due), so nothing waits on a limit that has room.
 */
export async function checkLimitedClaim(
  run: Run,
  start: number,
  now: number,
  claim: { handed: { id: string }[]; nextDueAt: number | null },
): Promise<void> {
  const { e, model, k } = run;
  const ready = await e.redis.zrange(k.ready, '0', '-1');
  const last = claim.handed.at(-1);
  if (last && ready.length > 0) {
    const a = model.get(last.id);
    const b = model.get(ready[0]!);
    assert.ok(
      b.priority < a.priority || (b.priority === a.priority && b.seq >= a.seq),
      `ready ${b.id} was passed over for ${a.id}`,
    );
  }
  if (claim.handed.length >= start) return;
  if (!model.flow.limits.has('queue')) assert.deepEqual(ready, [], 'a short limited claim left tasks ready');
  const startable = model.admissible(now);
  if (startable.length > 0) {
    assert.ok(
      claim.nextDueAt !== null && claim.nextDueAt <= now,
      `${startable.map((t) => t.id)} may start now, but the claim says next at ${claim.nextDueAt}`,
    );
  }
}

/** The flow state after a step (see the file comment); the model takes the engine's held sets. */
export async function checkFlow(run: Run): Promise<void> {
  const { e, model, k, workers } = run;
  const r = e.redis;
  const flow = model.flow;
  const [hash, paused, due, held, runSets] = await Promise.all([
    r.hgetall(k.flow),
    r.exists(k.paused),
    r.zrange(k.flowDue, '0', '-1'),
    Promise.all(INSTANCES.map((i) => r.zrange(k.flowHeld(i), '0', '-1', 'WITHSCORES'))),
    Promise.all(INSTANCES.map((i) => r.smembers(k.flowRunning(i)))),
  ]);
  assert.deepEqual(hash, flow.hash(), 'flow hash');
  assert.equal(paused === 1, flow.paused, 'paused flag');
  // 4. Queued tasks: each in the ready set (checked in property-check.ts) or one held set.
  model.held.clear();
  INSTANCES.forEach((inst, i) => {
    const flat = held[i]!;
    if (flat.length > 0) assert.ok(due.includes(inst), `${inst} holds tasks but is not due ever`);
    for (let j = 0; j < flat.length; j += 2) {
      const id = flat[j]!;
      const t = model.get(id);
      assert.equal(t.state, 'queued', `${id} held by ${inst} is ${t.state}`);
      assert.ok(!model.held.has(id), `${id} held by ${inst} and ${model.held.get(id)}`);
      assert.ok(flow.instancesOf(t).includes(inst), `${id} held by ${inst}, a limit it does not count under`);
      assert.equal(Number(flat[j + 1]), (10 - t.priority) * BAND + t.seq, `score of held ${id}`);
      model.held.set(id, inst);
    }
  });
  const ready = new Set(await r.zrange(k.ready, '0', '-1'));
  for (const t of model.inState('queued')) {
    assert.ok(ready.has(t.id) !== model.held.has(t.id), `${t.id} is in the ready set and held, or neither`);
  }
  // 1. Caps: the running sets are the model's, within the cap.
  flow.forgetEnded((id) => model.get(id));
  INSTANCES.forEach((inst, i) => {
    const lim = flow.limitOf(inst);
    if (!lim || lim.conc === 0) return;
    const expected = [...(flow.capRun.get(inst)?.keys() ?? [])].sort();
    assert.deepEqual([...runSets[i]!].sort(), expected, `running under the cap of ${inst}`);
    const excess = flow.capExcess(inst);
    assert.equal(excess, null, excess ?? '');
  });
  // 3. Rates.
  const over = flow.rateViolation();
  assert.equal(over, null, over ?? '');
  if (flow.limited()) await checkQueueState(run);
  // 5. A limited or paused queue: no reservations, no idle registrations.
  if (flow.limited() || flow.paused) {
    const [idle, windows] = await Promise.all([
      r.hlen(k.idle),
      Promise.all(workers.map((w) => r.zcard(k.window(w)))),
    ]);
    assert.equal(idle, 0, 'a limited or paused queue has idle registrations');
    assert.deepEqual(
      windows,
      workers.map(() => 0),
      'a limited or paused queue has reservations',
    );
  }
}

/** What `dtps queue show` reports of each limit: running under it, held back by it, tokens left. */
async function checkQueueState(run: Run): Promise<void> {
  const { e, model } = run;
  const flow = model.flow;
  const now = run.now();
  const [state, listed] = await Promise.all([
    e.client.queueState(QUEUE),
    e.client.list({ queue: QUEUE, state: 'queued', limit: 1000 }),
  ]);
  assert.deepEqual(
    listed.tasks.map((t) => t.id).sort(),
    model
      .inState('queued')
      .map((t) => t.id)
      .sort(),
    'queued tasks listed (held ones too)',
  );
  assert.equal(state.paused, flow.paused, 'queueState paused');
  assert.deepEqual(
    state.limits.map((l) => (l.key === null ? l.scope : `${l.scope}:${l.key}`)).sort(),
    [...flow.limits.keys()].sort(),
  );
  for (const l of state.limits) {
    const scope = l.key === null ? l.scope : `${l.scope}:${l.key}`;
    const lim = flow.limits.get(scope)!;
    const insts = flow.instancesOfScope(scope, model.held);
    const running = lim.conc ? insts.reduce((n, i) => n + (flow.capRun.get(i)?.size ?? 0), 0) : 0;
    let tokensLeft: number | null = lim.n ? lim.n : null;
    for (const i of insts)
      if (lim.n) tokensLeft = Math.min(tokensLeft!, Math.max(0, lim.n - flow.startsInWindow(i, now)));
    let heldBack = [...model.held.values()].filter((i) => insts.includes(i)).length;
    if (scope === 'queue' && ((tokensLeft !== null && tokensLeft < 1) || (lim.conc && running >= lim.conc))) {
      heldBack = model.ready().length;
    }
    assert.deepEqual(
      { running: l.running, heldBack: l.heldBack, tokensLeft: l.tokensLeft },
      { running, heldBack, tokensLeft },
      `queueState of ${scope}`,
    );
  }
}
