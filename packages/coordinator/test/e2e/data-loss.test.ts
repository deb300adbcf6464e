/**
 * Issue 16 point 5: Redis restarted without persistence comes back empty and
 * every process carries on; the accepted tasks are gone. dtps cannot bring
 * them back but must say so: the coordinator and the worker log an error, the
 * fleet event stream gets one `redis:data-lost` entry, and the coordinator's
 * /metrics counts `dtps_redis_data_loss_total`. A restart that replays an AOF
 * keeps the data and must not alarm.
 */
import { DATA_LOSS_MESSAGE, originKey } from '@dtps/core';
import { freePort, RedisServer, type RedisServerOptions, uniquePrefix, waitFor } from '@dtps/core/testing';
import test, { type ExecutionContext } from 'ava';
import { type Daemon, spawnCoordinator, spawnWorker, stopAll } from './daemon.js';
import { scope } from './fixture.js';

const daemons: Daemon[] = [];
test.after.always(() => stopAll(daemons));

/** A server of the test's own (it is restarted), a coordinator with its monitor, a worker; all have checked the marker. */
async function setUp(t: ExecutionContext, opts: RedisServerOptions) {
  const server = await RedisServer.start(opts);
  t.teardown(() => server.stop());
  const s = scope(server, uniquePrefix());
  t.teardown(() => s.close());
  const port = await freePort();
  const common = { redisUrl: server.url, prefix: s.prefix };
  const [coordinator, worker] = await Promise.all([
    spawnCoordinator({ ...common, id: 'coord', args: ['--monitor', '--port', String(port)] }),
    spawnWorker({ ...common, id: 'w1', slots: 2 }),
  ]);
  daemons.push(coordinator, worker);
  // Both have seen the marker once they have run a check after it was written.
  await waitFor(async () => (await s.redis.get(originKey(s.client.ctx))) !== null, {
    timeoutMs: 10_000,
    what: 'the origin marker to be written',
  });
  const ids = (await s.client.submitMany([{ type: 'record' }, { type: 'record' }])).map((r) => r.id);
  for (const id of ids) await s.client.wait(id, { timeoutMs: 20_000 });
  const metric = async (): Promise<number> => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('dtps_redis_data_loss_total '));
    return line === undefined ? Number.NaN : Number(line.split(' ')[1]);
  };
  return { server, s, coordinator, worker, metric };
}

const dataLost = (l: { level: number; msg: string }) => l.msg === DATA_LOSS_MESSAGE && l.level >= 50;

test.serial(
  'Redis restarted without persistence: coordinator and worker log it, one fleet event, the metric counts 1',
  async (t) => {
    const { server, s, coordinator, worker, metric } = await setUp(t, { appendonly: false });
    t.is(await metric(), 0);
    await server.restart();
    const [cLine, wLine] = await Promise.all([
      coordinator.waitForLog(dataLost, 20_000),
      worker.waitForLog(dataLost, 20_000),
    ]);
    t.is(cLine.event, 'redis:data-lost');
    t.is(wLine.event, 'redis:data-lost');
    await waitFor(async () => (await metric()) === 1, {
      timeoutMs: 10_000,
      what: 'dtps_redis_data_loss_total to be 1',
    });
    const lost = (await s.fleetEvents()).filter((e) => e.kind === 'redis:data-lost');
    t.is(lost.length, 1, 'the loss is recorded once, whoever noticed first');
    t.is(lost[0]!.fields.losses, '1');
    // What the console's banner reads.
    t.like(await s.inspector.origin(), { losses: 1, id: lost[0]!.fields.id });
    t.true(((await s.inspector.origin())?.lostAt ?? 0) > 0);
    // It keeps working on the new, empty data set, and says it once, not every second.
    const again = await s.client.submit({ type: 'record' });
    t.is((await s.client.wait(again.id, { timeoutMs: 20_000 })).state, 'succeeded');
    t.is(coordinator.logs.filter(dataLost).length, 1);
    t.is(worker.logs.filter(dataLost).length, 1);
  },
);

test.serial('Redis restarted with its AOF: no alarm', async (t) => {
  const { server, s, coordinator, worker, metric } = await setUp(t, {
    appendonly: true,
    appendfsync: 'always',
  });
  await server.restart();
  // Work flows again after the restart, and by then several checks have run.
  const after = await s.client.submit({ type: 'record' });
  t.is((await s.client.wait(after.id, { timeoutMs: 20_000 })).state, 'succeeded');
  await new Promise((r) => setTimeout(r, 2500));
  t.deepEqual(coordinator.logs.filter(dataLost), []);
  t.deepEqual(worker.logs.filter(dataLost), []);
  t.is(await metric(), 0);
  t.is((await s.inspector.origin())?.lostAt, undefined);
  t.deepEqual(
    (await s.fleetEvents()).filter((e) => e.kind === 'redis:data-lost'),
    [],
  );
});
