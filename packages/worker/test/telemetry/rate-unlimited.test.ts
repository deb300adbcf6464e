/**
 * telemetry.traceRateLimit 0 lifts the limit: a worker traces every task it
 * runs (here tasks stored without a trace context, more than the default
 * limit's burst of 100 at once).
 */
import test from 'ava';
import { inTraceScene } from './trace-scene.js';

const TASKS = 300;

test('a limit of 0 traces every task', async (t) => {
  await inTraceScene(async ({ client, spans, startTracing, stopTracing, startWorker }) => {
    // Submitted before telemetry starts: stored with `trace: null`, decided by the worker.
    const ids = (
      await client.submitMany(Array.from({ length: TASKS }, (_, i) => ({ type: 'echo', payload: i })))
    ).map((r) => r.id);
    await startTracing({ traceRateLimit: 0 });
    const worker = await startWorker();
    for (const id of ids) await client.wait(id, { timeoutMs: 20_000 });
    await worker.close();
    await stopTracing();
    const attempts = new Set(
      spans.spans.filter((s) => s.name === 'dtps.attempt').map((s) => s.attributes['messaging.message.id']),
    );
    t.is(attempts.size, TASKS);
    t.is(spans.spans.filter((s) => s.name === 'dtps.task').length, TASKS);
  });
});
