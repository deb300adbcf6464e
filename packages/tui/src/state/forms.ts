/**
 * Reducer cases for the two forms: the submit form (n) and the task filter (/).
 */
import { TASK_STATES, type TaskState } from '@dtps/core';
import { notice, withEffect } from './operator.js';
import { handlerTypes } from './selectors.js';
import { cycleField, emptyForm, specOf } from './submit-form.js';
import {
  type DashboardState,
  FILTER_FIELDS,
  type Overlay,
  SUBMIT_FIELDS,
  type SubmitForm,
  type TaskFilter,
} from './types.js';

type FilterOverlay = Extract<Overlay, { kind: 'filter' }>;

function step<T>(list: readonly T[], current: T, delta: number): T {
  const i = list.indexOf(current);
  return list[((((i === -1 ? 0 : i) + delta) % list.length) + list.length) % list.length]!;
}

export function onOpenSubmit(state: DashboardState): DashboardState {
  return { ...state, overlay: { kind: 'submit', form: emptyForm(handlerTypes(state)) } };
}

/** Applies `change` to the open submit form while it can still be edited. */
export function editForm(state: DashboardState, change: (form: SubmitForm) => SubmitForm): DashboardState {
  const o = state.overlay;
  if (o?.kind !== 'submit' || o.form.submitting || o.form.submittedId !== null) return state;
  return { ...state, overlay: { kind: 'submit', form: change(o.form) } };
}

/** Typed text goes into the focused field (control characters and line breaks are dropped). */
export function typeInto(form: SubmitForm, text: string): SubmitForm {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: dropping control characters is the point.
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '');
  if (clean === '') return form;
  return { ...form, error: null, values: { ...form.values, [form.focus]: form.values[form.focus] + clean } };
}

export function backspace(form: SubmitForm): SubmitForm {
  const v = form.values[form.focus];
  return { ...form, error: null, values: { ...form.values, [form.focus]: [...v].slice(0, -1).join('') } };
}

export function clearField(form: SubmitForm): SubmitForm {
  return { ...form, error: null, values: { ...form.values, [form.focus]: '' } };
}

export function focusForm(form: SubmitForm, delta: 1 | -1): SubmitForm {
  return { ...form, focus: step(SUBMIT_FIELDS, form.focus, delta) };
}

export function onFormCycle(state: DashboardState, delta: 1 | -1): DashboardState {
  return editForm(state, (form) => cycleField(form, handlerTypes(state), delta));
}

export function onFormSubmit(state: DashboardState): DashboardState {
  const o = state.overlay;
  if (o?.kind !== 'submit' || o.form.submitting || o.form.submittedId !== null) return state;
  const spec = specOf(o.form, state.queue, state.now);
  if (spec === null) {
    const form = { ...o.form, error: 'fix the fields marked in red first' };
    return { ...state, overlay: { kind: 'submit', form } };
  }
  const sent = {
    ...state,
    overlay: { kind: 'submit', form: { ...o.form, submitting: true, error: null } },
  } as const;
  return withEffect(sent, { kind: 'submit', spec });
}

export function onOpenFilter(state: DashboardState): DashboardState {
  const draft = { ...state.filter, queue: state.queue };
  return { ...state, view: 'tasks', detail: null, overlay: { kind: 'filter', focus: 'state', draft } };
}

function editFilter(state: DashboardState, change: (o: FilterOverlay) => FilterOverlay): DashboardState {
  return state.overlay?.kind === 'filter' ? { ...state, overlay: change(state.overlay) } : state;
}

export function onFilterFocus(state: DashboardState, delta: 1 | -1): DashboardState {
  return editFilter(state, (o) => ({ ...o, focus: step(FILTER_FIELDS, o.focus, delta) }));
}

const STATE_CHOICES: (TaskState | null)[] = [null, ...TASK_STATES];
const PRIORITY_CHOICES: (number | null)[] = [null, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1];

export function onFilterCycle(state: DashboardState, delta: 1 | -1): DashboardState {
  return editFilter(state, (o) => {
    const d = o.draft;
    switch (o.focus) {
      case 'state':
        return { ...o, draft: { ...d, state: step(STATE_CHOICES, d.state, delta) } };
      case 'priority':
        return { ...o, draft: { ...d, priority: step(PRIORITY_CHOICES, d.priority, delta) } };
      case 'queue': {
        const queues = state.queues.includes(d.queue) ? state.queues : [d.queue, ...state.queues];
        return { ...o, draft: { ...d, queue: step(queues, d.queue, delta) } };
      }
    }
  });
}

export function onFilterReset(state: DashboardState): DashboardState {
  return editFilter(state, (o) => ({ ...o, draft: { ...o.draft, state: null, priority: null } }));
}

export function onFilterApply(state: DashboardState): DashboardState {
  if (state.overlay?.kind !== 'filter') return state;
  const { queue, ...rest } = state.overlay.draft;
  const filter: TaskFilter = { state: rest.state, priority: rest.priority };
  const next: DashboardState = {
    ...state,
    overlay: null,
    filter,
    selectedTask: null,
    taskScroll: 0,
    detail: null,
  };
  if (queue === state.queue) return next;
  // Another queue: its history starts afresh.
  return notice(
    { ...next, queue, summary: null, flow: null, series: [], depth: [], tasks: [], tasksKey: '' },
    `showing queue ${queue}`,
  );
}
