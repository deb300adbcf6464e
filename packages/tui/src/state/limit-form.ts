/**
 * Reducer cases for flow control in the console: the limit form (L) that
 * sets or clears one limit of the queue on screen, and the queue's pause and
 * resume (P). The form is checked with the core's own checks, so it refuses
 * what `dtps queue limit` refuses, naming the same field, before anything is
 * sent.
 */
import { checkLimitSettings, LIMIT_SCOPES, type LimitSettings, scopeId } from '@dtps/core';
import { notice, withEffect } from './operator.js';
import {
  type DashboardState,
  type EffectRequest,
  LIMIT_FIELDS,
  type LimitForm,
  type LimitTextField,
} from './types.js';

function step<T>(list: readonly T[], current: T, delta: number): T {
  const i = list.indexOf(current);
  return list[((((i === -1 ? 0 : i) + delta) % list.length) + list.length) % list.length]!;
}

export function emptyLimitForm(): LimitForm {
  return {
    focus: 'action',
    action: 'set',
    scope: 'queue',
    values: { key: '', rate: '', per: '1000', concurrency: '' },
    error: null,
  };
}

export function onOpenLimit(state: DashboardState): DashboardState {
  return { ...state, overlay: { kind: 'limit', form: emptyLimitForm() } };
}

function editLimit(state: DashboardState, change: (f: LimitForm) => LimitForm): DashboardState {
  const o = state.overlay;
  return o?.kind === 'limit' ? { ...state, overlay: { kind: 'limit', form: change(o.form) } } : state;
}

const isText = (f: LimitForm['focus']): f is LimitTextField => f !== 'action' && f !== 'scope';

export function onLimitFocus(state: DashboardState, delta: 1 | -1): DashboardState {
  return editLimit(state, (f) => ({ ...f, focus: step(LIMIT_FIELDS, f.focus, delta) }));
}

export function onLimitCycle(state: DashboardState, delta: 1 | -1): DashboardState {
  return editLimit(state, (f) => {
    if (f.focus === 'action') return { ...f, error: null, action: f.action === 'set' ? 'clear' : 'set' };
    if (f.focus === 'scope') return { ...f, error: null, scope: step(LIMIT_SCOPES, f.scope, delta) };
    return f;
  });
}

export function onLimitInput(state: DashboardState, text: string): DashboardState {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: dropping control characters is the point.
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '');
  return editLimit(state, (f) => {
    if (!isText(f.focus) || clean === '') return f;
    return { ...f, error: null, values: { ...f.values, [f.focus]: f.values[f.focus] + clean } };
  });
}

export function onLimitBackspace(state: DashboardState): DashboardState {
  return editLimit(state, (f) => {
    if (!isText(f.focus)) return f;
    return {
      ...f,
      error: null,
      values: { ...f.values, [f.focus]: [...f.values[f.focus]].slice(0, -1).join('') },
    };
  });
}

/** A number field: empty is "not given"; anything else is sent as typed (the core checks it). */
function numberOf(text: string): number | undefined {
  const t = text.trim();
  return t === '' ? undefined : Number(t);
}

/** The effect the form asks for, or throws the core's ValidationError naming the field. */
export function limitEffect(form: LimitForm, queue: string): EffectRequest {
  const key = form.values.key.trim();
  const target = { scope: form.scope, key: form.scope === 'type' || form.scope === 'group' ? key : null };
  if (form.action === 'clear') {
    scopeId(target);
    return { kind: 'clearLimit', queue, target };
  }
  const settings: LimitSettings = { ...target };
  const n = numberOf(form.values.rate);
  if (n !== undefined) settings.rate = { n, perMs: numberOf(form.values.per) ?? Number.NaN };
  const concurrency = numberOf(form.values.concurrency);
  if (concurrency !== undefined) settings.concurrency = concurrency;
  checkLimitSettings(settings);
  return { kind: 'setLimit', queue, settings };
}

export function onLimitSubmit(state: DashboardState): DashboardState {
  const o = state.overlay;
  if (o?.kind !== 'limit') return state;
  try {
    return withEffect({ ...state, overlay: null }, limitEffect(o.form, state.queue));
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    return { ...state, overlay: { kind: 'limit', form: { ...o.form, error } } };
  }
}

/** P: pause the queue on screen (asks first: nothing of it starts anywhere), or resume it. */
export function onQueuePause(state: DashboardState): DashboardState {
  if (state.flow?.queue !== state.queue) return notice(state, 'the queue state is not read yet', 'error');
  if (state.flow.paused) return withEffect(state, { kind: 'queuePause', queue: state.queue, pause: false });
  return {
    ...state,
    overlay: {
      kind: 'confirm',
      confirm: {
        prompt: `Pause queue ${state.queue}? No task of it starts on any worker until it is resumed.`,
        effect: { kind: 'queuePause', queue: state.queue, pause: true },
      },
    },
  };
}
