/**
 * Issue 16 point 6: the least-privilege ACL of docs/security.md, run as
 * written, lets a worker, a coordinator and the CLI do all their work (Redis's
 * ACL LOG records no refusal at all), and a user limited to `~dtps*` (the
 * pattern one would guess) gets a clear NOPERM error.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DaemonProcess, type RedisServer, uniquePrefix, useRedisServer, waitFor } from '@dtps/core/testing';
import test from 'ava';
import { dtps } from './cli.js';
import { type Daemon, spawnCoordinator, stopAll, WORKER_BIN } from './daemon.js';

/** This file is packages/coordinator/dist/test/e2e/redis-acl.test.js. */
const SECURITY_DOC = fileURLToPath(new URL('../../../../../docs/security.md', import.meta.url));

/** The `ACL SETUSER dtps …` line of docs/security.md, split into arguments, with `password`. */
function documentedAcl(password: string): string[] {
  const line = readFileSync(SECURITY_DOC, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('ACL SETUSER dtps '));
  if (line === undefined) throw new Error(`no "ACL SETUSER dtps" line in ${SECURITY_DOC}`);
  return line
    .split(/\s+/)
    .slice(2)
    .map((word) => (word === '>CHANGE-ME' ? `>${password}` : word));
}

const redis = useRedisServer(test);
const daemons: Daemon[] = [];
test.after.always(() => stopAll(daemons));

function userUrl(server: RedisServer, user: string, password: string): string {
  return `redis://${user}:${password}@${server.host}:${server.port}`;
}

test.serial(
  'the documented ACL is enough for a worker, a coordinator and the CLI: no refusal at all',
  async (t) => {
    const admin = redis.server.client();
    t.is(await admin.call('ACL', 'SETUSER', ...documentedAcl('w0rker-pass')), 'OK');
    await admin.call('ACL', 'LOG', 'RESET');
    const url = userUrl(redis.server, 'dtps', 'w0rker-pass');
    const prefix = 'dtps';
    // The prefix the ACL names; this server is the test's own, other tests' keys are not on it.
    t.is(await admin.dbsize(), 0);
    const env = { DTPS_REDIS_URL: url, DTPS_PREFIX: prefix };

    const [coordinator, worker] = await Promise.all([
      spawnCoordinator({ redisUrl: url, prefix, id: 'coord' }),
      DaemonProcess.spawn(
        { name: 'worker', bin: WORKER_BIN, idEnv: 'DTPS_WORKER_ID', startedMsg: 'worker started' },
        { redisUrl: url, prefix, id: 'w1' },
      ),
    ]);
    daemons.push(coordinator, worker);
    await coordinator.waitForLog('leading');

    const ran = await dtps(['submit', '--type', 'echo', '--payload', '{"acl":1}', '--wait', '--json'], env);
    t.is(ran.code, 0, ran.stderr);
    const task = JSON.parse(ran.stdout) as { id: string; state: string };
    t.is(task.state, 'succeeded');
    const reads = [['status', task.id], ['stats'], ['workers'], ['list', '--state', 'succeeded']];
    const results = await Promise.all(reads.map((args) => dtps([...args, '--json'], env)));
    results.forEach((r, i) => {
      t.is(r.code, 0, `${reads[i]!.join(' ')}: ${r.stderr}`);
    });
    // Scripts sent with EVALSHA/EVAL (redis.scripts: eval) are covered too.
    const evalMode = await dtps(['submit', '--type', 'noop', '--wait', '--json'], {
      ...env,
      DTPS_REDIS_SCRIPTS: 'eval',
    });
    t.is(evalMode.code, 0, evalMode.stderr);
    // A delayed task cancelled; a control command over pub/sub.
    const later = await dtps(['submit', '--type', 'noop', '--delay', '60000', '--json'], env);
    const laterId = (JSON.parse(later.stdout) as { id: string }).id;
    t.is((await dtps(['cancel', laterId, '--json'], env)).code, 0);
    t.is((await dtps(['pause', 'w1', '--json'], env)).code, 0);
    await worker.waitForLog(
      (l) => l.msg === 'control command' && (l.command as { command?: string }).command === 'pause',
      20_000,
    );
    // The leader hands over on SIGTERM through its channel.
    coordinator.signal('SIGTERM');
    t.is((await coordinator.waitForExit(20_000)).code, 0);

    const refusals = (await admin.call('ACL', 'LOG')) as unknown[];
    t.deepEqual(refusals, [], 'Redis refused nothing to the documented user');
    t.deepEqual(
      worker.logs.filter((l) => l.level >= 50),
      [],
    );
  },
);

test.serial('a user limited to ~dtps* gets NOPERM, named', async (t) => {
  const admin = redis.server.client();
  await admin.call('ACL', 'SETUSER', 'guess', 'on', '>guess-pass', '~dtps*', '&dtps*', '+@all');
  const env = {
    DTPS_REDIS_URL: userUrl(redis.server, 'guess', 'guess-pass'),
    DTPS_PREFIX: uniquePrefix(),
  };
  const r = await dtps(['submit', '--type', 'noop', '--json'], env);
  t.not(r.code, 0);
  t.regex(r.stderr, /NOPERM/);
  await waitFor(async () => ((await admin.call('ACL', 'LOG')) as unknown[]).length > 0, {
    timeoutMs: 5000,
    what: 'the refusal in ACL LOG',
  });
});
