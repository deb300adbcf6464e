/**
 * The console's reducer: (state, action) → state, pure. Time comes in
 * actions; side effects go out through the outbox (see operator.ts).
 */
import type { Action } from './actions.js';
import { plainConnectionError } from './connection-error.js';
import { mergeSeries, onMove, onSummary, onTasks, onWorkers } from './data.js';
import {
  backspace,
  clearField,
  editForm,
  focusForm,
  onFilterApply,
  onFilterCycle,
  onFilterFocus,
  onFilterReset,
  onFormCycle,
  onFormSubmit,
  onOpenFilter,
  onOpenSubmit,
  typeInto,
} from './forms.js';
import {
  notice,
  onBound,
  onBulk,
  onCancel,
  onEffectDone,
  onEffectFailed,
  onPauseResume,
  onRetry,
  onScale,
  onSteal,
  withEffect,
} from './operator.js';
import { listedTasks } from './selectors.js';
import { type DashboardState, type Freshness, VIEWS } from './types.js';

/** How long a notice stays, ms. */
export const NOTICE_MS = 6000;

/** What the console starts from. */
export interface InitialOptions {
  now: number;
  columns: number;
  rows: number;
  queue: string;
  redisLabel: string;
  freshness: Freshness;
}

export function initialState(o: InitialOptions): DashboardState {
  return {
    now: o.now,
    size: { columns: o.columns, rows: o.rows },
    view: 'overview',
    overlay: null,
    connection: { status: 'connecting', since: o.now, error: null, attempts: 0 },
    dataLoss: null,
    redisLabel: o.redisLabel,
    freshness: o.freshness,
    queue: o.queue,
    queues: [o.queue],
    summary: null,
    leader: null,
    workers: [],
    selectedWorker: null,
    series: [],
    seriesSource: 'counters',
    depth: [],
    tasks: [],
    schedules: [],
    tasksKey: '',
    filter: { state: null, priority: null },
    selectedTask: null,
    taskScroll: 0,
    detail: null,
    follow: null,
    outbox: [],
    bulk: null,
    nextEffectId: 1,
    notice: null,
    quit: false,
  };
}

export function reducer(state: DashboardState, action: Action): DashboardState {
  switch (action.type) {
    case 'batch':
      return action.actions.reduce(reducer, state);
    case 'tick': {
      const expired = state.notice !== null && action.now - state.notice.at >= NOTICE_MS;
      return { ...state, now: action.now, notice: expired ? null : state.notice };
    }
    case 'resized':
      if (action.columns === state.size.columns && action.rows === state.size.rows) return state;
      return { ...state, size: { columns: action.columns, rows: action.rows } };
    case 'connectionLost': {
      const c = state.connection;
      const since = c.status === 'lost' ? c.since : action.at;
      return {
        ...state,
        connection: {
          status: 'lost',
          since,
          error: plainConnectionError(action.error, c.error),
          attempts: c.attempts + 1,
        },
      };
    }
    case 'connectionUp': {
      if (state.connection.status === 'up') return state;
      const up = {
        ...state,
        connection: { status: 'up' as const, since: action.at, error: null, attempts: 0 },
      };
      return state.connection.status === 'lost' ? notice({ ...up, now: action.at }, 'Redis is back') : up;
    }
    case 'dataLossSeen':
      if (state.dataLoss?.at === action.at && state.dataLoss.losses === action.losses) return state;
      return { ...state, dataLoss: { at: action.at, losses: action.losses } };
    case 'queuesLoaded': {
      const queues = [...new Set([...action.queues, state.queue])].sort();
      return queues.join() === state.queues.join() ? state : { ...state, queues };
    }
    case 'summaryLoaded':
      return onSummary(state, action.summary, action.at);
    case 'leaderLoaded':
      return action.leader === state.leader ? state : { ...state, leader: action.leader };
    case 'workersLoaded':
      return onWorkers(state, action.workers);
    case 'seriesLoaded':
      return {
        ...state,
        series: mergeSeries(state.series, action.points, state.seriesSource, action.source),
        seriesSource: action.source,
      };
    case 'tasksLoaded':
      return onTasks(state, action.key, action.tasks);
    case 'detailLoaded':
      if (state.detail?.id !== action.id) return state;
      return { ...state, detail: { ...state.detail, data: action.detail, error: null } };
    case 'detailFailed':
      if (state.detail?.id !== action.id) return state;
      return { ...state, detail: { ...state.detail, error: action.error } };
    case 'followLoaded':
      if (state.follow?.id !== action.task.id) return state;
      return { ...state, follow: { ...state.follow, task: action.task } };

    case 'schedulesLoaded':
      return JSON.stringify(state.schedules) === JSON.stringify(action.schedules)
        ? state
        : { ...state, schedules: action.schedules };
    case 'switchView':
      return { ...state, view: action.view };
    case 'cycleView': {
      const i = VIEWS.indexOf(state.view);
      return { ...state, view: VIEWS[(i + action.delta + VIEWS.length) % VIEWS.length]! };
    }
    case 'moveSelection':
      return onMove(state, action.delta);
    case 'openDetail': {
      if (state.view !== 'tasks' || state.selectedTask === null) return state;
      // The selected task may have left the rows read (see onTasks): it is still in this queue.
      const t = listedTasks(state).find((x) => x.id === state.selectedTask);
      const queue = t?.queue ?? state.queue;
      return { ...state, detail: { id: state.selectedTask, queue, data: null, error: null } };
    }
    case 'closeOverlay':
      if (state.overlay !== null) return { ...state, overlay: null };
      return state.detail !== null ? { ...state, detail: null } : state;
    case 'openHelp':
      return { ...state, overlay: { kind: 'help' } };
    case 'quit':
      return { ...state, quit: true };

    case 'openSubmit':
      return onOpenSubmit(state);
    case 'formFocus':
      return editForm(state, (f) => focusForm(f, action.delta));
    case 'formInput':
      return editForm(state, (f) => typeInto(f, action.text));
    case 'formBackspace':
      return editForm(state, backspace);
    case 'formClear':
      return editForm(state, clearField);
    case 'formCycle':
      return onFormCycle(state, action.delta);
    case 'formSubmit':
      return onFormSubmit(state);

    case 'openFilter':
      return onOpenFilter(state);
    case 'filterFocus':
      return onFilterFocus(state, action.delta);
    case 'filterCycle':
      return onFilterCycle(state, action.delta);
    case 'filterReset':
      return onFilterReset(state);
    case 'filterApply':
      return onFilterApply(state);

    case 'requestCancel':
      return onCancel(state);
    case 'requestRetry':
      return onRetry(state);
    case 'requestPauseResume':
      return onPauseResume(state);
    case 'scaleBy':
      return onScale(state, action.delta);
    case 'boundBy':
      return onBound(state, action.bound, action.delta);
    case 'toggleSteal':
      return onSteal(state);
    case 'requestBulk':
      return onBulk(state, action.action);
    case 'bulkProgress':
      return state.bulk === null
        ? state
        : {
            ...state,
            bulk: { ...state.bulk, matched: action.matched, done: action.done, scanned: action.scanned },
          };
    case 'confirmYes': {
      if (state.overlay?.kind !== 'confirm') return state;
      const effect = state.overlay.confirm.effect;
      const bulk =
        effect.kind === 'bulk'
          ? { action: effect.action, state: effect.state, matched: 0, done: 0, scanned: 0 }
          : state.bulk;
      return withEffect({ ...state, overlay: null, bulk }, effect);
    }
    case 'confirmNo':
      return state.overlay?.kind === 'confirm' ? { ...state, overlay: null } : state;

    case 'effectsTaken': {
      const taken = new Set(action.ids);
      return { ...state, outbox: state.outbox.filter((e) => !taken.has(e.id)) };
    }
    case 'effectDone':
      return onEffectDone({ ...state, now: Math.max(state.now, action.at) }, action.effect, action.outcome);
    case 'effectFailed':
      return onEffectFailed({ ...state, now: Math.max(state.now, action.at) }, action.effect, action.message);
  }
}
