/**
 * telemetry.traceRateLimit bounds the traces a process starts: a producer's
 * submits beyond the limit are stored unsampled, and the worker follows what
 * the producer decided — each task's trace whole or absent.
 */
import test from 'ava';
import { inTraceScene, spanNamesOf } from './trace-scene.js';

const TASKS = 40;
/** A burst of 2, then 2 a second: far fewer than the tasks submitted here in a second or two. */
const LIMIT = 2;

test('a producer starts at most the limit of traces; the worker traces those whole, and no other', async (t) => {
  await inTraceScene(async ({ client, spans, startTracing, stopTracing, startWorker }) => {
    const ids: string[] = [];
    const started = Date.now();
    await startTracing({ traceRateLimit: LIMIT });
    for (let i = 0; i < TASKS; i++) ids.push((await client.submit({ type: 'echo', payload: i })).id);
    const elapsedS = (Date.now() - started) / 1000;
    const flags = await Promise.all(
      ids.map(async (id) => (await client.get(id)).trace?.traceparent?.slice(-2)),
    );
    t.true(
      flags.every((f) => f === '00' || f === '01'),
      'every submit stored its trace context',
    );
    const sampled = flags.filter((f) => f === '01').length;
    t.true(sampled >= 1 && sampled <= LIMIT + Math.ceil(elapsedS * LIMIT), `${sampled} traces started`);
    const worker = await startWorker();
    for (const id of ids) await client.wait(id, { timeoutMs: 20_000 });
    await worker.close();
    await stopTracing();
    ids.forEach((id, i) => {
      t.is(
        spanNamesOf(spans.spans, id),
        flags[i] === '01' ? 'dtps.attempt,dtps.queue_wait,dtps.submit' : '',
        id,
      );
    });
  });
});
