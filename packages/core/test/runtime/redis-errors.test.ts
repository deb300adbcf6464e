/** The one classifier of Redis errors and the one exit-code table (issue 18). */
import test from 'ava';
import { ReplyError } from 'ioredis';
import {
  classifyRedisError,
  DtpsError,
  ExitCode,
  exitCodeOf,
  explainRedisError,
  isTransientRedisError,
  RedisRefusedError,
  RedisUnavailableError,
  ValidationError,
} from '../../src/index.js';

function reply(message: string, command?: { name: string; args: unknown[] }): Error {
  const err = new ReplyError(message) as Error & { command?: unknown };
  if (command) err.command = command;
  return err;
}

test('refused, transient, unreachable, other', (t) => {
  for (const m of ['OOM command not allowed', 'NOPERM no', 'READONLY replica', 'MISCONF rdb', 'BUSY script'])
    t.is(classifyRedisError(reply(m)), 'refused', m);
  for (const m of ['LOADING data', 'TRYAGAIN', 'CLUSTERDOWN down', 'MASTERDOWN link'])
    t.is(classifyRedisError(reply(m)), 'transient', m);
  for (const m of ['connect ECONNREFUSED 127.0.0.1:1', 'Connection is closed.', 'read ECONNRESET'])
    t.is(classifyRedisError(new Error(m)), 'unreachable', m);
  t.is(classifyRedisError(new RedisUnavailableError('redis://x')), 'unreachable');
  t.is(classifyRedisError(reply('ERR wrong number of arguments')), 'other');
  t.is(classifyRedisError(new ValidationError('priority', 'bad')), 'other');
});

test('transient: worth trying again unchanged (not NOPERM, not a wrong command)', (t) => {
  t.true(isTransientRedisError(reply('OOM command not allowed')));
  t.true(isTransientRedisError(reply('LOADING')));
  t.true(isTransientRedisError(new Error('Connection is closed.')));
  t.false(isTransientRedisError(reply('NOPERM no')));
  t.false(isTransientRedisError(reply('ERR syntax error')));
  t.false(isTransientRedisError(new TypeError('Do not know how to serialize a BigInt')));
  // Wrapped as a script error by an older path, or in an EXECABORT: still seen.
  t.true(isTransientRedisError(new DtpsError('script_error', 'x', { cause: reply('OOM no') })));
});

test('EXECABORT: the refusal behind it is named, with the command and key', (t) => {
  const abort = Object.assign(reply('EXECABORT Transaction discarded because of previous errors.'), {
    previousErrors: [
      reply('NOPERM this user has no permissions to access one of the keys used as arguments', {
        name: 'set',
        args: ['{dtps}:worker:w1', '{}'],
      }),
    ],
  });
  const err = explainRedisError(abort);
  t.true(err instanceof RedisRefusedError);
  const refused = err as RedisRefusedError;
  t.is(refused.refusal, 'NOPERM');
  t.is(refused.code, 'redis_refused');
  t.false(refused.transient);
  t.regex(refused.message, /^Redis refused the command \(SET \{dtps\}:worker:w1\) with NOPERM: this user/);
  t.notRegex(refused.message, /EXECABORT/);
});

test('one exit-code table: 0 ok, 1 unsuccessful, 2 usage, 3 unreachable, 4 refused', (t) => {
  t.deepEqual({ ...ExitCode }, { ok: 0, unsuccessful: 1, usage: 2, unavailable: 3, refused: 4, forced: 130 });
  t.is(exitCodeOf(reply('OOM command not allowed')), 4);
  t.is(exitCodeOf(explainRedisError(reply('READONLY replica'))), 4);
  t.is(exitCodeOf(new RedisUnavailableError('redis://x')), 3);
  t.is(exitCodeOf(new Error('connect ECONNREFUSED 127.0.0.1:1')), 3);
  t.is(exitCodeOf(new ValidationError('priority', 'bad')), 2);
  t.is(exitCodeOf(new DtpsError('timeout', 'late')), 1);
  t.is(exitCodeOf(new Error('a bug')), 1);
});
