/**
 * Fuzzing of damaged task data in Redis (garbage fields in a task hash, a
 * missing hash whose id is still queued, a key of the wrong type) against the
 * worker's claim path and the readers: no exception but typed ones, the
 * damaged task quarantined (failed, `corrupt_task`) or run as far as it can
 * be read, every task terminal once the worker reports, and the sound tasks
 * beside it unaffected.
 */
import test from 'ava';
import fc from 'fast-check';
import { isTerminal } from '../../src/index.js';
import { useEngine } from '../engine/fixture.js';

const engine = useEngine(test);

const storedString = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.json({ maxDepth: 2 }),
  fc.constant(''),
  fc.integer().map(String),
  fc.constantFrom(
    '{"t":',
    '{"t":"x","c":1,"p":99,"r":-1}',
    '{"t":"x","c":1,"p":5,"r":0,"dp":"oops"}',
    'nan',
    '-1',
  ),
);
const FIELDS = ['d', 'pl', 'a', 'dl', 's', 'p', 'e', 'eh', 'r', 'w'] as const;

/** One way to damage a task. */
const damage = fc.oneof(
  {
    arbitrary: fc
      .dictionary(fc.constantFrom(...FIELDS), storedString, { minKeys: 1 })
      .map((fields) => ({ fields })),
    weight: 4,
  },
  { arbitrary: fc.constant({ missing: true as const }), weight: 1 },
  {
    arbitrary: fc.constantFrom('string', 'list', 'set', 'zset').map((wrongType) => ({ wrongType })),
    weight: 1,
  },
);

test('damaged tasks at claim: no crash, the sound ones run, every task ends terminal', async (t) => {
  const e = await engine.make();
  const k = e.client.ctx.keys('default');
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(damage, { minLength: 1, maxLength: 3 }), async (damages) => {
      const worker = `w${run++}`;
      const ops = e.ops(worker);
      const ids = (
        await e.client.submitMany(
          Array.from({ length: damages.length + 2 }, () => ({ type: 'x', maxRetries: 0 })),
        )
      ).map((s) => s.id);
      const sound = [ids[0]!, ids.at(-1)!];
      for (const [i, d] of damages.entries()) {
        const key = k.task(ids[i + 1]!);
        if ('fields' in d) await e.redis.hset(key, d.fields);
        else {
          await e.redis.del(key);
          if ('wrongType' in d) {
            if (d.wrongType === 'string') await e.redis.set(key, 'x');
            else if (d.wrongType === 'list') await e.redis.rpush(key, 'x');
            else if (d.wrongType === 'set') await e.redis.sadd(key, 'x');
            else await e.redis.zadd(key, 1, 'x');
          }
        }
      }
      const { tasks } = (await ops.cycle('default', { claim: { max: 10, start: 10 } })).claim;
      for (const id of sound) {
        const c = tasks.find((x) => x.id === id);
        if (!c || c.corrupt !== undefined || !c.started)
          throw new Error(`sound task ${id} was not handed out: ${JSON.stringify(c)}`);
      }
      const corrupt = tasks.filter((x) => x.corrupt !== undefined);
      const fine = tasks.filter((x) => x.corrupt === undefined);
      await ops.fail(
        'default',
        corrupt.map((x) => ({
          id: x.id,
          attempt: x.attempt,
          message: x.corrupt!,
          reason: 'corrupt_task',
          permanent: true,
        })),
      );
      // The sound ones succeed; the others that decoded fail a retryable attempt (the retry path
      // reads the damaged fields too). With maxRetries 0 that ends them.
      const [succeed, fail] = [
        fine.filter((x) => sound.includes(x.id)),
        fine.filter((x) => !sound.includes(x.id)),
      ];
      await ops.fail(
        'default',
        fail.map((x) => ({
          id: x.id,
          attempt: x.attempt,
          message: 'boom',
          reason: 'handler_error',
          permanent: false,
        })),
      );
      await ops.complete(
        'default',
        succeed.map((x) => ({ id: x.id, attempt: x.attempt, result: 'ok' })),
      );
      for (const id of ids) {
        const task = await e.client.get(id);
        if (!isTerminal(task.state) && task.unreadable?.field !== 'state')
          throw new Error(`task ${id} is ${task.state} after the round: ${JSON.stringify(task)}`);
      }
      for (const id of sound) {
        const task = await e.client.get(id);
        if (task.state !== 'succeeded') throw new Error(`sound task ${id} ended ${task.state}`);
      }
      // The readers take the damaged tasks too.
      await e.client.list({ state: 'failed', limit: 1000 });
      await e.client.list({ limit: 1000 });
      return true;
    }),
    { numRuns: 60 },
  );
  t.pass();
});
