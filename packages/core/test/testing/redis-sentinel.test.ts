import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import { Redis } from 'ioredis';
import { RedisSentinelSetup } from '../../src/testing/index.js';
import { redisCommand } from '../../src/testing/resp.js';

test('sentinel reports the master, and ioredis reaches it through the sentinel', async (t) => {
  const setup = await RedisSentinelSetup.start();
  t.teardown(() => setup.stop());
  t.is(setup.masterName, 'dtpsmaster');
  t.is(setup.sentinels.length, 1);
  const sentinel = setup.sentinels[0]!;
  t.is(setup.url, `redis+sentinel://127.0.0.1:${sentinel.port}/dtpsmaster`);
  t.not(setup.master.port, setup.replica.port);

  const addr = await redisCommand(sentinel.host, sentinel.port, [
    'SENTINEL',
    'GET-MASTER-ADDR-BY-NAME',
    'dtpsmaster',
  ]);
  t.deepEqual(addr, ['127.0.0.1', String(setup.master.port)]);

  const role = await setup.replica.client().role();
  t.is(role[0], 'slave');

  const client = new Redis({ sentinels: setup.sentinels, name: setup.masterName });
  t.teardown(() => client.disconnect());
  await client.set('via-sentinel', 'yes');
  t.is(await setup.master.client().get('via-sentinel'), 'yes');
});

test('killing the master fails over to the replica', async (t) => {
  const setup = await RedisSentinelSetup.start();
  t.teardown(() => setup.stop());
  const sentinel = setup.sentinels[0]!;
  await setup.master.kill9();
  const deadline = Date.now() + 20_000;
  let addr: unknown;
  while (Date.now() < deadline) {
    addr = await redisCommand(sentinel.host, sentinel.port, [
      'SENTINEL',
      'GET-MASTER-ADDR-BY-NAME',
      'dtpsmaster',
    ]);
    if (Array.isArray(addr) && addr[1] === String(setup.replica.port)) break;
    await sleep(200);
  }
  t.deepEqual(addr, ['127.0.0.1', String(setup.replica.port)]);
});
