/**
 * What a script call records (lua/includes/record.lua) is that call's alone:
 * a call that raises an error midway, after it noted transitions and counted
 * them, leaves nothing behind for the next call. As functions of one library
 * the includes' top-level locals outlive a call, so this holds because each
 * call makes its own record, not because the library resets shared tables.
 */
import test from 'ava';
import { rangeEvents } from '../../src/index.js';
import { useEngine } from './fixture.js';

const engine = useEngine(test);

test('a call that fails midway leaves no events or counters for the next call', async (t) => {
  const e = await engine.make();
  const keys = e.client.ctx.keys('default');
  const [a, b] = await e.client.submitMany([{ type: 'x' }, { type: 'x' }]);
  // a's dependents set holds a string: cancelling a ends it (a `cancelled` event noted and
  // counted), then fails when it looks for dependents to cancel, before anything is written out.
  await e.redis.set(keys.dependents(a!.id), 'not a set');
  const [last] = (await e.redis.xrevrange(keys.events, '+', '-', 'COUNT', 1)) as [string, string[]][];
  const error = await t.throwsAsync(e.client.cancel(a!.id));
  t.regex(error?.message ?? '', /WRONGTYPE/);

  await e.client.cancel(b!.id);
  const after = (await rangeEvents(e.redis, keys.events, last![0], 100)).filter(
    (ev) => ev.streamId !== last![0],
  );
  t.deepEqual(
    after.map((ev) => [ev.state, ev.ids, ev.reason]),
    [['cancelled', [b!.id], 'cancelled']],
    "only the second call's transition, not the failed call's",
  );
  t.is((await e.redis.hget(keys.totals, 'cancelled')) ?? '0', '1', "the failed call's cancel is not counted");
});
