import test from 'ava';
import {
  cycleField,
  emptyForm,
  fieldError,
  formErrors,
  parseDuration,
  specOf,
} from '../../src/state/submit-form.js';
import type { SubmitForm } from '../../src/state/types.js';
import { NOW } from '../fixtures.js';

function form(values: Partial<SubmitForm['values']>, focus: SubmitForm['focus'] = 'type'): SubmitForm {
  const f = emptyForm(['echo']);
  return { ...f, focus, values: { ...f.values, ...values } };
}

test('parseDuration: ms, s, m, h, d', (t) => {
  t.is(parseDuration('5000'), 5000);
  t.is(parseDuration('30s'), 30_000);
  t.is(parseDuration('+5m'), 300_000);
  t.is(parseDuration('1.5h'), 5_400_000);
  t.is(parseDuration('2d'), 172_800_000);
  t.is(parseDuration('soon'), null);
});

test('fieldError: each field is checked as it is typed', (t) => {
  t.is(fieldError('type', ''), 'choose or type a task type');
  t.is(fieldError('payload', ''), null, 'an empty payload is null');
  t.is(fieldError('payload', '{"a": [1, 2]}'), null);
  t.regex(fieldError('payload', '{"a": ') ?? '', /^not JSON: /);
  t.is(fieldError('priority', '10'), null);
  t.is(fieldError('priority', '11'), 'an integer from 1 to 10');
  t.is(fieldError('retries', '0'), null);
  t.is(fieldError('retries', '-1'), 'an integer from 0 to 100');
  t.is(fieldError('timeout', '30s'), null);
  t.regex(fieldError('timeout', '0') ?? '', /duration/);
  t.is(fieldError('deadline', '2030-01-02T03:04:05Z'), null);
  t.is(fieldError('deadline', '10m'), null);
  t.regex(fieldError('deadline', 'tomorrow') ?? '', /RFC 3339/);
  t.is(fieldError('dependsOn', 'a1, b2 c3'), null);
  t.is(fieldError('dependsOn', 'ok {bad}'), 'not a task id: {bad}');
});

test('specOf: a valid form makes the spec; relative deadlines count from now', (t) => {
  t.deepEqual(
    specOf(
      form({
        type: 'sleep',
        payload: '{"ms":10}',
        priority: '9',
        retries: '0',
        timeout: '2s',
        deadline: '1m',
        dependsOn: 'a,b',
      }),
      'q1',
      NOW,
    ),
    {
      type: 'sleep',
      queue: 'q1',
      payload: { ms: 10 },
      priority: 9,
      maxRetries: 0,
      timeoutMs: 2000,
      deadline: NOW + 60_000,
      dependsOn: ['a', 'b'],
    },
  );
  t.deepEqual(specOf(form({ type: 'echo' }), 'default', NOW), {
    type: 'echo',
    queue: 'default',
    payload: null,
  });
  t.is(specOf(form({ payload: '{' }), 'default', NOW), null);
  t.deepEqual(Object.keys(formErrors(form({ payload: '{', priority: '0' }))), ['payload', 'priority']);
});

test('cycleField: ←/→ step through types and priorities, and leave other fields', (t) => {
  const types = ['echo', 'noop', 'sleep'];
  t.is(cycleField(form({ type: 'echo' }), types, 1).values.type, 'noop');
  t.is(
    cycleField(form({ type: 'custom' }), types, -1).values.type,
    'sleep',
    'a typed type steps from the end',
  );
  t.is(cycleField(form({ priority: '10' }, 'priority'), types, 1).values.priority, '10', 'stays within 1-10');
  t.is(cycleField(form({ priority: '' }, 'priority'), types, -1).values.priority, '10');
  const payload = form({ payload: '1' }, 'payload');
  t.is(cycleField(payload, types, 1), payload);
});
