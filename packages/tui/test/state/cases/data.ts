/** Reducer cases: what the feed reads, time, size and connection. */
import type { ActionType } from '../../../src/state/actions.js';
import { HISTORY_SECONDS } from '../../../src/state/data.js';
import { initialState, NOTICE_MS, reducer } from '../../../src/state/reducer.js';
import { bannerShown, DATA_LOSS_BANNER_MS, dataLossShown } from '../../../src/state/selectors.js';
import { busyState, detail, NOW, options, point, stateAfter, summary, task, worker } from '../../fixtures.js';
import { type Case, onWorkers, submittedState } from './helpers.js';

export const dataCases = {
  batch(t) {
    const s = reducer(initialState(options()), {
      type: 'batch',
      actions: [
        { type: 'tick', now: NOW + 1000 },
        { type: 'switchView', view: 'tasks' },
      ],
    });
    t.is(s.now, NOW + 1000);
    t.is(s.view, 'tasks');
  },

  tick(t) {
    t.is(stateAfter([{ type: 'tick', now: NOW + 1234 }]).now, NOW + 1234);
    const noticed = reducer(initialState(options()), { type: 'scaleBy', delta: 1 });
    t.truthy(noticed.notice);
    t.truthy(reducer(noticed, { type: 'tick', now: NOW + NOTICE_MS - 1 }).notice, 'a notice stays a while');
    t.is(reducer(noticed, { type: 'tick', now: NOW + NOTICE_MS }).notice, null, 'then it fades');
  },

  resized(t) {
    const s0 = initialState(options());
    const s = reducer(s0, { type: 'resized', columns: 80, rows: 24 });
    t.deepEqual(s.size, { columns: 80, rows: 24 });
    t.is(reducer(s, { type: 'resized', columns: 80, rows: 24 }), s, 'same size, same state');
  },

  connectionLost(t) {
    const up = stateAfter([{ type: 'connectionUp', at: NOW }]);
    const lost = reducer(up, {
      type: 'connectionLost',
      error: 'connect ECONNREFUSED 127.0.0.1:6390',
      at: NOW + 1000,
    });
    t.like(lost.connection, {
      status: 'lost',
      since: NOW + 1000,
      error: 'connection refused',
      attempts: 1,
    });
    // Regression (issue 17, point 7): a read that gave up replaced the cause with ioredis's
    // "Reached the max retries per request limit (which is 1). Refer to …".
    const gaveUp = reducer(lost, {
      type: 'connectionLost',
      error:
        'Reached the max retries per request limit (which is 1). Refer to "maxRetriesPerRequest" option for details.',
      at: NOW + 2000,
    });
    t.like(gaveUp.connection, { error: 'connection refused', attempts: 2 });
    const again = reducer(gaveUp, { type: 'connectionLost', error: 'still down', at: NOW + 3000 });
    t.like(again.connection, { status: 'lost', since: NOW + 1000, error: 'still down', attempts: 3 });
    const first = reducer(up, {
      type: 'connectionLost',
      error: 'Reached the max retries per request limit (which is 1). Refer to …',
      at: NOW + 1000,
    });
    t.is(first.connection.error, 'no answer', 'nothing known yet: no answer, not the ioredis option');
  },

  connectionUp(t) {
    const first = stateAfter([{ type: 'connectionUp', at: NOW }]);
    t.like(first.connection, { status: 'up', error: null });
    t.is(first.notice, null, 'first connect is not news');
    const lost = reducer(first, { type: 'connectionLost', error: 'x', at: NOW + 1 });
    const back = reducer(lost, { type: 'connectionUp', at: NOW + 5000 });
    t.like(back.connection, { status: 'up', attempts: 0, since: NOW + 5000 });
    t.is(back.notice?.text, 'Redis is back');
    t.is(reducer(back, { type: 'connectionUp', at: NOW + 6000 }), back);
  },

  dataLossSeen(t) {
    const up = stateAfter([{ type: 'connectionUp', at: NOW }]);
    t.false(bannerShown(up));
    const lost = reducer(up, { type: 'dataLossSeen', at: NOW - 1000, losses: 1 });
    t.deepEqual(lost.dataLoss, { at: NOW - 1000, losses: 1 });
    t.true(dataLossShown(lost) && bannerShown(lost), 'the banner line shows while Redis answers');
    t.is(
      reducer(lost, { type: 'dataLossSeen', at: NOW - 1000, losses: 1 }),
      lost,
      'the same loss read again',
    );
    const down = reducer(lost, { type: 'connectionLost', error: 'x', at: NOW + 1 });
    t.false(dataLossShown(down), 'the connection banner takes the line while Redis is lost');
    const dayLater = reducer(lost, { type: 'tick', now: NOW - 1000 + DATA_LOSS_BANNER_MS });
    t.false(dataLossShown(dayLater), 'a day later it is gone');
  },

  queuesLoaded(t) {
    const s = stateAfter([{ type: 'queuesLoaded', queues: ['emails', 'reports'] }]);
    t.deepEqual(s.queues, ['default', 'emails', 'reports'], 'the shown queue stays listed');
    t.is(reducer(s, { type: 'queuesLoaded', queues: ['reports', 'emails'] }), s);
  },

  summaryLoaded(t) {
    const s = stateAfter([
      { type: 'summaryLoaded', summary: summary({ queued: 2 }), at: NOW },
      { type: 'summaryLoaded', summary: summary({ queued: 5 }), at: NOW + 400 },
      { type: 'summaryLoaded', summary: summary({ queued: 7 }), at: NOW + 1000 },
      { type: 'summaryLoaded', summary: summary({ queued: 99 }, 'other'), at: NOW + 2000 },
    ]);
    t.is(s.summary?.counts.queued, 7, "another queue's summary is ignored");
    t.deepEqual(
      s.depth.map((d) => [d.t - Math.floor(NOW / 1000) * 1000, d.counts.queued]),
      [
        [0, 5],
        [1000, 7],
      ],
      'one depth sample a second, the last read of the second wins',
    );
    const long = Array.from({ length: HISTORY_SECONDS + 20 }, (_, i) => ({
      type: 'summaryLoaded' as const,
      summary: summary({ queued: i }),
      at: NOW + i * 1000,
    }));
    t.true(stateAfter(long).depth.length <= HISTORY_SECONDS);
  },

  leaderLoaded(t) {
    const s = stateAfter([{ type: 'leaderLoaded', leader: 'coord-1' }]);
    t.is(s.leader, 'coord-1');
    t.is(reducer(s, { type: 'leaderLoaded', leader: 'coord-1' }), s);
  },

  workersLoaded(t) {
    const s = stateAfter([{ type: 'workersLoaded', workers: [worker('a'), worker('b')] }]);
    t.is(s.selectedWorker, 'a', 'the first worker is selected');
    const moved = reducer(onWorkers(s), { type: 'moveSelection', delta: 1 });
    const again = reducer(moved, { type: 'workersLoaded', workers: [worker('c'), worker('b')] });
    t.is(again.selectedWorker, 'b', 'the selection follows the worker, not the row');
    const gone = reducer(again, { type: 'workersLoaded', workers: [worker('c')] });
    t.is(gone.selectedWorker, 'c');
    t.is(reducer(gone, { type: 'workersLoaded', workers: [worker('c')] }), gone, 'unchanged: same state');
  },

  seriesLoaded(t) {
    const t0 = Math.floor(NOW / 1000) * 1000;
    const s = stateAfter([
      {
        type: 'seriesLoaded',
        source: 'counters',
        points: [point(t0 - 1000, { succeeded: 1 }), point(t0, { succeeded: 2 })],
      },
      {
        type: 'seriesLoaded',
        source: 'counters',
        points: [point(t0, { succeeded: 3 }), point(t0 + 1000, { succeeded: 4 })],
      },
    ]);
    t.deepEqual(
      s.series.map((p) => p.succeeded),
      [1, 3, 4],
      'merged by second, the newer read wins',
    );
    const coord = reducer(s, {
      type: 'seriesLoaded',
      source: 'coordinator',
      points: [point(t0 + 1000, { succeeded: 9 })],
    });
    t.is(coord.seriesSource, 'coordinator');
    t.deepEqual(
      coord.series.map((p) => p.succeeded),
      [9],
      'another source starts afresh',
    );
    const many = Array.from({ length: HISTORY_SECONDS + 30 }, (_, i) => point(t0 + i * 1000));
    t.is(
      reducer(s, { type: 'seriesLoaded', source: 'counters', points: many }).series.length,
      HISTORY_SECONDS,
    );
  },

  tasksLoaded(t) {
    const s = busyState();
    t.is(s.selectedTask, 't-run', 'the first task is selected');
    const stale = reducer(s, { type: 'tasksLoaded', key: 'default|failed|*', tasks: [task('x')] });
    t.is(stale, s, 'a list read under another filter is dropped');
    const moved = reducer(reducer(s, { type: 'switchView', view: 'tasks' }), {
      type: 'moveSelection',
      delta: 1,
    });
    const refreshed = reducer(moved, {
      type: 'tasksLoaded',
      key: 'default|*|*',
      tasks: [task('t-new'), task('t-run'), task('t-failed')],
    });
    const chosen = moved.selectedTask!;
    t.not(chosen, 't-run');
    t.is(
      refreshed.selectedTask,
      chosen,
      'the selected task left the rows read: the selection stays on it, not on the task now in its row',
    );
    const opened = reducer(refreshed, { type: 'openDetail' });
    t.is(opened.detail?.id, chosen, 'Enter opens the task the operator chose');
  },

  detailLoaded(t) {
    const s = reducer(reducer(busyState(), { type: 'switchView', view: 'tasks' }), { type: 'openDetail' });
    const d = detail(task('t-run', { state: 'running' }));
    t.is(reducer(s, { type: 'detailLoaded', id: 't-run', detail: d }).detail?.data, d);
    t.is(
      reducer(s, { type: 'detailLoaded', id: 'other', detail: d }),
      s,
      'a late answer for another task is dropped',
    );
  },

  detailFailed(t) {
    const s = reducer(reducer(busyState(), { type: 'switchView', view: 'tasks' }), { type: 'openDetail' });
    t.is(
      reducer(s, { type: 'detailFailed', id: 't-run', error: 'task t-run not found' }).detail?.error,
      'task t-run not found',
    );
    t.is(reducer(s, { type: 'detailFailed', id: 'x', error: 'nope' }), s);
  },

  followLoaded(t) {
    const submitted = submittedState();
    const s = reducer(submitted, {
      type: 'followLoaded',
      task: task('t-new', { state: 'running', progress: 30 }),
    });
    t.is(s.follow?.task?.progress, 30);
    t.is(reducer(s, { type: 'followLoaded', task: task('other') }), s);
  },

  schedulesLoaded(t) {
    const s = reducer(busyState(), { type: 'switchView', view: 'schedules' });
    const schedules = [
      {
        id: 'nightly',
        cron: '0 3 * * *',
        tz: 'Europe/Berlin',
        next: 2_000_000,
        last: 1_000_000,
        paused: false,
        fired: 4,
        template: { type: 'report' },
        missed: 'once',
        overlap: 'allow',
        jitterMs: 0,
        origin: 'cli',
        lastOutcome: 'fired',
        lastTask: { id: 't1', queue: 'default', state: 'succeeded' as const },
        createdAt: 1,
        updatedAt: 1,
      },
    ];
    const loaded = reducer(s, { type: 'schedulesLoaded', schedules });
    t.is(loaded.schedules, schedules);
    t.is(
      reducer(loaded, { type: 'schedulesLoaded', schedules: structuredClone(schedules) }),
      loaded,
      'the same schedules read again change nothing (no new frame)',
    );
  },
} satisfies Partial<Record<ActionType, Case>>;
