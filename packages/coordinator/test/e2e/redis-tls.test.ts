/**
 * TLS to Redis (issue 16): a redis-server listening with a certificate signed
 * by a CA made in the test; a worker, a coordinator and the CLI reach it over
 * `rediss://` with the CA given by `DTPS_REDIS_TLS_CA` (config `redis.tls.ca`).
 * Without the CA the CLI refuses the server's certificate (exit 3).
 */
import { DaemonProcess, makeTlsCerts, startTlsRedisServer, uniquePrefix } from '@dtps/core/testing';
import test from 'ava';
import { dtps } from './cli.js';
import { type Daemon, spawnCoordinator, stopAll, WORKER_BIN } from './daemon.js';

const daemons: Daemon[] = [];
test.after.always(() => stopAll(daemons));

test('submit, a worker, a coordinator and the CLI over rediss:// with the CA from DTPS_REDIS_TLS_CA', async (t) => {
  const certs = await makeTlsCerts();
  t.teardown(() => certs.remove());
  const { server, url, tlsPort } = await startTlsRedisServer(certs);
  t.teardown(() => server.stop());
  const prefix = uniquePrefix();
  const env = { DTPS_REDIS_URL: url, DTPS_PREFIX: prefix, DTPS_REDIS_TLS_CA: certs.ca };

  const [coordinator, worker] = await Promise.all([
    spawnCoordinator({ redisUrl: url, prefix, id: 'coord', env: { DTPS_REDIS_TLS_CA: certs.ca } }),
    // The demo handlers: the recording ones open a connection of their own, without the CA.
    DaemonProcess.spawn(
      { name: 'worker', bin: WORKER_BIN, idEnv: 'DTPS_WORKER_ID', startedMsg: 'worker started' },
      { redisUrl: url, prefix, id: 'w1', env: { DTPS_REDIS_TLS_CA: certs.ca } },
    ),
  ]);
  daemons.push(coordinator, worker);
  await coordinator.waitForLog('leading');

  const submitted = await dtps(
    ['submit', '--type', 'echo', '--payload', '{"over":"tls"}', '--wait', '--json'],
    env,
  );
  t.is(submitted.code, 0, `${submitted.stderr} ${submitted.stdout}`);
  const task = JSON.parse(submitted.stdout) as { id: string; state: string; result: unknown };
  t.is(task.state, 'succeeded');
  t.deepEqual(task.result, { over: 'tls' });
  // The reads, and the two refusals, at once (each CLI run is a node process start).
  const { DTPS_REDIS_TLS_CA: _, ...noCa } = env;
  const [status, workers, refused, wrong] = await Promise.all([
    dtps(['status', task.id, '--json'], env),
    dtps(['workers', '--json'], env),
    // Without the CA, the server's certificate is refused: Redis unreachable, exit 3.
    dtps(['stats', '--json'], noCa),
    // A CA path that cannot be read is a configuration error naming the key.
    dtps(['stats', '--json'], { ...env, DTPS_REDIS_TLS_CA: '/nonexistent/ca.pem' }),
  ]);
  t.is(status.code, 0, status.stderr);
  t.is((JSON.parse(status.stdout) as { state: string }).state, 'succeeded');
  t.is(workers.code, 0, workers.stderr);
  t.deepEqual(
    (JSON.parse(workers.stdout) as { id: string }[]).map((w) => w.id),
    ['w1'],
  );
  t.is(refused.code, 3, refused.stderr);
  t.regex(refused.stderr, /certificate/i);
  t.is(wrong.code, 2, wrong.stderr);
  t.regex(wrong.stderr, /redis\.tls\.ca/);

  // Every connection of the daemons is on the TLS port (CLIENT LIST's laddr), none on the plain one.
  const clients = String(await server.client().call('CLIENT', 'LIST'))
    .split('\n')
    .map((l) => ({ name: /name=(\S*)/.exec(l)?.[1], port: /laddr=\S+:(\d+)/.exec(l)?.[1] }))
    .filter((c) => c.name === 'dtps-worker' || c.name === 'dtps-coordinator');
  t.true(clients.length >= 2, JSON.stringify(clients));
  t.deepEqual(
    clients.filter((c) => c.port !== String(tlsPort)),
    [],
  );
});
