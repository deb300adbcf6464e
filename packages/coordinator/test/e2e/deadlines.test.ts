/**
 * Issue 4, "Done when" 4, with a coordinator and no worker at all: queued,
 * scheduled and pending tasks past their deadline end `expired` without
 * running; their dependents end `cancelled` (dependency_failed),
 * transitively; due scheduled tasks are promoted to `queued` by the
 * coordinator alone; nothing else moves.
 */
import type { Task } from '@dtps/core';
import { uniquePrefix, useRedisServer, waitForValue } from '@dtps/core/testing';
import test from 'ava';
import { type Daemon, spawnCoordinator, stopAll } from './daemon.js';
import { EVENTS_ENV, scope, transitionsByTask } from './fixture.js';

const redis = useRedisServer(test);
const daemons: Daemon[] = [];
test.after.always(() => stopAll(daemons));

test('no worker: tasks past their deadline expire without running, their dependents are cancelled, due tasks are promoted', async (t) => {
  const s = scope(redis.server, uniquePrefix());
  t.teardown(() => s.close());
  const coordinator = await spawnCoordinator({
    redisUrl: redis.server.url,
    prefix: s.prefix,
    id: 'coord',
    env: EVENTS_ENV,
  });
  daemons.push(coordinator);
  await coordinator.waitForLog('leading');
  const submit = async (spec: Parameters<typeof s.client.submit>[0]) => (await s.client.submit(spec)).id;
  const now = Date.now();
  const deadline = now + 2000;

  const far = await submit({ type: 'noop', delayMs: 600_000 }); // scheduled for 10 minutes, no deadline
  const queued = await submit({ type: 'noop', deadline });
  const child = await submit({ type: 'noop', dependsOn: [queued] });
  const grandchild = await submit({ type: 'noop', dependsOn: [child] });
  const scheduled = await submit({ type: 'noop', runAt: deadline - 1, deadline });
  const ofScheduled = await submit({ type: 'noop', dependsOn: [scheduled] });
  const pending = await submit({ type: 'noop', dependsOn: [far], deadline });
  const ofPending = await submit({ type: 'noop', dependsOn: [pending] });
  const due = await submit({ type: 'noop', delayMs: 800 }); // to be promoted
  const plain = await submit({ type: 'noop' });
  const later = await submit({ type: 'noop', deadline: now + 600_000 });

  const initial = Object.fromEntries(
    (await s.tasks([queued, scheduled, pending, due])).map((task) => [task.id, task.state]),
  );
  t.deepEqual(initial, {
    [queued]: 'queued',
    [scheduled]: 'scheduled',
    [pending]: 'pending',
    [due]: 'scheduled',
  });

  const all = [far, queued, child, grandchild, scheduled, ofScheduled, pending, ofPending, due, plain, later];
  const ended = (task: Task | undefined, state: string) => task?.state === state;
  const tasks = await waitForValue(
    () => s.tasks(all),
    (ts) => {
      const m = new Map(ts.map((x) => [x.id, x]));
      return (
        [queued, scheduled, pending].every((id) => ended(m.get(id), 'expired')) &&
        [child, grandchild, ofScheduled, ofPending].every((id) => ended(m.get(id), 'cancelled')) &&
        ended(m.get(due), 'queued')
      );
    },
    {
      timeoutMs: 30_000,
      what: 'the sweeps to expire, cancel and promote',
      details: () => coordinator.tail(),
    },
  );
  const byId = new Map(tasks.map((x) => [x.id, x]));

  for (const id of [queued, scheduled, pending]) {
    const task = byId.get(id)!;
    t.is(task.state, 'expired');
    t.is(task.reason, 'deadline');
    t.is(task.attempts, 0, 'it never ran');
    t.is(task.startedAt, null);
    t.true(task.finishedAt! >= deadline, 'not expired before its deadline');
  }
  for (const id of [child, grandchild, ofScheduled, ofPending]) {
    const task = byId.get(id)!;
    t.is(task.state, 'cancelled');
    t.is(task.reason, 'dependency_failed');
    t.is(task.attempts, 0);
  }
  t.is(byId.get(due)!.state, 'queued', 'the due task was promoted');
  t.is(byId.get(far)!.state, 'scheduled', 'a task not due stays scheduled');
  t.is(byId.get(plain)!.state, 'queued');
  t.is(byId.get(later)!.state, 'queued', 'a task whose deadline is ahead stays queued');
  const counts = await s.counts();
  t.like(counts, { expired: 3, cancelled: 4, queued: 3, scheduled: 1, pending: 0, reserved: 0, running: 0 });

  // The event stream: nothing was ever reserved or started; each ended once; the promotion is there.
  const events = await s.events();
  t.deepEqual(
    events.filter((e) => ['reserved', 'running', 'succeeded', 'failed'].includes(e.state)),
    [],
  );
  const transitions = transitionsByTask(events);
  for (const id of [queued, scheduled, pending, child, grandchild, ofScheduled, ofPending]) {
    const terminal = (transitions.get(id) ?? []).filter((e) => ['expired', 'cancelled'].includes(e.state));
    t.is(terminal.length, 1, `task ${id} ended once`);
  }
  const promoted = (transitions.get(due) ?? []).find((e) => e.state === 'queued');
  t.is(promoted?.reason, 'due');
  const late = [queued, scheduled, pending].map((id) => byId.get(id)!.finishedAt! - deadline);
  t.log(
    `expired ${late.join(', ')} ms after the deadline; the scheduled one went ${(
      transitions.get(scheduled) ?? []
    )
      .map((e) => e.state)
      .join(' → ')}; ` + `promoted ${promoted!.at - (now + 800)} ms after its run time`,
  );
});
