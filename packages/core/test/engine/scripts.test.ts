/**
 * How scripts reach Redis (src/scripts/functions.ts): by default as functions
 * of one library, loaded on first use on every server (every master of a
 * Cluster) and again when a server lost it, or with EVALSHA when the server
 * refuses FUNCTION or `scripts: 'eval'` says so; and how the libraries that
 * other versions left behind are listed and pruned.
 * Serial: they flush the library that other tests of the file may use.
 */
import test from 'ava';
import { Cluster, Redis } from 'ioredis';
import { Client, listLibraries, pruneLibraries, scriptLibrary, scriptModeOf } from '../../src/index.js';
import { type RedisServer, uniquePrefix } from '../../src/testing/index.js';
import { CLUSTER, useEngine } from './fixture.js';

const engine = useEngine(test);
const library = scriptLibrary();

function serversOf(redis: Redis | Cluster): Redis[] {
  return redis instanceof Cluster ? redis.nodes('master') : [redis];
}

async function librariesOn(node: Redis): Promise<string[]> {
  const list = (await node.call('FUNCTION', 'LIST', 'LIBRARYNAME', library.name)) as unknown[][];
  return list.map((entry) => String(entry[1]));
}

/** Calls so far of each command, summed over every server (INFO commandstats). */
async function commandCalls(redis: Redis | Cluster): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const node of serversOf(redis)) {
    for (const m of (await node.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
      out[m[1]!] = (out[m[1]!] ?? 0) + Number(m[2]);
  }
  return out;
}

function delta(before: Record<string, number>, after: Record<string, number>, cmd: string): number {
  return (after[cmd] ?? 0) - (before[cmd] ?? 0);
}

test.serial(
  'by default, scripts run as functions of one library, loaded on every server at first use',
  async (t) => {
    const e = await engine.make({ scripts: undefined });
    t.is(scriptModeOf(e.redis), undefined, 'undecided before the first script call');
    const before = await commandCalls(e.redis);
    const { id } = await e.client.submit({ type: 'x' });
    t.is(scriptModeOf(e.redis), 'functions');
    for (const node of serversOf(e.redis)) t.deepEqual(await librariesOn(node), [library.name]);
    const after = await commandCalls(e.redis);
    t.is(delta(before, after, 'fcall'), 1, 'the submit is one FCALL');
    t.is(delta(before, after, 'evalsha') + delta(before, after, 'eval'), 0, 'and no EVAL');
    t.is((await e.client.get(id))?.state, 'queued');
    // Every script of lua/ is a function of the library.
    const [node] = serversOf(e.redis);
    const [entry] = (await node!.call('FUNCTION', 'LIST', 'LIBRARYNAME', library.name)) as unknown[][];
    const functions = (entry![5] as unknown[][]).map((f) => String(f[1])).sort();
    t.deepEqual(functions, [...library.functions.values()].sort());
  },
);

test.serial('a server that lost the library gets it again, and the call runs once', async (t) => {
  const e = await engine.make({ scripts: 'functions' });
  await e.client.submit({ type: 'x' });
  // What a restart without persistence, or a new Cluster node, looks like to dtps.
  for (const node of serversOf(e.redis)) await node.call('FUNCTION', 'FLUSH');
  const { id } = await e.client.submit({ type: 'y' });
  for (const node of serversOf(e.redis)) t.deepEqual(await librariesOn(node), [library.name]);
  const ready = await e.redis.zrange(e.client.ctx.keys('default').ready, '0', '-1');
  t.is(ready.length, 2, 'both tasks queued, the second once');
  t.true(ready.includes(id));
  t.like(await e.client.get(id), { state: 'queued', type: 'y' });
});

test.serial('with scripts: eval, scripts go as EVALSHA and no library is loaded', async (t) => {
  const e = await engine.make({ scripts: 'eval' });
  for (const node of serversOf(e.redis)) await node.call('FUNCTION', 'FLUSH');
  const before = await commandCalls(e.redis);
  const { id } = await e.client.submit({ type: 'x' });
  const after = await commandCalls(e.redis);
  t.is(scriptModeOf(e.redis), 'eval');
  t.is(delta(before, after, 'fcall'), 0);
  t.is(delta(before, after, 'evalsha') + delta(before, after, 'eval'), 1);
  for (const node of serversOf(e.redis)) t.deepEqual(await librariesOn(node), []);
  t.is((await e.client.get(id))?.state, 'queued');
});

// A user whose ACL denies FUNCTION stands for a server without it (Redis 6): dtps falls back.
(CLUSTER ? test.skip : test.serial)('a server that refuses FUNCTION gets EVALSHA, for good', async (t) => {
  const server = engine.server as RedisServer;
  const admin = new Redis({ port: server.port, host: server.host });
  t.teardown(() => admin.disconnect());
  await admin.call('FUNCTION', 'FLUSH');
  await admin.call('ACL', 'SETUSER', 'nofunctions', 'on', '>secret', '~*', '&*', '+@all', '-function');
  const redis = new Redis({
    port: server.port,
    host: server.host,
    username: 'nofunctions',
    password: 'secret',
  });
  const client = new Client({ redis, prefix: uniquePrefix(), scripts: 'functions' });
  t.teardown(async () => {
    await client.close();
    redis.disconnect();
  });
  const { id } = await client.submit({ type: 'x' });
  t.is(scriptModeOf(redis), 'eval');
  t.is((await client.get(id))?.state, 'queued');
  await client.submit({ type: 'x' });
  t.deepEqual(await librariesOn(admin), [], 'no library was loaded');
});

test.serial(
  "other versions' libraries are listed and pruned on every server; nothing else is touched",
  async (t) => {
    const e = await engine.make({ scripts: undefined });
    await e.client.submit({ type: 'x' });
    const old = 'dtps_000000000000';
    const nodes = serversOf(e.redis);
    for (const node of nodes) {
      for (const name of [old, 'myapp']) {
        await node.call(
          'FUNCTION',
          'LOAD',
          `#!lua name=${name}\nredis.register_function('${name}_f', function() return 1 end)`,
        );
      }
    }
    t.teardown(() => Promise.all(nodes.map((n) => n.call('FUNCTION', 'DELETE', 'myapp').catch(() => {}))));
    const listed = await listLibraries(e.redis);
    t.is(listed.length, nodes.length, 'one listing a server');
    for (const l of listed) t.deepEqual(l.libraries, [old, library.name].sort());
    const deleted = await pruneLibraries(e.redis);
    t.is(deleted.length, nodes.length);
    for (const d of deleted) t.deepEqual(d.libraries, [old]);
    for (const node of nodes) {
      const names = ((await node.call('FUNCTION', 'LIST')) as unknown[][])
        .map((entry) => String(entry[1]))
        .sort();
      t.deepEqual(names, [library.name, 'myapp'].sort());
    }
    t.deepEqual(
      await pruneLibraries(e.redis),
      listed.map((l) => ({ server: l.server, libraries: [] })),
      'a second prune has nothing to do',
    );
  },
);
