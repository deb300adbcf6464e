import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { LATENCY_BOUNDS_MS, latencyBucket, QueueKeys, recoverWorker } from '../../src/index.js';
import { LUA_DIR } from '../../src/scripts/load.js';
import { claim, useEngine } from './fixture.js';

const engine = useEngine(test);

test('every key of a queue carries the queue hash tag; fleet keys carry the prefix tag', async (t) => {
  const e = await engine.make({
    retention: {
      succeeded: { ageMs: 1000, max: 2 },
      failed: { ageMs: 1000, max: 2 },
      expired: { ageMs: 1000, max: 2 },
      cancelled: { ageMs: 1000, max: 2 },
    },
  });
  // A workload that touches every structure, in two queues.
  for (const queue of ['default', 'mail']) {
    const rs = await e.client.submitMany([
      { type: 'a', queue, ref: 'a', idempotencyKey: `k-${queue}` },
      { type: 'b', queue, dependsOn: ['a'], deadline: e.clock.now() + 60_000 },
      { type: 'c', queue, delayMs: 100 },
      { type: 'd', queue },
      { type: 'e', queue },
    ]);
    const w = e.ops('w1');
    await claim(w, queue, { max: 2, start: 1 });
    await w.complete(queue, [{ id: rs[0]!.id, attempt: 1, result: 'ok' }]);
    await claim(e.ops('w2'), queue, { max: 3, steal: 1 }); // e and b, and steals d from w1
    await recoverWorker(e.client.ctx, 'w2');
    await e.client.cancel(rs[4]!.id, { queue });
  }
  const keys = await e.keys();
  t.true(keys.length > 15);
  for (const key of keys) {
    t.regex(key, new RegExp(`^\\{${e.prefix}(:(default|mail))?\\}:`), key);
  }
  t.true(keys.includes(`{${e.prefix}}:queues`));
});

test('the Lua key suffixes agree with QueueKeys', (t) => {
  const lua = readFileSync(join(LUA_DIR, 'includes', 'keys.lua'), 'utf8');
  const k = new QueueKeys('p', 'q');
  const fromLua = (fn: string) => {
    const m = new RegExp(`local function ${fn}\\(base, \\w+\\) return base \\.\\. '([^']+)' \\.\\.`).exec(
      lua,
    );
    return m?.[1];
  };
  t.is(`${k.base + fromLua('taskKey')}ID`, k.task('ID'));
  t.is(`${k.base + fromLua('depsKey')}ID`, k.dependents('ID'));
  t.is(`${k.base + fromLua('doneKey')}failed`, k.done('failed'));
  t.is(`${k.base + fromLua('windowKey')}W`, k.window('W'));
  t.is(`${k.base + fromLua('runningKey')}W`, k.running('W'));
  t.is(`${k.base + fromLua('secondKey')}5`, k.perSecond(5));
  // Suffixes the scripts use directly.
  const scripts = ['lifecycle.lua', 'lanes.lua']
    .map((f) => readFileSync(join(LUA_DIR, 'includes', f), 'utf8'))
    .join('\n');
  for (const [suffix, key] of [
    ['ready', k.ready],
    ['sched', k.scheduled],
    ['pending', k.pending],
    ['parents', k.parents],
    ['seq', k.seq],
    ['idem', k.idempotency],
  ]) {
    t.true(scripts.includes(`base .. '${suffix}'`), suffix);
    t.is(key, k.base + suffix!);
  }
  const record = readFileSync(join(LUA_DIR, 'includes', 'record.lua'), 'utf8');
  for (const [suffix, key] of [
    ['wake', k.wake],
    ['stealwake', k.stealWake],
  ]) {
    t.true(record.includes(`base .. '${suffix}'`), suffix);
    t.is(key, k.base + suffix!);
  }
});

test('the Lua latency buckets agree with LATENCY_BOUNDS_MS', (t) => {
  const lua = readFileSync(join(LUA_DIR, 'includes', 'latency.lua'), 'utf8');
  const m = /LATENCY_BOUNDS = \{ ([\d, ]+) \}/.exec(lua);
  t.deepEqual(
    m?.[1]?.split(',').map((x) => Number(x.trim())),
    [...LATENCY_BOUNDS_MS],
  );
  const names = /LATENCY_NAMES = \{([^}]+)\}/.exec(lua);
  t.deepEqual(
    names?.[1]?.split(',').map((x) => x.trim().replace(/'/g, '')),
    LATENCY_BOUNDS_MS.map((b) => latencyBucket(b)),
  );
});
