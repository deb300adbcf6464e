import {
  ConfigError,
  DtpsError,
  InvalidStateError,
  RedisUnavailableError,
  TaskNotFoundError,
  ValidationError,
  WaitTimeoutError,
} from '@dtps/core';
import test from 'ava';
import { reportOf, withFlagNames } from '../src/errors.js';

test('every error maps to one exit code: 2 bad input, 3 Redis, 1 the rest', (t) => {
  t.is(reportOf(new ValidationError('priority', 'bad')).exit, 2);
  t.is(reportOf(new ConfigError('prefix', 'env DTPS_PREFIX', 'bad')).exit, 2);
  t.is(reportOf(new TaskNotFoundError('x')).exit, 2);
  t.is(reportOf(new InvalidStateError('x', 'running', 'no')).exit, 2);
  t.is(reportOf(new RedisUnavailableError('redis://h:1')).exit, 3);
  t.is(reportOf(new WaitTimeoutError('x', 5)).exit, 1);
  t.like(reportOf(new TypeError('boom')), {
    code: 'internal_error',
    message: 'unexpected error: boom',
    exit: 1,
  });
});

test('a connection lost mid-command is exit 3, naming the redacted URL, never the password', (t) => {
  const lost = Object.assign(
    new Error('Reached the max retries per request limit (which is 2). Refer to "x" option for details.'),
    {
      name: 'MaxRetriesPerRequestError',
    },
  );
  t.deepEqual(reportOf(lost, 'redis://u:pw1@h:1'), {
    code: 'redis_unavailable',
    message: 'cannot reach Redis at redis://u:***@h:1: the connection was lost',
    exit: 3,
  });
  t.is(
    reportOf(new Error('write EPIPE pw1'), 'redis://u:pw1@h:1').message,
    'cannot reach Redis at redis://u:***@h:1: write EPIPE ***',
  );
});

test('reports are one line and keep field and line', (t) => {
  const err = Object.assign(new DtpsError('invalid_argument', 'line 3: a\n  b', { field: 'type' }), {
    line: 3,
  });
  t.deepEqual(reportOf(err), {
    code: 'invalid_argument',
    message: 'line 3: a b',
    field: 'type',
    line: 3,
    exit: 2,
  });
});

test('withFlagNames names the flag instead of the field', (t) => {
  const renamed = withFlagNames(new ValidationError('maxRetries', 'must be an integer'), {
    maxRetries: '--retries',
  });
  t.true(renamed instanceof DtpsError);
  t.is((renamed as DtpsError).message, '--retries: must be an integer');
  t.is((renamed as DtpsError).field, 'maxRetries');
  const untouched = new ValidationError('other', 'x');
  t.is(withFlagNames(untouched, { maxRetries: '--retries' }), untouched);
});
