/** Helpers of the reducer's tests. */
import type { ExecutionContext } from 'ava';
import { reducer } from '../../../src/state/reducer.js';
import type { DashboardState, Effect } from '../../../src/state/types.js';
import { busyState, NOW } from '../../fixtures.js';

/** One action's test. */
export type Case = (t: ExecutionContext) => void;

export const effectOf = (s: DashboardState): Effect => {
  const e = s.outbox.at(-1);
  if (!e) throw new Error('no effect queued');
  return e;
};

export function onWorkers(s: DashboardState): DashboardState {
  return reducer(s, { type: 'switchView', view: 'workers' });
}

export function formOf(s: DashboardState) {
  if (s.overlay?.kind !== 'submit') throw new Error('no submit form open');
  return s.overlay.form;
}

/** Opens the form and types into fields: [field, text, field, text, …]. */
export function typed(s: DashboardState, pairs: string[]): DashboardState {
  let state = reducer(s, { type: 'openSubmit' });
  for (let i = 0; i < pairs.length; i += 2) {
    while (formOf(state).focus !== pairs[i]) state = reducer(state, { type: 'formFocus', delta: 1 });
    state = reducer(state, { type: 'formClear' });
    state = reducer(state, { type: 'formInput', text: pairs[i + 1]! });
  }
  return state;
}

export function submittedState(): DashboardState {
  const sent = reducer(typed(busyState(), ['type', 'echo']), { type: 'formSubmit' });
  return reducer(sent, {
    type: 'effectDone',
    effect: effectOf(sent),
    outcome: {
      kind: 'submitted',
      result: { id: 't-new', queue: 'default', state: 'queued', duplicate: false },
    },
    at: NOW + 20,
  });
}
