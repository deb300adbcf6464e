import test from 'ava';
import { givenFlags, intFlag, normalizeArgv } from '../src/flags.js';

test('normalizeArgv: Go-style single-dash long flags become double-dash', (t) => {
  t.deepEqual(normalizeArgv(['submit', '-priority', '10', '-redis=localhost:6379', '-h', '-1']), [
    'submit',
    '--priority',
    '10',
    '--redis=localhost:6379',
    '-h',
    '-1',
  ]);
});

test('normalizeArgv: `--file -` keeps - as the value; nothing after -- changes', (t) => {
  t.deepEqual(normalizeArgv(['submit', '--file', '-', '--json']), ['submit', '--file=-', '--json']);
  t.deepEqual(normalizeArgv(['submit', '-file', '-']), ['submit', '--file=-']);
  t.deepEqual(normalizeArgv(['status', '--', '-priority']), ['status', '--', '-priority']);
});

test('givenFlags: names as written, unknown ones refused', (t) => {
  t.deepEqual(
    givenFlags(['submit', '--depends-on', 'a', '--json', '--no-wait', '--priority=3', '-h', '--', '--x']),
    ['dependsOn', 'json', 'wait', 'priority', 'help'],
  );
  const err = t.throws(() => givenFlags(['--nope=1']));
  t.is(err?.message, 'unknown flag --nope; see dtps --help');
  t.throws(() => givenFlags(['-q']), { message: 'unknown flag -q; see dtps --help' });
});

test('intFlag: strict integers only, naming the flag and the field', (t) => {
  t.is(intFlag(' 42 ', 'priority'), 42);
  t.is(intFlag('-3', 'delay'), -3);
  t.is(intFlag(undefined, 'priority'), undefined);
  for (const bad of ['1e3', '12abc', '', '1.5', '99999999999999999999']) {
    const err = t.throws(() => intFlag(bad, 'retries', 'maxRetries')) as Error & { field?: string };
    t.regex(err.message, /^--retries: must be an integer/);
    t.is(err.field, 'maxRetries');
  }
});
