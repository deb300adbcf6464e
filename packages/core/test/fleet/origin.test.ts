/**
 * The origin marker (fleet/origin.ts) on a real redis-server: a data set that
 * disappears is noticed by every process that knew it, counted once, and
 * recorded once in the fleet event stream; a data set that stays raises nothing.
 */
import { Writable } from 'node:stream';
import test from 'ava';
import {
  createLogger,
  DataLossDetector,
  EngineContext,
  originKey,
  rangeEvents,
  watchDataLoss,
} from '../../src/index.js';
import { uniquePrefix, useRedisServer, waitFor } from '../../src/testing/index.js';

const redis = useRedisServer(test);

function contexts(n: number) {
  const prefix = uniquePrefix();
  return Array.from({ length: n }, () => new EngineContext({ redis: redis.server.client(), prefix }));
}

async function lossEvents(ctx: EngineContext) {
  const raw = (await ctx.redis.xrange(ctx.fleet.events, '-', '+')) as [string, string[]][];
  return raw.filter(([, f]) => f[1] === 'redis:data-lost').map(([, f]) => f);
}

test('the first check writes the marker; later checks on the same data set find nothing lost', async (t) => {
  const [a, b] = contexts(2);
  const da = new DataLossDetector(a!, 'a');
  const first = await da.check();
  t.false(first.lost);
  t.is(first.origin.losses, 0);
  const second = await new DataLossDetector(b!, 'b').check();
  t.is(second.origin.id, first.origin.id, 'a second process adopts the same marker');
  t.false((await da.check()).lost);
  t.deepEqual(await lossEvents(a!), []);
});

test('the marker gone: every process that knew it notices; one counts it and records one event', async (t) => {
  const [a, b, c] = contexts(3);
  const [da, db] = [new DataLossDetector(a!, 'a'), new DataLossDetector(b!, 'b')];
  const before = await da.check();
  await db.check();
  await a!.redis.del(originKey(a!));
  const [ra, rb] = await Promise.all([da.check(), db.check()]);
  t.true(ra.lost && rb.lost, 'both notice');
  t.is([ra, rb].filter((r) => r.counted).length, 1, 'one counts it');
  t.is(ra.origin.id, rb.origin.id);
  t.is(ra.origin.losses, 1);
  t.like(ra.previous, { id: before.origin.id });
  t.true((ra.origin.lostAt ?? 0) > 0);
  const events = await lossEvents(a!);
  t.is(events.length, 1);
  t.true(events[0]!.includes(before.origin.id) && events[0]!.includes('1'));
  // A process that starts after the loss knows no earlier data set: nothing to report.
  t.false((await new DataLossDetector(c!, 'c').check()).lost);
  t.false((await da.check()).lost, 'reported once, not at every check');
});

test('a marker rewritten by a process that did not know the old one is still counted by one that did', async (t) => {
  const [a, b] = contexts(2);
  const da = new DataLossDetector(a!, 'a');
  await da.check();
  await a!.redis.del(originKey(a!));
  // A fresh process gets there first and writes a marker with no loss in it.
  t.is((await new DataLossDetector(b!, 'b').check()).origin.losses, 0);
  const seen = await da.check();
  t.true(seen.lost && seen.counted);
  t.is(seen.origin.losses, 1);
  t.is((await lossEvents(a!)).length, 1);
});

test('the events of the data loss are in the fleet stream only (no queue stream touched)', async (t) => {
  const [a] = contexts(1);
  const da = new DataLossDetector(a!, 'a');
  await da.check();
  await a!.redis.del(originKey(a!));
  await da.check();
  t.deepEqual(await rangeEvents(a!.redis, a!.keys('default').events, '-', 10), []);
});

test('back on a data set it was on before (a stray node and back): not rewritten, not counted, nobody else alarmed', async (t) => {
  const [a, b] = contexts(2);
  const [da, db] = [new DataLossDetector(a!, 'a'), new DataLossDetector(b!, 'b')];
  const first = await da.check();
  await db.check();
  const key = originKey(a!);
  const stored = await a!.redis.get(key);
  // During a failover `a` is sent for a moment to an old master restarted empty: no marker
  // there, so it counts a loss there (on that node's stream, gone with it).
  await a!.redis.del(key);
  const away = await da.check();
  t.true(away.lost && away.counted);
  await a!.redis.del(a!.fleet.events);
  // Then it reaches the new master again, whose data set `b` never left.
  await a!.redis.set(key, stored!);
  const back = await da.check();
  t.false(back.lost, 'the data set it comes back to was not lost');
  t.true(back.returned);
  t.false(back.counted);
  t.is(back.origin.id, first.origin.id);
  t.like(back.previous, { id: away.origin.id });
  t.is(await a!.redis.get(key), stored, 'its marker is not rewritten');
  t.deepEqual(await lossEvents(a!), [], 'no loss recorded');
  const stayed = await db.check();
  t.false(stayed.lost || stayed.returned, 'a process that stayed notices nothing');
  t.false((await da.check()).returned, 'said once');
});

test('the watch logs a loss at error level, and a return to a data set it knew at warn level, once each', async (t) => {
  const [a] = contexts(1);
  const lines: { level: number; event?: string }[] = [];
  const log = createLogger({
    format: 'json',
    dest: new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(JSON.parse(chunk.toString()));
        cb();
      },
    }),
  });
  const watch = watchDataLoss(a!, { by: 'a', log, intervalMs: 20 });
  const key = originKey(a!);
  watch.start();
  t.teardown(() => watch.stop());
  await waitFor(async () => (await a!.redis.get(key)) !== null, { timeoutMs: 5000, what: 'the marker' });
  const stored = await a!.redis.get(key);
  await a!.redis.del(key);
  const logged = (event: string) => lines.filter((l) => l.event === event);
  await waitFor(() => logged('redis:data-lost').length > 0, { timeoutMs: 5000, what: 'the loss logged' });
  await a!.redis.set(key, stored!);
  await waitFor(() => logged('redis:data-set-returned').length > 0, {
    timeoutMs: 5000,
    what: 'the return logged',
  });
  await new Promise((r) => setTimeout(r, 100));
  t.deepEqual(
    lines.filter((l) => l.event !== undefined).map((l) => [l.event, l.level]),
    [
      ['redis:data-lost', 50],
      ['redis:data-set-returned', 40],
    ],
  );
});
