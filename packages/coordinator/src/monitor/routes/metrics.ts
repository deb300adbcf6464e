import { LATENCY_BOUNDS_MS, latencyBuckets, readOrigin, TASK_STATES, type WorkerView } from '@dtps/core';
import type { FastifyInstance } from 'fastify';
import { type MonitorContext, workerStatus } from '../context.js';
import { EXPOSITION_CONTENT_TYPE, Exposition } from '../exposition.js';
import { limitMetrics } from './limit-metrics.js';

/** Cumulative per-queue counters of the engine (the `totals` hash) and their Prometheus names. */
const COUNTERS: readonly { field: string; name: string; help: string }[] = [
  { field: 'submitted', name: 'dtps_tasks_submitted_total', help: 'Tasks accepted by submit.' },
  { field: 'started', name: 'dtps_tasks_started_total', help: 'Attempts started on a worker slot.' },
  { field: 'succeeded', name: 'dtps_tasks_succeeded_total', help: 'Tasks that ended succeeded.' },
  {
    field: 'failed',
    name: 'dtps_tasks_failed_total',
    help: 'Tasks that ended failed (retries exhausted or a permanent error).',
  },
  {
    field: 'retried',
    name: 'dtps_tasks_retried_total',
    help: 'Failed attempts followed by a scheduled retry.',
  },
  { field: 'expired', name: 'dtps_tasks_expired_total', help: 'Tasks that ended expired at their deadline.' },
  { field: 'cancelled', name: 'dtps_tasks_cancelled_total', help: 'Tasks that ended cancelled.' },
  {
    field: 'attempts_failed',
    name: 'dtps_task_attempts_failed_total',
    help: 'Failed attempts (handler error, timeout, worker lost), retried or not.',
  },
  {
    field: 'operator_retries',
    name: 'dtps_operator_retries_total',
    help: 'Ended tasks started again by an operator.',
  },
  {
    field: 'operator_deletes',
    name: 'dtps_operator_deletes_total',
    help: 'Tasks whose record an operator deleted (dtps bulk delete|purge).',
  },
  {
    field: 'fenced',
    name: 'dtps_reports_fenced_total',
    help: 'Results or failures refused because the reporting worker no longer owned the attempt.',
  },
  { field: 'steals', name: 'dtps_steals_total', help: "Tasks taken from a peer worker's prefetch window." },
  {
    field: 'held',
    name: 'dtps_tasks_held_total',
    help: 'Times a claim held a task back because a rate limit or concurrency cap had no room (docs/flow-control.md).',
  },
];

const LATENCY_HELP =
  'End-to-end latency (submit to success) of succeeded tasks, seconds. ' +
  'No _sum: the engine counts buckets only (a sum from bucket midpoints would be made up), ' +
  'unless it records the exact lat_sum_ms.';

/**
 * `GET /metrics`: the fleet-wide truth read from Redis at scrape time, so any
 * coordinator (leader or standby) serves the same numbers and a scrape of
 * one of them is enough.
 */
export function metricsRoutes(app: FastifyInstance, m: MonitorContext): void {
  const { inspector } = m.deps;
  app.get('/metrics', async (_request, reply) => {
    const [queues, workers, recommendation, origin] = await Promise.all([
      inspector.overview(),
      inspector.workers(),
      inspector.recommendation(),
      readOrigin(m.deps.ctx),
    ]);
    const out = new Exposition();
    for (const c of COUNTERS) {
      out.family(c.name, 'counter', c.help);
      for (const q of queues) out.sample(c.name, { queue: q.name }, q.totals[c.field] ?? 0);
    }
    out.family('dtps_queue_tasks', 'gauge', 'Tasks of a queue in each state.');
    for (const q of queues) {
      for (const state of TASK_STATES)
        out.sample('dtps_queue_tasks', { queue: q.name, state }, q.counts[state]);
    }
    out.family('dtps_task_latency_seconds', 'histogram', LATENCY_HELP);
    const bounds = LATENCY_BOUNDS_MS.map((ms) => ms / 1000);
    for (const q of queues) {
      const fields = Object.fromEntries(Object.entries(q.totals).map(([k, v]) => [k, String(v)]));
      const sumMs = q.totals.lat_sum_ms;
      out.histogram(
        'dtps_task_latency_seconds',
        { queue: q.name },
        bounds,
        latencyBuckets(fields),
        sumMs === undefined ? undefined : sumMs / 1000,
      );
    }

    await limitMetrics(
      out,
      m,
      queues.map((q) => q.name),
    );

    const live = workers.filter((w) => workerStatus(w.heartbeatAgeMs, m) !== 'dead');
    out.family('dtps_workers_live', 'gauge', 'Workers whose heartbeat is recent enough to count as alive.');
    out.sample('dtps_workers_live', {}, live.length);
    out.family(
      'dtps_workers_registered',
      'gauge',
      'Workers in the registry, alive or not yet declared dead.',
    );
    out.sample('dtps_workers_registered', {}, workers.length);
    const perWorker: { name: string; help: string; value: (w: WorkerView) => number }[] = [
      { name: 'dtps_worker_pool_size', help: 'Slots of a live worker.', value: (w) => w.poolSize },
      {
        name: 'dtps_worker_busy_slots',
        help: 'Slots of a live worker running a task.',
        value: (w) => w.busy,
      },
      {
        name: 'dtps_worker_window',
        help: "Tasks reserved in a live worker's prefetch window.",
        value: (w) => w.window,
      },
    ];
    for (const g of perWorker) {
      out.family(g.name, 'gauge', g.help);
      for (const w of live) out.sample(g.name, { worker: w.id }, g.value(w));
    }
    out.family(
      'dtps_worker_heartbeat_age_seconds',
      'gauge',
      "Time since a registered worker's last heartbeat.",
    );
    for (const w of workers)
      out.sample('dtps_worker_heartbeat_age_seconds', { worker: w.id }, w.heartbeatAgeMs / 1000);

    const status = m.deps.status();
    out.family(
      'dtps_coordinator_leader',
      'gauge',
      'Whether this coordinator holds the leader lease (1) or stands by (0).',
    );
    out.sample('dtps_coordinator_leader', { coordinator: status.id }, status.leading ? 1 : 0);
    if (recommendation) {
      out.family(
        'dtps_recommended_workers',
        'gauge',
        'Worker processes the backlog needs, by the coordinator (for an external autoscaler).',
      );
      out.sample('dtps_recommended_workers', {}, recommendation.workers);
    }
    out.family(
      'dtps_redis_data_loss_total',
      'counter',
      'Times dtps noticed that Redis lost its data (restarted without persistence, flushed): see docs/durability.md.',
    );
    out.sample('dtps_redis_data_loss_total', {}, origin?.losses ?? 0);
    return reply.type(EXPOSITION_CONTENT_TYPE).send(out.toString());
  });
}
