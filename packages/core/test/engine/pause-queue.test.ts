/**
 * Queue pause and resume (an operator's act on a whole queue, distinct from
 * pausing a worker): while paused no task of the queue starts anywhere — a
 * claim hands out nothing, reserved tasks go back to the queue, no submit is
 * handed to an idle worker — while submits are accepted; resume wakes a
 * blocked worker and claims hand out again.
 */
import test from 'ava';
import { ValidationError } from '../../src/index.js';
import { claim, useEngine } from './fixture.js';

const engine = useEngine(test);

test('a paused queue starts nothing anywhere; submits are accepted; resume hands out again', async (t) => {
  const e = await engine.make();
  const k = e.client.ctx.keys('default');
  await e.client.submitMany([{ type: 'a' }, { type: 'b' }, { type: 'c' }, { type: 'd' }]);
  const w1 = e.ops('w1');
  const first = await claim(w1, 'default', { max: 3, start: 1 });
  t.is(first.tasks.length, 3, 'one started, two reserved');

  const paused = await e.client.pauseQueue('default');
  t.deepEqual(paused, { queue: 'default', paused: true, changed: true, released: 2 });
  t.is(await e.redis.zcard(k.window('w1')), 0, 'what w1 had reserved is back in the queue');
  t.like(await e.client.queueState('default'), { queue: 'default', paused: true, limits: [] });
  t.like(await e.client.counts(), { running: 1, reserved: 0, queued: 3 });

  // Nothing is handed out: not by a claim, not by a steal, and a dry claim registers no one idle.
  const w2 = e.ops('w2');
  const dry = await w2.cycle('default', {
    claim: { max: 5, start: 5, steal: 5 },
    idle: { register: true, leave: false, ttlMs: 10_000 },
  });
  t.is(dry.claim.tasks.length, 0);
  t.false(dry.registered, 'no idle registration while paused');
  t.is(await e.redis.hlen(k.idle), 0);
  // A submit is accepted, and waits.
  const later = await e.client.submit({ type: 'e' });
  t.is(later.state, 'queued');
  t.like(await e.client.counts(), { queued: 4, running: 1 });
  // The running task finishes as usual.
  const [done] = first.tasks.filter((x) => x.started);
  t.deepEqual(await w1.complete('default', [{ id: done!.id, attempt: done!.attempt, result: null }]), [true]);
  t.false((await e.client.pauseQueue('default')).changed, 'pausing twice changes nothing');

  const resumed = await e.client.resumeQueue('default');
  t.deepEqual(resumed, { queue: 'default', paused: false, changed: true, released: 0 });
  t.is(await e.redis.llen(k.wake), 1, 'a blocked worker is woken');
  const again = await claim(w2, 'default', { max: 10, start: 10 });
  t.is(again.tasks.length, 4, 'every task that waited starts');
  t.like(await e.client.queueState('default'), { paused: false, pausedAt: null });
  t.false((await e.client.resumeQueue('default')).changed);
});

test('a queue name that is not one is refused, naming queue, and nothing is written', async (t) => {
  const e = await engine.make();
  await t.throwsAsync(() => e.client.pauseQueue('no spaces'), {
    instanceOf: ValidationError,
    message: /^queue:/,
  });
  t.deepEqual(await e.keys(), []);
});
