/** Reducer cases: the operator's commands and the effects' answers. */
import type { ActionType } from '../../../src/state/actions.js';
import { initialState, reducer } from '../../../src/state/reducer.js';
import { busyState, NOW, options, worker } from '../../fixtures.js';
import { type Case, effectOf, formOf, onWorkers, submittedState, typed } from './helpers.js';

export const operatorCases = {
  requestCancel(t) {
    const tasks = reducer(busyState(), { type: 'switchView', view: 'tasks' });
    const asked = reducer(tasks, { type: 'requestCancel' });
    t.like(asked.overlay, {
      kind: 'confirm',
      confirm: { effect: { kind: 'cancel', taskId: 't-run', queue: 'default' } },
    });
    t.is(asked.outbox.length, 0, 'asks first');
    const ended = reducer(reducer(tasks, { type: 'moveSelection', delta: 2 }), { type: 'requestCancel' });
    t.is(ended.overlay, null);
    t.regex(ended.notice?.text ?? '', /already ended/);
    t.regex(reducer(busyState(), { type: 'requestCancel' }).notice?.text ?? '', /select a task/);
  },

  requestRetry(t) {
    const tasks = reducer(busyState(), { type: 'switchView', view: 'tasks' });
    t.regex(reducer(tasks, { type: 'requestRetry' }).notice?.text ?? '', /has not ended/);
    const asked = reducer(reducer(tasks, { type: 'moveSelection', delta: 2 }), { type: 'requestRetry' });
    t.like(asked.overlay, { kind: 'confirm', confirm: { effect: { kind: 'retry', taskId: 't-failed' } } });
  },

  requestBulk(t) {
    const tasks = reducer(busyState(), { type: 'switchView', view: 'tasks' });
    t.regex(reducer(tasks, { type: 'requestBulk', action: 'retry' }).notice?.text ?? '', /choose a state/);
    const failed = { ...tasks, filter: { state: 'failed' as const, priority: null } };
    const asked = reducer(failed, { type: 'requestBulk', action: 'retry' });
    t.like(asked.overlay, {
      kind: 'confirm',
      confirm: {
        effect: { kind: 'bulk', action: 'retry', queue: 'default', state: 'failed', priority: null },
      },
    });
    t.regex(
      asked.overlay?.kind === 'confirm' ? asked.overlay.confirm.prompt : '',
      /Retry .*failed tasks of queue default\?/,
    );
    t.is(asked.outbox.length, 0, 'asks first');
    t.regex(reducer(failed, { type: 'requestBulk', action: 'cancel' }).notice?.text ?? '', /already ended/);
    const queued = { ...tasks, filter: { state: 'queued' as const, priority: 3 } };
    t.regex(reducer(queued, { type: 'requestBulk', action: 'retry' }).notice?.text ?? '', /have not ended/);
    const yes = reducer(asked, { type: 'confirmYes' });
    t.like(effectOf(yes), { kind: 'bulk', action: 'retry', state: 'failed' });
    t.like(yes.bulk, { action: 'retry', state: 'failed', matched: 0, done: 0 });
    t.regex(reducer(yes, { type: 'requestBulk', action: 'delete' }).notice?.text ?? '', /still running/);
    const done = reducer(yes, {
      type: 'effectDone',
      effect: effectOf(yes),
      outcome: { kind: 'bulkDone', action: 'retry', matched: 5, done: 4 },
      at: NOW + 1,
    });
    t.is(done.bulk, null);
    t.regex(done.notice?.text ?? '', /bulk retry: 4 of 5 matching tasks done \(1 refused/);
    t.is(
      reducer(busyState(), { type: 'requestBulk', action: 'retry' }).overlay,
      null,
      'only in the Tasks view',
    );
  },

  bulkProgress(t) {
    const tasks = reducer(busyState(), { type: 'switchView', view: 'tasks' });
    const asked = reducer(
      { ...tasks, filter: { state: 'queued', priority: null } },
      { type: 'requestBulk', action: 'cancel' },
    );
    const running = reducer(asked, { type: 'confirmYes' });
    const p = reducer(running, { type: 'bulkProgress', matched: 10, done: 9, scanned: 200 });
    t.deepEqual(p.bulk, { action: 'cancel', state: 'queued', matched: 10, done: 9, scanned: 200 });
    t.is(
      reducer(tasks, { type: 'bulkProgress', matched: 1, done: 1, scanned: 1 }).bulk,
      null,
      'none running: ignored',
    );
    const failed = reducer(p, {
      type: 'effectFailed',
      effect: effectOf(running),
      message: 'Redis is gone',
      at: NOW,
    });
    t.is(failed.bulk, null);
    t.regex(failed.notice?.text ?? '', /bulk cancel of queued tasks failed: Redis is gone/);
  },

  requestPauseResume(t) {
    const w = onWorkers(busyState());
    const asked = reducer(w, { type: 'requestPauseResume' });
    t.like(asked.overlay, {
      kind: 'confirm',
      confirm: { effect: { kind: 'control', workerId: 'w-1', command: { command: 'pause' } } },
    });
    const paused = reducer(w, { type: 'workersLoaded', workers: [worker('w-1', { paused: true })] });
    const resumed = reducer(paused, { type: 'requestPauseResume' });
    t.is(resumed.overlay, null, 'resuming does not ask');
    t.like(effectOf(resumed), { kind: 'control', workerId: 'w-1', command: { command: 'resume' } });
    t.false(resumed.workers[0]!.paused, 'shown resumed at once');
  },

  scaleBy(t) {
    const w = onWorkers(busyState());
    const up = reducer(w, { type: 'scaleBy', delta: 1 });
    t.like(effectOf(up), { kind: 'control', workerId: 'w-1', command: { command: 'scale', size: 6 } });
    t.is(up.workers[0]!.poolSize, 6, 'shown at once');
    const twice = reducer(up, { type: 'scaleBy', delta: 1 });
    t.like(effectOf(twice), { command: { command: 'scale', size: 7 } }, 'a second press builds on the first');
    const atMax = reducer(w, { type: 'workersLoaded', workers: [worker('w-1', { poolSize: 10, max: 10 })] });
    t.deepEqual(effectOf(reducer(atMax, { type: 'scaleBy', delta: 1 })), {
      id: 1,
      kind: 'control',
      workerId: 'w-1',
      command: { command: 'scale', size: 11, max: 11 },
    });
    const atZero = reducer(w, { type: 'workersLoaded', workers: [worker('w-1', { poolSize: 0, min: 0 })] });
    t.regex(reducer(atZero, { type: 'scaleBy', delta: -1 }).notice?.text ?? '', /no slots left/);
    t.regex(reducer(initialState(options()), { type: 'scaleBy', delta: 1 }).notice?.text ?? '', /no worker/);
  },

  boundBy(t) {
    const w = onWorkers(busyState());
    t.like(effectOf(reducer(w, { type: 'boundBy', bound: 'max', delta: 1 })), {
      command: { command: 'scale', max: 11 },
    });
    t.like(effectOf(reducer(w, { type: 'boundBy', bound: 'min', delta: -1 })), {
      command: { command: 'scale', min: 0 },
    });
    const raised = reducer(w, { type: 'boundBy', bound: 'min', delta: 1 });
    t.is(raised.workers[0]!.min, 2);
    const tight = reducer(w, {
      type: 'workersLoaded',
      workers: [worker('w-1', { min: 3, max: 3, poolSize: 3 })],
    });
    t.regex(reducer(tight, { type: 'boundBy', bound: 'min', delta: 1 }).notice?.text ?? '', /min must stay/);
    t.regex(reducer(tight, { type: 'boundBy', bound: 'max', delta: -1 }).notice?.text ?? '', /max must stay/);
  },

  toggleSteal(t) {
    const w = onWorkers(busyState());
    const on = reducer(w, { type: 'toggleSteal' });
    t.like(effectOf(on), { kind: 'control', command: { command: 'steal', on: true } });
    t.true(on.workers[0]!.steal);
  },

  confirmYes(t) {
    const asked = reducer(reducer(busyState(), { type: 'switchView', view: 'tasks' }), {
      type: 'requestCancel',
    });
    const yes = reducer(asked, { type: 'confirmYes' });
    t.is(yes.overlay, null);
    t.like(effectOf(yes), { kind: 'cancel', taskId: 't-run' });
    t.is(reducer(busyState(), { type: 'confirmYes' }).outbox.length, 0, 'nothing to confirm, nothing sent');
  },

  confirmNo(t) {
    const asked = reducer(reducer(busyState(), { type: 'switchView', view: 'tasks' }), {
      type: 'requestCancel',
    });
    const no = reducer(asked, { type: 'confirmNo' });
    t.is(no.overlay, null);
    t.is(no.outbox.length, 0);
  },

  effectsTaken(t) {
    const w = onWorkers(busyState());
    const two = reducer(reducer(w, { type: 'scaleBy', delta: 1 }), { type: 'toggleSteal' });
    t.is(two.outbox.length, 2);
    const taken = reducer(two, { type: 'effectsTaken', ids: [two.outbox[0]!.id] });
    t.deepEqual(
      taken.outbox.map((e) => e.kind),
      ['control'],
    );
    t.is(taken.outbox[0]!.id, two.outbox[1]!.id);
  },

  effectDone(t) {
    const s = submittedState();
    if (s.overlay?.kind !== 'submit') return t.fail();
    t.is(s.overlay.form.submittedId, 't-new');
    t.false(s.overlay.form.submitting);
    t.like(s.follow, { id: 't-new', queue: 'default', task: null });
    t.is(s.notice?.text, 'submitted task t-new');
    const w = onWorkers(busyState());
    const sent = reducer(w, { type: 'scaleBy', delta: 1 });
    const done = reducer(sent, {
      type: 'effectDone',
      effect: effectOf(sent),
      outcome: { kind: 'controlled', workerId: 'w-1', what: 'scale' },
      at: NOW + 10,
    });
    t.is(done.notice?.text, 'w-1: size 6');
    const cancelled = reducer(w, {
      type: 'effectDone',
      effect: { id: 9, kind: 'cancel', taskId: 't-run', queue: 'default' },
      outcome: { kind: 'cancelled', taskId: 't-run', previousState: 'running' },
      at: NOW,
    });
    t.is(cancelled.notice?.text, 'cancelled task t-run (was running)');
    const retried = reducer(w, {
      type: 'effectDone',
      effect: { id: 9, kind: 'retry', taskId: 't-failed', queue: 'default' },
      outcome: { kind: 'retried', taskId: 't-failed', state: 'queued' },
      at: NOW,
    });
    t.is(retried.notice?.text, 'task t-failed retried: queued');
  },

  effectFailed(t) {
    const sent = reducer(typed(busyState(), ['dependsOn', 'nope']), { type: 'formSubmit' });
    const failed = reducer(sent, {
      type: 'effectFailed',
      effect: effectOf(sent),
      message: 'dependsOn: task nope does not exist',
      at: NOW + 5,
    });
    t.is(formOf(failed).error, 'dependsOn: task nope does not exist');
    t.false(formOf(failed).submitting, 'the form can be fixed and sent again');
    t.like(failed.notice, { level: 'error', at: NOW + 5 });
    const ctl = reducer(initialState(options()), {
      type: 'effectFailed',
      effect: { id: 3, kind: 'control', workerId: 'w-9', command: { command: 'pause' } },
      message: 'worker w-9 is not registered',
      at: NOW,
    });
    t.is(ctl.notice?.text, 'w-9: pause failed: worker w-9 is not registered');
  },
} satisfies Partial<Record<ActionType, Case>>;
