/**
 * The submit form's rules, as pure functions: what each field accepts (checked
 * as it is typed), how ←/→ cycle a field, and the task spec a valid form makes.
 */
import { TASK_ID_PATTERN, type TaskSpec } from '@dtps/core';
import { SUBMIT_FIELDS, type SubmitField, type SubmitForm } from './types.js';

/** Labels and hints of the fields, for the view. */
export const FIELD_INFO: Record<SubmitField, { label: string; hint: string }> = {
  type: { label: 'type', hint: '←/→ the types live workers handle, or type one' },
  payload: { label: 'payload', hint: 'JSON; empty for null' },
  priority: { label: 'priority', hint: '1-10, 10 runs first; ←/→ to step (default 1)' },
  deadline: { label: 'deadline', hint: 'RFC 3339 time, or from now: 30s, 5m, 2h' },
  retries: { label: 'retries', hint: 'retries after the first attempt, 0-100 (default 3)' },
  timeout: { label: 'timeout', hint: 'per attempt: 5000 (ms), 30s, 2m' },
  dependsOn: { label: 'depends on', hint: 'task ids, separated by commas or spaces' },
};

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^\+?(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/;

/** A duration typed as `5000`, `30s`, `5m`, `2h`, `1d`, in ms; null when it is not one. */
export function parseDuration(text: string): number | null {
  const m = DURATION.exec(text.trim());
  if (!m) return null;
  const ms = Number(m[1]) * UNIT_MS[m[2] ?? 'ms']!;
  return Number.isFinite(ms) ? Math.round(ms) : null;
}

function intIn(text: string, min: number, max: number): boolean {
  return /^\d+$/.test(text) && Number(text) >= min && Number(text) <= max;
}

/** Ids of the depends-on field. */
export function dependencyIds(text: string): string[] {
  return text.split(/[\s,]+/).filter((s) => s !== '');
}

/** What is wrong with a field's text, or null when it is acceptable. */
export function fieldError(field: SubmitField, raw: string): string | null {
  const text = raw.trim();
  switch (field) {
    case 'type':
      if (text === '') return 'choose or type a task type';
      return text.length > 128 ? 'at most 128 characters' : null;
    case 'payload':
      if (text === '') return null;
      try {
        JSON.parse(text);
        return null;
      } catch (err) {
        return `not JSON: ${(err as Error).message}`;
      }
    case 'priority':
      return text === '' || intIn(text, 1, 10) ? null : 'an integer from 1 to 10';
    case 'retries':
      return text === '' || intIn(text, 0, 100) ? null : 'an integer from 0 to 100';
    case 'timeout': {
      if (text === '') return null;
      const ms = parseDuration(text);
      return ms !== null && ms > 0 ? null : 'a duration: 5000 (ms), 30s, 2m';
    }
    case 'deadline':
      if (text === '' || parseDuration(text) !== null) return null;
      return /^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(Date.parse(text))
        ? null
        : 'an RFC 3339 time (2030-01-02T03:04:05Z) or a duration from now (30s, 5m)';
    case 'dependsOn': {
      const bad = dependencyIds(text).find((id) => !TASK_ID_PATTERN.test(id));
      return bad === undefined ? null : `not a task id: ${bad}`;
    }
  }
}

/** Errors of every field that has one. */
export function formErrors(form: SubmitForm): Partial<Record<SubmitField, string>> {
  const out: Partial<Record<SubmitField, string>> = {};
  for (const f of SUBMIT_FIELDS) {
    const e = fieldError(f, form.values[f]);
    if (e !== null) out[f] = e;
  }
  return out;
}

/** A new form, its type preset to the first type a live worker handles. */
export function emptyForm(types: readonly string[]): SubmitForm {
  return {
    focus: 'type',
    values: {
      type: types[0] ?? '',
      payload: '',
      priority: '',
      deadline: '',
      retries: '',
      timeout: '',
      dependsOn: '',
    },
    error: null,
    submitting: false,
    submittedId: null,
  };
}

/** ←/→ on a field: the next type of the live workers', or the next priority; other fields stay. */
export function cycleField(form: SubmitForm, types: readonly string[], delta: 1 | -1): SubmitForm {
  const { focus, values } = form;
  let next: string | undefined;
  if (focus === 'type' && types.length > 0) {
    const i = types.indexOf(values.type);
    next = types[i === -1 ? (delta > 0 ? 0 : types.length - 1) : (i + delta + types.length) % types.length];
  } else if (focus === 'priority') {
    const p = intIn(values.priority, 1, 10) ? Number(values.priority) : delta > 0 ? 0 : 11;
    next = String(Math.min(10, Math.max(1, p + delta)));
  }
  return next === undefined ? form : { ...form, values: { ...values, [focus]: next }, error: null };
}

/** The spec a form makes, or null while any field is wrong. `now` turns a relative deadline into a time. */
export function specOf(form: SubmitForm, queue: string, now: number): TaskSpec | null {
  if (Object.keys(formErrors(form)).length > 0) return null;
  const v = Object.fromEntries(SUBMIT_FIELDS.map((f) => [f, form.values[f].trim()])) as Record<
    SubmitField,
    string
  >;
  const spec: TaskSpec = { type: v.type, queue, payload: v.payload === '' ? null : JSON.parse(v.payload) };
  if (v.priority !== '') spec.priority = Number(v.priority);
  if (v.retries !== '') spec.maxRetries = Number(v.retries);
  if (v.timeout !== '') spec.timeoutMs = parseDuration(v.timeout)!;
  if (v.deadline !== '') {
    const rel = parseDuration(v.deadline);
    spec.deadline = rel === null ? v.deadline : now + rel;
  }
  const deps = dependencyIds(v.dependsOn);
  if (deps.length > 0) spec.dependsOn = deps;
  return spec;
}
