/**
 * Reducer cases for the operator's commands: they never call anything, they
 * put an effect in the outbox (or a question first, for the destructive ones)
 * and show the expected change at once; the next heartbeat confirms it.
 */
import { type ControlCommand, isTerminal, type WorkerView } from '@dtps/core';
import type { EffectOutcome } from './actions.js';
import { selectedWorker, targetTask } from './selectors.js';
import type { BulkKey, DashboardState, Effect, EffectRequest } from './types.js';

/** The state with an effect queued. */
export function withEffect(state: DashboardState, request: EffectRequest): DashboardState {
  return {
    ...state,
    outbox: [...state.outbox, { ...request, id: state.nextEffectId }],
    nextEffectId: state.nextEffectId + 1,
  };
}

export function notice(
  state: DashboardState,
  text: string,
  level: 'info' | 'error' = 'info',
): DashboardState {
  return { ...state, notice: { text, level, at: state.now } };
}

function ask(state: DashboardState, prompt: string, effect: EffectRequest): DashboardState {
  return { ...state, overlay: { kind: 'confirm', confirm: { prompt, effect } } };
}

/** The worker row changed as a command will change it, until the heartbeat says so itself. */
function patchWorker(state: DashboardState, id: string, patch: Partial<WorkerView>): DashboardState {
  return { ...state, workers: state.workers.map((w) => (w.id === id ? { ...w, ...patch } : w)) };
}

function control(
  state: DashboardState,
  w: WorkerView,
  command: ControlCommand,
  patch: Partial<WorkerView>,
): DashboardState {
  return withEffect(patchWorker(state, w.id, patch), { kind: 'control', workerId: w.id, command });
}

export function onCancel(state: DashboardState): DashboardState {
  const t = targetTask(state);
  if (!t) return notice(state, 'select a task first (Tasks view)', 'error');
  if (t.state !== null && isTerminal(t.state))
    return notice(state, `task ${t.id} has already ended (${t.state})`, 'error');
  return ask(state, `Cancel task ${t.id}${t.state ? ` (${t.state})` : ''} and its pending dependents?`, {
    kind: 'cancel',
    taskId: t.id,
    queue: t.queue,
  });
}

export function onRetry(state: DashboardState): DashboardState {
  const t = targetTask(state);
  if (!t) return notice(state, 'select a task first (Tasks view)', 'error');
  if (t.state === null || !isTerminal(t.state))
    return notice(state, `task ${t.id} has not ended; only an ended task can be retried`, 'error');
  return ask(state, `Retry task ${t.id} (${t.state}) as a new attempt series?`, {
    kind: 'retry',
    taskId: t.id,
    queue: t.queue,
  });
}

const BULK_VERB: Record<BulkKey, string> = { retry: 'Retry', cancel: 'Cancel', delete: 'Delete' };

/**
 * R, C, D in the Tasks view: the action on every task the filter chooses
 * (its queue, state and priority), after a question that says how many the
 * queue holds in that state. A state must be chosen (/), and one the action
 * takes: retry an ended state, cancel one that has not ended.
 */
export function onBulk(state: DashboardState, action: BulkKey): DashboardState {
  if (state.view !== 'tasks') return state;
  if (state.bulk !== null) return notice(state, `a bulk ${state.bulk.action} is still running`, 'error');
  const s = state.filter.state;
  if (s === null)
    return notice(state, 'choose a state with / first: the bulk action takes what the filter shows', 'error');
  if (action === 'retry' && !isTerminal(s))
    return notice(state, `${s} tasks have not ended: only ended tasks can be retried`, 'error');
  if (action === 'cancel' && isTerminal(s)) return notice(state, `${s} tasks have already ended`, 'error');
  const p = state.filter.priority;
  const n = state.summary?.name === state.queue ? state.summary.counts[s] : undefined;
  const how = n === undefined || p !== null ? 'every' : `all ${n}`;
  const prompt = `${BULK_VERB[action]} ${how} ${s} tasks${p === null ? '' : ` of priority ${p}`} of queue ${state.queue}?`;
  return ask(state, prompt, { kind: 'bulk', action, queue: state.queue, state: s, priority: p });
}

export function onPauseResume(state: DashboardState): DashboardState {
  const w = selectedWorker(state);
  if (!w) return notice(state, 'no worker selected', 'error');
  if (w.paused || w.draining)
    return control(state, w, { command: 'resume' }, { paused: false, draining: false });
  return ask(state, `Pause worker ${w.id}? It stops taking tasks and hands back its window.`, {
    kind: 'control',
    workerId: w.id,
    command: { command: 'pause' },
  });
}

export function onScale(state: DashboardState, delta: 1 | -1): DashboardState {
  const w = selectedWorker(state);
  if (!w) return notice(state, 'no worker selected', 'error');
  const size = w.poolSize + delta;
  if (size < 0) return notice(state, `worker ${w.id} has no slots left to remove`, 'error');
  if (size > 10_000) return notice(state, 'a pool has at most 10000 slots', 'error');
  // Past a bound, the bound moves with the size: the operator asked for that size.
  const command: ControlCommand = {
    command: 'scale',
    size,
    ...(size > w.max ? { max: size } : {}),
    ...(size < w.min ? { min: size } : {}),
  };
  return control(state, w, command, {
    poolSize: size,
    max: Math.max(w.max, size),
    min: Math.min(w.min, size),
  });
}

export function onBound(state: DashboardState, bound: 'min' | 'max', delta: 1 | -1): DashboardState {
  const w = selectedWorker(state);
  if (!w) return notice(state, 'no worker selected', 'error');
  const value = w[bound] + delta;
  if (bound === 'min' && (value < 0 || value > w.max))
    return notice(state, `min must stay between 0 and max (${w.max})`, 'error');
  if (bound === 'max' && (value < Math.max(1, w.min) || value > 10_000))
    return notice(state, `max must stay between ${Math.max(1, w.min)} and 10000`, 'error');
  const size = Math.min(
    Math.max(w.poolSize, bound === 'min' ? value : w.min),
    bound === 'max' ? value : w.max,
  );
  return control(state, w, { command: 'scale', [bound]: value }, { [bound]: value, poolSize: size });
}

export function onSteal(state: DashboardState): DashboardState {
  const w = selectedWorker(state);
  if (!w) return notice(state, 'no worker selected', 'error');
  return control(state, w, { command: 'steal', on: !w.steal }, { steal: !w.steal });
}

/** A short description of a control command for notices. */
function describe(command: ControlCommand): string {
  switch (command.command) {
    case 'scale':
      return (['size', 'min', 'max'] as const)
        .filter((k) => command[k] !== undefined)
        .map((k) => `${k} ${command[k]}`)
        .join(', ');
    case 'steal':
      return `stealing ${command.on ? 'on' : 'off'}`;
    default:
      return command.command;
  }
}

export function onEffectDone(state: DashboardState, effect: Effect, outcome: EffectOutcome): DashboardState {
  switch (outcome.kind) {
    case 'submitted': {
      const { id, queue } = outcome.result;
      const overlay =
        state.overlay?.kind === 'submit'
          ? {
              ...state.overlay,
              form: { ...state.overlay.form, submitting: false, submittedId: id, error: null },
            }
          : state.overlay;
      return notice({ ...state, overlay, follow: { id, queue, task: null } }, `submitted task ${id}`);
    }
    case 'cancelled':
      return notice(state, `cancelled task ${outcome.taskId} (was ${outcome.previousState})`);
    case 'retried':
      return notice(state, `task ${outcome.taskId} retried: ${outcome.state}`);
    case 'bulkDone': {
      const refused = outcome.matched - outcome.done;
      const why = refused > 0 ? ` (${refused} refused: deadline passed or a dependency did not succeed)` : '';
      return notice(
        { ...state, bulk: null },
        `bulk ${outcome.action}: ${outcome.done} of ${outcome.matched} matching tasks done${why}`,
      );
    }
    case 'limitChanged': {
      const l = outcome.result.limit;
      const which = l.key === null ? l.scope : `${l.scope} ${l.key}`;
      if (outcome.cleared)
        return notice(
          state,
          `limit ${which} of ${outcome.result.queue} cleared (${outcome.result.released} released)`,
        );
      const rate = l.rate ? `rate ${l.rate.n}/${l.rate.perMs}ms` : 'no rate';
      const cap = l.concurrency === null ? 'no cap' : `concurrency ${l.concurrency}`;
      return notice(state, `limit ${which} of ${outcome.result.queue} set: ${rate}, ${cap}`);
    }
    case 'queueChanged': {
      const flow =
        state.flow?.queue === outcome.queue ? { ...state.flow, paused: outcome.paused } : state.flow;
      const what = outcome.paused ? 'paused' : 'resumed';
      return notice(
        { ...state, flow },
        `queue ${outcome.queue} ${outcome.changed ? what : `was already ${what}`}`,
      );
    }
    case 'controlled':
      return notice(
        state,
        `${outcome.workerId}: ${effect.kind === 'control' ? describe(effect.command) : outcome.what}`,
      );
  }
}

export function onEffectFailed(state: DashboardState, effect: Effect, message: string): DashboardState {
  if (effect.kind === 'submit' && state.overlay?.kind === 'submit') {
    const form = { ...state.overlay.form, submitting: false, error: message };
    return notice({ ...state, overlay: { ...state.overlay, form } }, `submit refused: ${message}`, 'error');
  }
  const what =
    effect.kind === 'control'
      ? `${effect.workerId}: ${describe(effect.command)}`
      : effect.kind === 'submit'
        ? `submit ${effect.spec.type}`
        : effect.kind === 'bulk'
          ? `bulk ${effect.action} of ${effect.state} tasks`
          : effect.kind === 'setLimit' || effect.kind === 'clearLimit'
            ? `limit of ${effect.queue}`
            : effect.kind === 'queuePause'
              ? `${effect.pause ? 'pause' : 'resume'} of ${effect.queue}`
              : `${effect.kind} ${effect.taskId}`;
  return notice(
    effect.kind === 'bulk' ? { ...state, bulk: null } : state,
    `${what} failed: ${message}`,
    'error',
  );
}
