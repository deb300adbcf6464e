/** The one mapping from errors to HTTP statuses and JSON bodies. */
import { DtpsError, type ErrorCode, InvalidStateError, TaskNotFoundError, ValidationError } from '@dtps/core';
import test from 'ava';
import { fieldOfIssue, HttpError, STATUS_OF_CODE, toHttpError } from '../../src/monitor/errors.js';

test('every engine error code has a status; the body is {error: {code, message, field}}', (t) => {
  const expected: Record<ErrorCode, number> = {
    invalid_argument: 400,
    invalid_config: 400,
    unknown_dependency: 400,
    dependency_cycle: 400,
    not_found: 404,
    invalid_state: 409,
    dependency_not_satisfied: 409,
    deadline_passed: 409,
    fenced: 409,
    timeout: 504,
    redis_unavailable: 503,
    redis_refused: 503,
    closed: 503,
    not_replicated: 503,
    script_error: 500,
    unencodable_result: 500,
    corrupt_task: 409,
  };
  t.deepEqual(STATUS_OF_CODE, expected);
  for (const [code, status] of Object.entries(expected)) {
    const r = toHttpError(new DtpsError(code as ErrorCode, `m ${code}`, { field: 'f' }));
    t.is(r.status, status, code);
    t.deepEqual(r.body, { error: { code, message: `m ${code}`, field: 'f' } });
  }
  t.is(toHttpError(new ValidationError('priority', 'bad')).body.error.field, 'priority');
  t.is(toHttpError(new TaskNotFoundError('x')).status, 404);
  t.is(toHttpError(new InvalidStateError('x', 'running', 'no')).status, 409);
  t.deepEqual(toHttpError(new DtpsError('closed', 'c')).body, { error: { code: 'closed', message: 'c' } });
});

test('HTTP errors, Fastify request errors, Redis trouble and the unexpected', (t) => {
  const h = toHttpError(
    new HttpError(401, 'unauthorized', 'no', 'authorization', { 'www-authenticate': 'Bearer' }),
  );
  t.is(h.status, 401);
  t.deepEqual(h.headers, { 'www-authenticate': 'Bearer' });
  const json = toHttpError(
    Object.assign(new Error('Body is not valid JSON'), {
      statusCode: 400,
      code: 'FST_ERR_CTP_INVALID_JSON_BODY',
    }),
  );
  t.is(json.status, 400);
  t.is(json.body.error.field, 'body');
  t.is(
    toHttpError(Object.assign(new Error('too big'), { statusCode: 413 })).body.error.code,
    'payload_too_large',
  );
  const redis = toHttpError(new Error('Connection is closed.'));
  t.is(redis.status, 503);
  t.is(redis.body.error.code, 'redis_unavailable');
  const boom = toHttpError(new TypeError('x is undefined'));
  t.is(boom.status, 500);
  t.is(boom.body.error.code, 'internal');
  t.notRegex(boom.body.error.message, /undefined/, 'internals stay in the log');
});

test('the field of a schema violation', (t) => {
  t.is(
    fieldOfIssue({ keyword: 'required', instancePath: '', params: { missingProperty: 'type' } }, 'body'),
    'type',
  );
  t.is(
    fieldOfIssue({ keyword: 'type', instancePath: '/backoff/baseMs', params: {} }, 'body'),
    'backoff.baseMs',
  );
  t.is(
    fieldOfIssue(
      { keyword: 'additionalProperties', instancePath: '/backoff', params: { additionalProperty: 'x' } },
      'body',
    ),
    'backoff.x',
  );
  t.is(fieldOfIssue({ keyword: 'type', instancePath: '', params: {} }, 'body'), 'body');
  t.is(fieldOfIssue({ keyword: 'type', instancePath: '/a~1b', params: {} }, 'body'), 'a/b');
});
