import test from 'ava';
import { Cluster } from 'ioredis';
import { RedisCluster } from '../../src/testing/index.js';
import { redisCommand } from '../../src/testing/resp.js';

test('a 3-master cluster starts, is ok on every node and serves keys in different slots', async (t) => {
  const cluster = await RedisCluster.start();
  t.teardown(() => cluster.stop());

  t.is(cluster.nodes.length, 3);
  t.is(new Set(cluster.nodes.map((n) => n.port)).size, 3);
  t.is(cluster.url, `redis+cluster://${cluster.nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`);
  for (const node of cluster.nodes) {
    const info = await redisCommand(node.host, node.port, ['CLUSTER', 'INFO']);
    t.regex(String(info), /cluster_state:ok/);
    t.regex(String(info), /cluster_slots_assigned:16384/);
    t.regex(String(info), /cluster_known_nodes:3/);
  }

  const client = new Cluster(cluster.nodes);
  t.teardown(() => client.disconnect());
  const keys = Array.from({ length: 30 }, (_, i) => `key-${i}`);
  for (const key of keys) await client.set(key, `v-${key}`);
  for (const key of keys) t.is(await client.get(key), `v-${key}`);

  // The keys really are spread: they live on more than one master.
  const owners = new Set<number>();
  for (const node of cluster.nodes) {
    const count = Number(await redisCommand(node.host, node.port, ['DBSIZE']));
    if (count > 0) owners.add(node.port);
  }
  t.true(owners.size >= 2, `keys on ${owners.size} node(s)`);
  const slots = new Set(await Promise.all(keys.map((k) => client.cluster('KEYSLOT', k))));
  t.true(slots.size > 1);
});

test('stop ends every node', async (t) => {
  const cluster = await RedisCluster.start({ masters: 3 });
  const nodes = cluster.nodes;
  await cluster.stop();
  await cluster.stop();
  for (const node of nodes) {
    await t.throwsAsync(() => redisCommand(node.host, node.port, ['PING']));
  }
});

test('fewer than 3 masters is refused', async (t) => {
  await t.throwsAsync(() => RedisCluster.start({ masters: 2 }), { message: /masters/ });
});
