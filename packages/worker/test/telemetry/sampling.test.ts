/**
 * telemetry.traceSampleRatio keeps a share of the tasks' traces, whole: a
 * task's spans are all kept or all dropped, also for tasks stored without a
 * trace context (whose stand-in root and attempts are decided by trace id).
 */
import test from 'ava';
import { inTraceScene, spanNamesOf } from './trace-scene.js';

const EACH = 20;

test('a sample ratio keeps whole traces: all of a task or none of it', async (t) => {
  await inTraceScene(async ({ client, spans, startTracing, stopTracing, startWorker }) => {
    const untraced: string[] = [];
    const traced: string[] = [];
    for (let i = 0; i < EACH; i++) untraced.push((await client.submit({ type: 'echo', payload: i })).id);
    await startTracing({ traceSampleRatio: 0.5 });
    for (let i = 0; i < EACH; i++) traced.push((await client.submit({ type: 'echo', payload: i })).id);
    const worker = await startWorker();
    for (const id of [...untraced, ...traced]) await client.wait(id, { timeoutMs: 20_000 });
    await worker.close();
    await stopTracing();
    for (const [ids, whole] of [
      [untraced, 'dtps.attempt,dtps.queue_wait,dtps.task'],
      [traced, 'dtps.attempt,dtps.queue_wait,dtps.submit'],
    ] as const) {
      const seen = ids.map((id) => spanNamesOf(spans.spans, id));
      for (const names of seen) t.true(names === '' || names === whole, names);
      const kept = seen.filter((n) => n !== '').length;
      t.true(kept > 0 && kept < EACH, `kept ${kept} of ${EACH}: some, not all`);
    }
  });
});
