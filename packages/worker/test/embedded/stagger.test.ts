/**
 * The lock-step of a busy worker (see STAGGER_MS in packages/worker/src/queue/round-pacer.ts): when
 * Redis answers two rounds in one write, both replies reach the worker in one
 * turn of its event loop. If it then sent its next two rounds together, Redis
 * would read them together and answer them together again, and the pair would
 * stay in step — Redis idle while the worker runs, and the other way round.
 *
 * Here the worker's round replies are held and let go two at a time, as such a
 * write would deliver them, every few milliseconds (so rounds take long enough
 * to be staggered). The worker must never send two rounds in one turn.
 */
import { useRedisServer } from '@dtps/core/testing';
import test from 'ava';
import { aroundRounds, embed, until } from './harness.js';

const redis = useRedisServer(test);

const TASKS = 30_000;
/** Rounds watched; the first ones are left out while the worker learns how long rounds take. */
const ROUNDS_WATCHED = 100;
const WARM_UP_ROUNDS = 30;
const RELEASE_EVERY_MS = 4;

test('replies that arrive together do not make the worker send its next rounds together', async (t) => {
  const e = await embed(
    t,
    redis.server,
    {
      handlers: { noop: () => null },
      pool: { size: 400, min: 400, max: 400 },
      prefetch: 0,
      autoscale: { enabled: false },
    },
    false,
  );
  for (let i = 0; i < TASKS; i += 1000) {
    await e.client.submitMany(Array.from({ length: 1000 }, () => ({ type: 'noop' })));
  }

  let holding = true;
  const held: (() => void)[] = [];
  let sends = 0;
  let sameTurnSends = 0;
  let sentThisTurn = false;
  aroundRounds(e.worker, async (send) => {
    sends++;
    if (sentThisTurn && sends > WARM_UP_ROUNDS) sameTurnSends++;
    if (!sentThisTurn) {
      sentThisTurn = true;
      setImmediate(() => {
        sentThisTurn = false;
      });
    }
    const reply = await send();
    if (holding) await new Promise<void>((r) => held.push(r));
    return reply;
  });

  const releaser = setInterval(() => {
    for (const r of held.splice(0, 2)) r();
  }, RELEASE_EVERY_MS);
  // Whatever happens below, no reply stays held (closing the worker waits for its rounds).
  const letGo = () => {
    holding = false;
    clearInterval(releaser);
    for (const r of held.splice(0)) r();
  };
  t.teardown(letGo);

  await e.worker.start();
  await until(`${ROUNDS_WATCHED} rounds`, () => sends >= ROUNDS_WATCHED, 60_000);
  letGo();
  const { processed } = e.worker.stats;
  t.log(`${sends} rounds sent, ${sameTurnSends} in the turn of another; ${processed} tasks done`);
  // Up to half the pool a round once busy (about 190 a round here when unloaded): the rounds
  // watched were the big ones this is about, with room for a loaded machine's smaller ones.
  t.true(processed >= 100 * (sends - WARM_UP_ROUNDS), 'rounds of the busy case');
  t.is(sameTurnSends, 0);
});
