/**
 * Every script's decoder (src/scripts/calls) on the replies of the real
 * script, on a real Redis: each reply shape the script's header documents
 * comes back as named fields and named outcomes, and each refusal code maps
 * to its typed error. The builders' KEYS and ARGV are checked against the
 * headers in test/scripts/call-shapes.test.ts.
 */
import test from 'ava';
import { prepareOne } from '../../src/client/prepare.js';
import type { ClaimedTask } from '../../src/engine/claimed.js';
import {
  CorruptTaskError,
  type DtpsError,
  InvalidStateError,
  TaskNotFoundError,
  UnknownDependencyError,
} from '../../src/index.js';
import type { CycleTasksArgs, ScriptCall, ScriptShape } from '../../src/scripts/calls/index.js';
import * as c from '../../src/scripts/calls/index.js';
import { type Engine, useEngine } from './fixture.js';

const engine = useEngine(test);
const Q = 'default';

/** Builder arguments every queue script takes, as of now on the engine's clock. */
function at(e: Engine) {
  const ctx = e.client.ctx;
  return { keys: ctx.keys(Q), now: e.clock.now(), maxLen: ctx.eventsMaxLen };
}

function run(e: Engine, shape: ScriptShape, call: ScriptCall): Promise<unknown> {
  return c.callScript(e.redis, shape, call);
}

/** One cycleTasks round of `worker`, with nothing but what `opts` asks. */
async function cycle(e: Engine, worker: string, opts: Partial<CycleTasksArgs>): Promise<c.CycleTasksReply> {
  const args: CycleTasksArgs = {
    ...at(e),
    worker,
    keep: 100,
    completions: [],
    starts: [],
    claim: null,
    leaveIdle: false,
    registerIdle: false,
    idleTtlMs: 10_000,
    ...opts,
  };
  const reply = await run(e, c.CYCLE_TASKS, c.buildCycleTasks(args));
  return c.decodeCycleTasks(reply, {
    queue: Q,
    completions: args.completions.length,
    starts: args.starts.length,
  });
}

const claim = (max: number, start: number, steal = 0) => ({ claim: { max, start, promote: 100, steal } });

/** Claims `n` tasks for `worker`, the first `start` of them started. */
async function claimed(e: Engine, worker: string, n: number, start: number): Promise<ClaimedTask[]> {
  return (await cycle(e, worker, claim(n, start))).claimed;
}

test('submitTasks: created, duplicate, unknown dependency, and not written in an atomic batch', async (t) => {
  const e = await engine.make();
  const ctx = e.client.ctx;
  const submit = async (atomic: boolean, tasks: ReturnType<typeof prepareOne>[]) =>
    c.decodeSubmitTasks(
      await run(e, c.SUBMIT_TASKS, c.buildSubmitTasks({ ...at(e), atomic, tasks })),
      tasks.length,
    );
  const first = prepareOne(ctx, { type: 'x', idempotencyKey: 'k1' });
  const later = prepareOne(ctx, { type: 'x', delayMs: 60_000 });
  t.deepEqual(await submit(false, [first, later]), [
    { outcome: 'created', id: first.id, state: 'queued' },
    { outcome: 'created', id: later.id, state: 'scheduled' },
  ]);
  const again = prepareOne(ctx, { type: 'x', idempotencyKey: 'k1' });
  const orphan = { ...prepareOne(ctx, { type: 'x' }), dependsOn: ['nope'] };
  t.deepEqual(await submit(false, [again, orphan]), [
    { outcome: 'duplicate', id: first.id, state: 'queued' },
    { outcome: 'refused', refusal: { code: 'unknownDependency', dependency: 'nope' } },
  ]);
  const fine = prepareOne(ctx, { type: 'x' });
  const replies = await submit(true, [fine, orphan]);
  t.deepEqual(replies, [
    { outcome: 'refused', refusal: { code: 'notWritten' } },
    { outcome: 'refused', refusal: { code: 'unknownDependency', dependency: 'nope' } },
  ]);
  const [notWritten, unknown] = replies.map((r) =>
    r.outcome === 'refused' ? c.refusalError(r.refusal, { id: fine.id, queue: Q, action: 'submit' }) : null,
  );
  t.true(notWritten instanceof c.NotWrittenError);
  t.true(unknown instanceof UnknownDependencyError);
  t.is((unknown as UnknownDependencyError).dependencyId, 'nope');
  t.is(await e.client.find(fine.id), null, 'nothing of the atomic batch was written');
});

test('submitPlain: every task written, queued', async (t) => {
  const e = await engine.make();
  const tasks = [prepareOne(e.client.ctx, { type: 'x' }), prepareOne(e.client.ctx, { type: 'y' })];
  const reply = await run(e, c.SUBMIT_PLAIN, c.buildSubmitPlain({ ...at(e), tasks }));
  t.deepEqual(c.decodeSubmitPlain(reply), { written: 2 });
  t.is((await e.client.get(tasks[1]!.id)).state, 'queued');
});

test('cycleTasks: a claim, then completions (accepted, fenced) and starts (started, gone, expired)', async (t) => {
  const e = await engine.make();
  await e.client.submit({ type: 'a', priority: 9 });
  await e.client.submit({ type: 'b', priority: 8 });
  await e.client.submit({ type: 'c', priority: 7, deadline: e.clock.now() + 1000 });
  const first = await cycle(e, 'w1', claim(3, 1));
  t.deepEqual(
    first.claimed.map((task) => [task.type, task.started]),
    [
      ['a', true],
      ['b', false],
      ['c', false],
    ],
  );
  t.like(first, { nextDueAt: null, stolen: 0, registered: false, handedOff: [], accepted: [], started: [] });
  const [a, b, late] = first.claimed as [ClaimedTask, ClaimedTask, ClaimedTask];
  e.clock.advance(2000);
  const round = await cycle(e, 'w1', {
    completions: [
      { id: a.id, attempt: a.attempt, json: '"done"', createdAt: a.createdAt },
      { id: b.id, attempt: 7, json: 'null' },
    ],
    starts: [
      { id: b.id, attempt: b.attempt + 1 },
      { id: 'not-in-the-window', attempt: 1 },
      { id: late.id, attempt: late.attempt + 1 },
    ],
  });
  t.deepEqual(round.accepted, [true, false]);
  t.deepEqual(round.started, ['started', 'gone', 'expired']);
  t.deepEqual(round.claimed, [], 'no claim asked');
  t.like(await e.client.get(a.id), { state: 'succeeded', result: 'done' });
  t.is((await e.client.get(late.id)).state, 'expired');
});

test('cycleTasks: the next due time when the ready set is dry, and stealing', async (t) => {
  const e = await engine.make();
  await e.client.submit({ type: 'later', delayMs: 60_000 });
  const dry = await cycle(e, 'w1', claim(2, 2));
  t.is(dry.nextDueAt, e.clock.now() + 60_000);
  t.deepEqual(dry.claimed, []);
  await e.client.submitMany([{ type: 'x' }, { type: 'x' }, { type: 'x' }, { type: 'x' }]);
  t.is((await claimed(e, 'w2', 4, 0)).length, 4, 'all four reserved by w2');
  const thief = await cycle(e, 'w1', claim(2, 0, 2));
  t.is(thief.stolen, 2);
  t.is(thief.claimed.length, 2);
});

test('cycleTasks: registering idle, and what a submit handed over meanwhile', async (t) => {
  const e = await engine.make();
  const idle = await cycle(e, 'w1', { ...claim(2, 2), registerIdle: true });
  t.true(idle.registered);
  const { id } = await e.client.submit({ type: 'handed' });
  const back = await cycle(e, 'w1', { leaveIdle: true });
  t.deepEqual(
    back.handedOff.map((task) => [task.id, task.started]),
    [[id, true]],
  );
  t.false(back.registered);
});

test('cycleTasks: a quiet round replies with one integer (accepted 1, registered 2), with the text of a round when it returns inbox messages', async (t) => {
  const e = await engine.make();
  const base: Partial<CycleTasksArgs> = { ...claim(4, 4), registerIdle: true };
  const quietRound = async (task: ClaimedTask, attempt: number, more: Partial<CycleTasksArgs> = {}) => {
    const args: CycleTasksArgs = {
      ...at(e),
      worker: 'w1',
      keep: 100,
      completions: [{ id: task.id, attempt, json: 'null', createdAt: task.createdAt }],
      starts: [],
      claim: null,
      leaveIdle: false,
      registerIdle: false,
      idleTtlMs: 10_000,
      ...base,
      ...more,
    };
    const raw = await run(e, c.CYCLE_TASKS, c.buildCycleTasks(args));
    return { raw, reply: c.decodeCycleTasks(raw, { queue: Q, completions: 1, starts: 0 }) };
  };
  await e.client.submit({ type: 'x' });
  const [one] = (await claimed(e, 'w1', 1, 1)) as [ClaimedTask];
  const accepted = await quietRound(one, one.attempt);
  t.is(accepted.raw, 3);
  t.like(accepted.reply, { nextDueAt: null, stolen: 0, registered: true, accepted: [true], claimed: [] });

  // w1 registered: the next task is handed to it, and leaving idle returns it.
  await e.client.submit({ type: 'x' });
  const [two] = (await cycle(e, 'w1', { leaveIdle: true })).handedOff as [ClaimedTask];
  const fenced = await quietRound(two, two.attempt + 1, { registerIdle: false });
  t.is(fenced.raw, 0);
  t.like(fenced.reply, { registered: false, accepted: [false], handedOff: [] });

  // Registered idle, handed a task meanwhile: the round leaving idle returns it, in the table.
  await e.client.submit({ type: 'x' });
  const [three] = (await claimed(e, 'w1', 1, 1)) as [ClaimedTask];
  t.true((await cycle(e, 'w1', { ...claim(2, 2), registerIdle: true })).registered);
  const { id } = await e.client.submit({ type: 'handed' });
  const back = await quietRound(three, three.attempt, { leaveIdle: true });
  t.is(typeof back.raw, 'string');
  t.deepEqual(
    back.reply.handedOff.map((task) => task.id),
    [id],
  );
  t.deepEqual(back.reply.accepted, [true]);

  const err = t.throws(() => c.decodeCycleTasks(3, { queue: Q, completions: 2, starts: 0 }));
  t.regex(err?.message ?? '', /quiet reply 3/);
});

test('completeTasks: per completion, accepted or fenced', async (t) => {
  const e = await engine.make();
  await e.client.submit({ type: 'x' });
  const [task] = await claimed(e, 'w1', 1, 1);
  const completions = [
    { id: task!.id, attempt: task!.attempt, json: '1' },
    { id: task!.id, attempt: task!.attempt + 1, json: '2' },
  ];
  const reply = await run(
    e,
    c.COMPLETE_TASKS,
    c.buildCompleteTasks({ ...at(e), worker: 'w1', keep: 10, completions }),
  );
  t.deepEqual(c.decodeCompleteTasks(reply), { accepted: [true, false] });
});

test('failTasks: the state each failure moved to, null when fenced', async (t) => {
  const e = await engine.make();
  await e.client.submit({ type: 'x' });
  const [task] = await claimed(e, 'w1', 1, 1);
  const failure = { id: task!.id, message: 'boom', reason: 'handler_error', permanent: true };
  const failures = [
    { ...failure, attempt: task!.attempt + 1 },
    { ...failure, attempt: task!.attempt },
  ];
  const reply = await run(e, c.FAIL_TASKS, c.buildFailTasks({ ...at(e), worker: 'w1', seed: 1, failures }));
  t.deepEqual(c.decodeFailTasks(reply), { states: [null, 'failed'] });
});

test('failTasks: a traceparent is stored as the trace context of a task that has none, the group kept last', async (t) => {
  const e = await engine.make();
  const plain = await e.client.submit({ type: 'x', maxRetries: 2 });
  const grouped = await e.client.submit({ type: 'x', maxRetries: 2, group: 'g-1' });
  const tasks = await claimed(e, 'w1', 2, 2);
  const tp = (flags: string) => `00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-${flags}`;
  const fail = (attempt: (id: string) => number, traceparent: string) =>
    run(
      e,
      c.FAIL_TASKS,
      c.buildFailTasks({
        ...at(e),
        worker: 'w1',
        seed: 1,
        failures: tasks.map((task) => ({
          id: task.id,
          attempt: attempt(task.id),
          message: 'boom',
          reason: 'handler_error',
          permanent: false,
          traceparent,
        })),
      }),
    );
  // Refused by the fence (a stale attempt): nothing stored.
  await fail(() => 7, tp('01'));
  for (const id of [plain.id, grouped.id]) t.is((await e.client.get(id)).trace, null);
  await fail((id) => tasks.find((task) => task.id === id)!.attempt, tp('00'));
  for (const id of [plain.id, grouped.id]) {
    const task = await e.client.get(id);
    t.deepEqual(task.trace, { traceparent: tp('00') });
    t.is(task.state, 'scheduled');
  }
  t.is((await e.client.get(grouped.id)).group, 'g-1');
  // Where the scripts look for the group (keys.lua's groupOf): last.
  t.regex((await e.redis.hget(`${at(e).keys.base}t:${grouped.id}`, 'd')) ?? '', /,"g":"g-1"\}$/);
});

test('releaseTasks and leaveQueue: how many went back; whether the worker left', async (t) => {
  const e = await engine.make();
  await e.client.submitMany([{ type: 'x' }, { type: 'x' }]);
  const [one] = await claimed(e, 'w1', 2, 0);
  const leave = async () =>
    c.decodeLeaveQueue(await run(e, c.LEAVE_QUEUE, c.buildLeaveQueue({ keys: at(e).keys, worker: 'w1' })));
  t.deepEqual(await leave(), { left: false }, 'it still holds tasks');
  const release = async (ids?: string[]) =>
    c.decodeReleaseTasks(await run(e, c.RELEASE_TASKS, c.buildReleaseTasks({ ...at(e), worker: 'w1', ids })));
  t.deepEqual(await release([one!.id]), { released: 1 });
  t.deepEqual(await release(), { released: 1 }, 'no ids: the rest of the window');
  t.deepEqual(await release(), { released: 0 });
  t.deepEqual(await leave(), { left: true });
});

test('leaveIdle: how many handed-over tasks went back', async (t) => {
  const e = await engine.make();
  await cycle(e, 'w1', { ...claim(2, 2), registerIdle: true });
  const { id } = await e.client.submit({ type: 'handed' });
  const reply = await run(e, c.LEAVE_IDLE, c.buildLeaveIdle({ ...at(e), worker: 'w1', received: [] }));
  t.deepEqual(c.decodeLeaveIdle(reply), { putBack: 1 });
  t.is((await e.client.get(id)).state, 'queued');
});

test('reportProgress: recorded, or refused by the fence', async (t) => {
  const e = await engine.make();
  await e.client.submit({ type: 'x' });
  const [task] = await claimed(e, 'w1', 1, 1);
  const report = async (attempt: number) =>
    c.decodeReportProgress(
      await run(
        e,
        c.REPORT_PROGRESS,
        c.buildReportProgress({ ...at(e), worker: 'w1', id: task!.id, attempt, percent: 40 }),
      ),
    );
  t.deepEqual(await report(task!.attempt), { recorded: true });
  t.deepEqual(await report(task!.attempt + 1), { recorded: false });
});

test('recoverWorker: tasks put back, running tasks recovered', async (t) => {
  const e = await engine.make();
  await e.client.submitMany([{ type: 'x' }, { type: 'x' }]);
  await claimed(e, 'w1', 2, 1);
  const reply = await run(e, c.RECOVER_WORKER, c.buildRecoverWorker({ ...at(e), worker: 'w1', seed: 1 }));
  t.deepEqual(c.decodeRecoverWorker(reply), { requeued: 1, recovered: 1 });
});

test('expireDue, promoteDue, trimDone: how many tasks each moved or deleted', async (t) => {
  const e = await engine.make();
  await e.client.submit({ type: 'x', deadline: e.clock.now() + 1000 });
  await e.client.submit({ type: 'y', delayMs: 1000 });
  e.clock.advance(2000);
  const expired = await run(e, c.EXPIRE_DUE, c.buildExpireDue({ ...at(e), limit: 10 }));
  t.deepEqual(c.decodeExpireDue(expired), { expired: 1 });
  const promoted = await run(e, c.PROMOTE_DUE, c.buildPromoteDue({ ...at(e), limit: 10 }));
  t.deepEqual(c.decodePromoteDue(promoted), { promoted: 1 });
  e.clock.advance(1);
  const retention = { ...e.client.ctx.retention, expired: { ageMs: 0, max: 0 } };
  const trimmed = await run(e, c.TRIM_DONE, c.buildTrimDone({ ...at(e), limit: 10, retention }));
  t.deepEqual(c.decodeTrimDone(trimmed), { deleted: 1 });
});

test('acquireLease and releaseLease: held with an epoch, or held by another for so long', async (t) => {
  const e = await engine.make();
  const fleet = e.client.ctx.fleet;
  const acquire = async (holder: string) =>
    c.decodeAcquireLease(
      await run(e, c.ACQUIRE_LEASE, c.buildAcquireLease({ fleet, holder, leaseMs: 60_000 })),
    );
  const release = async (holder: string, epoch: number) =>
    c.decodeReleaseLease(await run(e, c.RELEASE_LEASE, c.buildReleaseLease({ fleet, holder, epoch })));
  t.deepEqual(await acquire('c1'), { held: true, epoch: 1 });
  const other = await acquire('c2');
  t.false(other.held);
  t.true(!other.held && other.msLeft > 0 && other.msLeft <= 60_000);
  t.deepEqual(await release('c2', 1), { released: false });
  t.deepEqual(await release('c1', 1), { released: true });
  t.deepEqual(await acquire('c2'), { held: true, epoch: 2 });
});

test('cancelTask: cancelled (naming the worker of a running task), or refused', async (t) => {
  const e = await engine.make();
  await e.client.submit({ type: 'x' });
  const [running] = await claimed(e, 'w1', 1, 1);
  const { id: queued } = await e.client.submit({ type: 'y' });
  const cancel = async (id: string) =>
    c.decodeCancelTask(await run(e, c.CANCEL_TASK, c.buildCancelTask({ ...at(e), id, reason: 'cancelled' })));
  t.deepEqual(await cancel(running!.id), { outcome: 'cancelled', previousState: 'running', worker: 'w1' });
  t.deepEqual(await cancel(queued), { outcome: 'cancelled', previousState: 'queued', worker: null });
  const ended = await cancel(queued);
  t.deepEqual(ended, { outcome: 'refused', refusal: { code: 'wrongState', state: 'cancelled' } });
  const missing = await cancel('nope');
  t.deepEqual(missing, { outcome: 'refused', refusal: { code: 'noSuchTask' } });
  const context = { id: queued, queue: Q, action: 'cancel' } as const;
  if (ended.outcome === 'refused')
    t.true(c.refusalError(ended.refusal, context) instanceof InvalidStateError);
  if (missing.outcome === 'refused')
    t.true(c.refusalError(missing.refusal, context) instanceof TaskNotFoundError);
});

test('retryTask: retried, or each of its refusals, each a typed error', async (t) => {
  const e = await engine.make();
  const retry = async (id: string) =>
    c.decodeRetryTask(await run(e, c.RETRY_TASK, c.buildRetryTask({ ...at(e), id })));
  const [parent, child] = await e.client.submitMany([
    { type: 'p', ref: 'p' },
    { type: 'c', dependsOn: ['p'] },
  ]);
  const { id: late } = await e.client.submit({ type: 'x', deadline: e.clock.now() + 1000 });
  const { id: damaged } = await e.client.submit({ type: 'x' });
  t.deepEqual(await retry(parent!.id), {
    outcome: 'refused',
    refusal: { code: 'wrongState', state: 'queued' },
  });
  await e.client.cancel(parent!.id);
  await e.client.cancel(late);
  await e.client.cancel(damaged);
  await e.redis.hset(e.client.ctx.keys(Q).task(damaged), 'd', 'not json');
  e.clock.advance(2000);
  const refusals = {
    child: await retry(child!.id),
    late: await retry(late),
    damaged: await retry(damaged),
    missing: await retry('nope'),
  };
  t.deepEqual(refusals, {
    child: {
      outcome: 'refused',
      refusal: { code: 'dependencyNotSatisfied', dependency: parent!.id, dependencyState: 'cancelled' },
    },
    late: { outcome: 'refused', refusal: { code: 'deadlinePassed' } },
    damaged: { outcome: 'refused', refusal: { code: 'unreadableSpec' } },
    missing: { outcome: 'refused', refusal: { code: 'noSuchTask' } },
  });
  const codes = Object.values(refusals).map((r) =>
    r.outcome === 'refused'
      ? (c.refusalError(r.refusal, { id: 'x', queue: Q, action: 'retry' }) as DtpsError).code
      : '',
  );
  t.deepEqual(codes, ['dependency_not_satisfied', 'deadline_passed', 'corrupt_task', 'not_found']);
  t.true(
    c.refusalError({ code: 'unreadableSpec' }, { id: 'x', queue: Q, action: 'retry' }) instanceof
      CorruptTaskError,
  );
  t.deepEqual(await retry(parent!.id), { outcome: 'retried', state: 'queued' });
});

test('the refusal table: one code per name, and every name maps to a typed error', (t) => {
  const codes = Object.values(c.ScriptRefusal);
  t.is(new Set(codes).size, codes.length);
  for (const name of Object.keys(c.ScriptRefusal) as c.RefusalName[]) {
    t.is(c.refusalName('retryTask', c.ScriptRefusal[name]), name);
    t.true(c.refusalError({ code: name }, { id: 'x', queue: Q, action: 'retry' }) instanceof Error);
  }
  t.throws(() => c.refusalName('retryTask', -99), { instanceOf: c.ScriptReplyError });
});
