/**
 * Issue 16 points 4 and 6: a command Redis refuses (out of memory, no
 * permission) exits 4 with one line naming the refusal and what to do — not
 * "unexpected error" with exit 1, the code of a task that failed. And a call
 * that succeeds prints nothing on stderr, even as a user who may not run
 * INFO (ioredis printed "Skipping the ready check" on every call).
 */
import { uniquePrefix } from '@dtps/core/testing';
import test from 'ava';
import { dtps } from './helpers/dtps.js';
import { useCli } from './helpers/setup.js';

const cli = useCli(test);

/** The server's URL with a user and password. */
function urlAs(user: string, password: string): string {
  return cli.server.url.replace('redis://', `redis://${user}:${password}@`);
}

test.serial('Redis out of memory: exit 4, one line naming OOM and what to do', async (t) => {
  const s = cli.scope();
  const admin = s.server.client();
  t.teardown(async () => {
    await admin.config('SET', 'maxmemory', '0');
    admin.disconnect();
  });
  await admin.config('SET', 'maxmemory', '1');
  const r = await s.run(['submit', '--type', 'noop']);
  t.is(r.code, 4, r.stderr);
  const lines = r.stderr.split('\n').filter(Boolean);
  t.is(lines.length, 1, r.stderr);
  t.regex(lines[0]!, /^dtps: Redis refused the command .*with OOM: .*maxmemory.* — Redis is out of memory/);
  t.notRegex(r.stderr, /unexpected error/);
  t.log(lines[0]);
  const json = await s.run(['submit', '--type', 'noop', '--json']);
  t.is(json.code, 4);
  t.like(json.json(), { error: { code: 'redis_refused' } });
});

test.serial('a user without permission for the scripts: exit 4 naming NOPERM', async (t) => {
  const admin = cli.server.client();
  t.teardown(() => admin.disconnect());
  await admin.acl('SETUSER', 'noscripts', 'on', '>pw', '~*', '&*', '+@all', '-@scripting');
  const r = await dtps(['submit', '--type', 'noop'], {
    env: { DTPS_REDIS_URL: urlAs('noscripts', 'pw'), DTPS_PREFIX: uniquePrefix() },
  });
  t.is(r.code, 4, r.stderr);
  t.regex(
    r.stderr,
    /^dtps: Redis refused the command .*with NOPERM: .*may not use this key, channel or command/,
  );
});

test.serial(
  'a call that succeeds writes nothing on stderr, even as a user who may not run INFO',
  async (t) => {
    const admin = cli.server.client();
    t.teardown(() => admin.disconnect());
    await admin.acl('SETUSER', 'noinfo', 'on', '>pw', '~*', '&*', '+@all', '-info');
    const env = { DTPS_REDIS_URL: urlAs('noinfo', 'pw'), DTPS_PREFIX: uniquePrefix() };
    const submitted = await dtps(['submit', '--type', 'noop'], { env });
    t.is(submitted.code, 0, submitted.stderr);
    t.is(submitted.stderr, '');
    const stats = await dtps(['stats'], { env });
    t.is(stats.code, 0, stats.stderr);
    t.is(stats.stderr, '');
  },
);
