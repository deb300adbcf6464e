/** The monitor as the Coordinator runs it (`monitor` option): wired to the lease and the roll-up. */
import { uniquePrefix } from '@dtps/core/testing';
import test from 'ava';
import { Coordinator } from '../../src/coordinator.js';
import { eventually, useMonitor } from './fixture.js';

const fx = useMonitor(test);

test('a Coordinator with `monitor` serves it on its url, reporting the lease and the roll-up', async (t) => {
  const redis = fx.connect();
  const coordinator = new Coordinator({
    redis,
    engine: { prefix: uniquePrefix() },
    id: 'coord-a',
    leaseMs: 3000,
    monitor: { host: '127.0.0.1', port: 0 },
  });
  await coordinator.start();
  t.teardown(() => coordinator.close());
  const url = coordinator.monitorUrl!;
  t.regex(url, /^http:\/\/127\.0\.0\.1:\d+$/);

  const ready = (await (await fetch(`${url}/readyz`)).json()) as {
    coordinator: { id: string; role: string };
  };
  t.is(ready.coordinator.id, 'coord-a');
  t.is(ready.coordinator.role, 'leading');
  const overview = (await (await fetch(`${url}/api/v1/overview`)).json()) as { leader: string };
  t.is(overview.leader, 'coord-a');

  const submitted = await fetch(`${url}/api/v1/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'echo' }),
  });
  t.is(submitted.status, 201);
  // The leader's roll-up feeds the queue's series and the recommendation.
  const rolled = await eventually(async () => {
    const q = (await (await fetch(`${url}/api/v1/queues/default`)).json()) as { series: { source: string } };
    return q.series.source === 'rollup';
  }, 4000);
  t.true(rolled);
  const metrics = await (await fetch(`${url}/metrics`)).text();
  t.regex(metrics, /^dtps_coordinator_leader\{coordinator="coord-a"\} 1$/m);
  t.regex(metrics, /^dtps_tasks_submitted_total\{queue="default"\} 1$/m);
});

test('a Coordinator asked to serve the monitor beyond loopback without a token does not start it', async (t) => {
  const coordinator = new Coordinator({
    redis: fx.connect(),
    engine: { prefix: uniquePrefix() },
    monitor: { host: '0.0.0.0', port: 0 },
  });
  t.teardown(() => coordinator.close());
  const err = await t.throwsAsync(coordinator.start());
  t.regex(err!.message, /monitor\.token/);
  t.is(coordinator.monitorUrl, undefined);
});
