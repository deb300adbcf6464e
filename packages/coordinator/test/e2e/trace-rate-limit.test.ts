/**
 * telemetry.traceRateLimit keeps traces whole across processes. Tasks stored
 * without a trace context (their producer did not trace) are decided by the
 * worker that runs their first attempt, rate limit included; the decision
 * goes with the failure report into the task's stored trace context, so that
 * another worker process running the retry, and the coordinator recording the
 * retry, follow it — even though the second worker's own limiter has room.
 */
import { Client, createRedis, taskTraceIds } from '@dtps/core';
import { uniquePrefix, useRedisServer, waitFor } from '@dtps/core/testing';
import test from 'ava';
import { type Daemon, DEMO_HANDLERS, spawnCoordinator, spawnWorker, stopAll } from './daemon.js';
import { EVENTS_ENV } from './fixture.js';
import { OtlpReceiver } from './otlp-receiver.js';

const TASKS = 8;
/** What a task traced whole holds: its stand-in root, queue wait, both attempts and the coordinator's retry. */
const WHOLE = 'dtps.attempt,dtps.attempt,dtps.queue_wait,dtps.retry,dtps.task';

const redis = useRedisServer(test);
const daemons: Daemon[] = [];
let receiver: OtlpReceiver | undefined;
test.after.always(async () => {
  await stopAll(daemons);
  await receiver?.stop();
});

/** SIGTERM: each daemon flushes its spans as it stops. */
async function stopGracefully(list: Daemon[]): Promise<void> {
  for (const d of list) d.signal('SIGTERM');
  await Promise.all(list.map((d) => d.waitForExit()));
}

test('a retried task is traced whole or not at all across two workers and the coordinator, the limit binding', async (t) => {
  receiver = await OtlpReceiver.start();
  const prefix = uniquePrefix();
  const env = {
    ...EVENTS_ENV,
    DTPS_TELEMETRY_TRACES: 'true',
    DTPS_TELEMETRY_OTLP_ENDPOINT: receiver.url,
    // One trace a second per process: the first worker traces one or two of the first attempts.
    DTPS_TELEMETRY_TRACE_RATE_LIMIT: '1',
    OTEL_BSP_SCHEDULE_DELAY: '100',
  };
  const common = { redisUrl: redis.server.url, prefix, env };
  const conn = createRedis(redis.server.url);
  const client = new Client({ redis: conn, prefix });
  const names = (id: string) =>
    receiver!
      .ofTask(id)
      .map((s) => s.name)
      .sort()
      .join(',');
  const details = () =>
    `${ids.map((id) => `${id}: ${names(id)}`).join('\n')}\nrefused: ${receiver!.refused.join('; ')}\nspans: ${receiver!.spans
      .map((s) => `${s.service}:${s.name}`)
      .join(' ')}\n${daemons.map((d) => d.tail()).join('\n')}`;
  const ids: string[] = [];
  try {
    daemons.push(await spawnCoordinator({ ...common, id: 'coord' }));
    // No telemetry in this process: each task is stored with `trace: null`.
    for (let i = 0; i < TASKS; i++) {
      const r = await client.submit({
        type: 'flaky',
        payload: { failTimes: 1 },
        maxRetries: 2,
        backoff: { type: 'fixed', baseMs: 3000, jitter: false },
      });
      ids.push(r.id);
    }
    const first = await spawnWorker({ ...common, id: 'w1', handlers: DEMO_HANDLERS, slots: TASKS });
    daemons.push(first);
    await waitFor(
      async () =>
        (await Promise.all(ids.map((id) => client.get(id)))).every((task) => task.state === 'scheduled'),
      { what: 'every first attempt to fail', details },
    );
    // The retries run in another process, whose limiter starts full.
    await stopGracefully(daemons.splice(daemons.indexOf(first), 1));
    daemons.push(await spawnWorker({ ...common, id: 'w2', handlers: DEMO_HANDLERS, slots: TASKS }));
    for (const id of ids) t.is((await client.wait(id, { timeoutMs: 30_000 })).state, 'succeeded');

    const stored = await Promise.all(ids.map(async (id) => (await client.get(id)).trace?.traceparent ?? ''));
    const traced = ids.filter((_, i) => stored[i]!.endsWith('-01'));
    stored.forEach((tp, i) => {
      const { traceId, spanId } = taskTraceIds(ids[i]!);
      t.regex(tp, new RegExp(`^00-${traceId}-${spanId}-0[01]$`), 'the stand-in root, sampled or not');
    });
    t.true(
      traced.length > 0 && traced.length < TASKS,
      `the limit binds: ${traced.length} of ${TASKS} traced`,
    );
    await waitFor(() => traced.every((id) => names(id) === WHOLE), {
      what: 'the traced tasks whole',
      details,
    });
  } finally {
    await stopGracefully(daemons.splice(0));
    await client.close();
    conn.disconnect();
  }
  for (const id of ids) {
    const spans = receiver.ofTask(id);
    t.true(names(id) === '' || names(id) === WHOLE, `task ${id}: whole or nothing, not ${names(id)}`);
    for (const s of spans) t.is(s.traceId, taskTraceIds(id).traceId);
  }
});
