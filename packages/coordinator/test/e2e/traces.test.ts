/**
 * Issue 21, "Traces from every producer": `dtps submit` (a CLI child
 * process), a worker and a coordinator, each its own process exporting by
 * OTLP/HTTP to a receiver started here, give one trace per task — from the
 * CLI's submit through every attempt, with the right parents and messaging
 * attributes; the same through the HTTP submit route with a `traceparent`.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, uniquePrefix, useRedisServer, waitFor } from '@dtps/core/testing';
import test, { type ExecutionContext } from 'ava';
import { type Daemon, DEMO_HANDLERS, spawnCoordinator, spawnWorker, stopAll } from './daemon.js';
import { EVENTS_ENV } from './fixture.js';
import { OtlpReceiver, type ReceivedSpan, SpanKind, StatusCode } from './otlp-receiver.js';

/** The `dtps` launcher users run: the bundle when it is current, else the compiled modules. */
const DTPS = fileURLToPath(new URL('../../../../cli/bin/dtps.js', import.meta.url));
const QUEUE = 'default';

const redis = useRedisServer(test);
const daemons: Daemon[] = [];
let receiver: OtlpReceiver | undefined;
test.after.always(async () => {
  await stopAll(daemons);
  await receiver?.stop();
});

/** The environment that turns traces on, with short batches so that the daemons export within the test. */
function tracingEnv(endpoint: string): Record<string, string> {
  return {
    DTPS_TELEMETRY_TRACES: 'true',
    DTPS_TELEMETRY_OTLP_ENDPOINT: endpoint,
    OTEL_BSP_SCHEDULE_DELAY: '100',
  };
}

function dtps(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'dtps-traces-'));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [DTPS, ...args],
      { cwd, env: { PATH: process.env.PATH, HOME: cwd, ...env }, timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr }),
    );
  });
}

/** Starts the receiver, a coordinator (with the monitor) and a worker, all tracing. */
async function fleet(t: ExecutionContext) {
  receiver ??= await OtlpReceiver.start();
  const prefix = uniquePrefix();
  const env = { ...EVENTS_ENV, ...tracingEnv(receiver.url) };
  const common = { redisUrl: redis.server.url, prefix, env };
  const port = await freePort();
  daemons.push(
    await spawnCoordinator({ ...common, id: 'coord', args: ['--monitor', '--port', String(port)] }),
    await spawnWorker({ ...common, id: 'w1', handlers: DEMO_HANDLERS, slots: 2 }),
  );
  const cliEnv = { DTPS_REDIS_URL: redis.server.url, DTPS_PREFIX: prefix, ...tracingEnv(receiver.url) };
  const details = () =>
    `refused: ${receiver!.refused.join('; ')}\nspans: ${receiver!.spans
      .map((s) => `${s.service}:${s.name}:${s.traceId.slice(0, 6)}`)
      .join(' ')}\n${daemons.map((d) => d.tail()).join('\n')}`;
  t.teardown(async () => {
    await stopAll(daemons.splice(0));
  });
  return { monitor: `http://127.0.0.1:${port}`, cliEnv, details };
}

/** Waits until the task's trace holds `attempts` ended attempts (and the submit). */
async function traceOf(id: string, attempts: number, details: () => string): Promise<ReceivedSpan[]> {
  await waitFor(
    () => {
      const mine = receiver!.ofTask(id);
      return (
        mine.some((s) => s.name === 'dtps.submit') &&
        mine.filter((s) => s.name === 'dtps.attempt').length >= attempts
      );
    },
    { timeoutMs: 60_000, what: `the spans of task ${id}`, details },
  );
  const submit = receiver!.ofTask(id).find((s) => s.name === 'dtps.submit')!;
  return receiver!.trace(submit.traceId);
}

function only(spans: ReceivedSpan[], name: string): ReceivedSpan[] {
  return spans.filter((s) => s.name === name);
}

/** What every span about task `id` carries (messaging semantic conventions). */
function assertMessaging(t: ExecutionContext, s: ReceivedSpan, id: string, operationType: string): void {
  t.like(
    s.attributes,
    {
      'messaging.system': 'dtps',
      'messaging.destination.name': QUEUE,
      'messaging.message.id': id,
      'messaging.operation.type': operationType,
    },
    `${s.service} ${s.name}`,
  );
}

test.serial(
  'dtps submit --wait: one trace from the CLI submit through both attempts of a failing-then-succeeding task',
  async (t) => {
    const { cliEnv, details } = await fleet(t);
    const r = await dtps(
      ['submit', '--type', 'flaky', '--payload', '{"failTimes":1}', '--retries', '2', '--wait', '--json'],
      cliEnv,
    );
    t.is(r.code, 0, r.stderr);
    const task = JSON.parse(r.stdout) as { id: string; state: string; attempts?: number };
    t.is(task.state, 'succeeded');

    const spans = await traceOf(task.id, 2, details);
    // Every process exported OTLP's protobuf encoding (the cheaper one to produce; docs/observability.md, "Cost").
    t.deepEqual([...receiver!.encodings], ['protobuf']);
    // One trace for the task: every span about it is in this trace, and it has one root, the CLI's submit.
    t.deepEqual(new Set(receiver!.ofTask(task.id).map((s) => s.traceId)).size, 1);
    const roots = spans.filter((s) => s.parentSpanId === '');
    t.is(roots.length, 1, details());
    const submit = roots[0]!;
    t.is(submit.name, 'dtps.submit');
    t.is(submit.service, 'dtps-cli');
    t.is(submit.kind, SpanKind.producer);
    assertMessaging(t, submit, task.id, 'send');

    const [wait] = only(spans, 'dtps.queue_wait');
    t.truthy(wait, details());
    t.is(wait!.service, 'dtps-worker');
    t.is(wait!.parentSpanId, submit.spanId);
    assertMessaging(t, wait!, task.id, 'receive');

    const attempts = only(spans, 'dtps.attempt').sort((a, b) => a.startMs - b.startMs);
    t.is(attempts.length, 2, details());
    attempts.forEach((a, i) => {
      t.is(a.service, 'dtps-worker');
      t.is(a.kind, SpanKind.consumer);
      t.is(a.parentSpanId, submit.spanId, 'each attempt is a child of the submit');
      assertMessaging(t, a, task.id, 'process');
      t.is(a.attributes['dtps.task.attempt'], i + 1);
      t.is(a.attributes['messaging.client.id'], 'w1');
    });
    t.is(attempts[0]!.status, StatusCode.error);
    t.not(attempts[1]!.status, StatusCode.error);

    // The retry between them, recorded by the coordinator from the queue's events.
    await waitFor(() => only(receiver!.trace(submit.traceId), 'dtps.retry').length > 0, {
      what: 'the retry span',
      details,
    });
    const [retry] = only(receiver!.trace(submit.traceId), 'dtps.retry');
    t.is(retry!.service, 'dtps-coordinator');
    t.is(retry!.parentSpanId, submit.spanId);
    t.is(retry!.attributes['dtps.reason'], 'retry');
    assertMessaging(t, retry!, task.id, 'settle');
  },
);

test.serial('dtps submit and --file: one trace per task; a DAG child links to its parent', async (t) => {
  const { cliEnv, details } = await fleet(t);
  const one = await dtps(['submit', '--type', 'echo', '--payload', '1', '--json'], cliEnv);
  t.is(one.code, 0, one.stderr);
  const file = join(mkdtempSync(join(tmpdir(), 'dtps-traces-file-')), 'tasks.jsonl');
  writeFileSync(
    file,
    `${JSON.stringify({ ref: 'parent', type: 'echo', payload: 2 })}\n${JSON.stringify({ type: 'echo', payload: 3, dependsOn: ['parent'] })}\n`,
  );
  const many = await dtps(['submit', '--file', file, '--json'], cliEnv);
  t.is(many.code, 0, many.stderr);
  const ids = [one.stdout, ...many.stdout.trim().split('\n')].map(
    (l) => (JSON.parse(l) as { id: string }).id,
  );
  t.is(ids.length, 3);

  const traces = await Promise.all(ids.map((id) => traceOf(id, 1, details)));
  t.is(new Set(traces.map((spans) => spans[0]!.traceId)).size, 3, 'one trace per task');
  for (const [i, spans] of traces.entries()) {
    const roots = spans.filter((s) => s.parentSpanId === '');
    t.deepEqual(
      roots.map((s) => `${s.service} ${s.name}`),
      ['dtps-cli dtps.submit'],
    );
    const [attempt] = only(spans, 'dtps.attempt');
    t.is(attempt!.parentSpanId, roots[0]!.spanId);
    // A batch's submit spans "create" one message each (semantic conventions for batches).
    assertMessaging(t, roots[0]!, ids[i]!, i === 0 ? 'send' : 'create');
  }
  const parentSubmit = only(traces[1]!, 'dtps.submit')[0]!;
  const childSubmit = only(traces[2]!, 'dtps.submit')[0]!;
  t.deepEqual(
    childSubmit.links.map((l) => [l.traceId, l.spanId, l.attributes['dtps.task.id']]),
    [[parentSubmit.traceId, parentSubmit.spanId, ids[1]]],
  );
});

test.serial('the HTTP submit route honours an incoming traceparent', async (t) => {
  const { monitor, details } = await fleet(t);
  const traceId = randomBytes(16).toString('hex');
  const callerSpan = randomBytes(8).toString('hex');
  const res = await fetch(`${monitor}/api/v1/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${callerSpan}-01` },
    body: JSON.stringify({ type: 'flaky', payload: { failTimes: 1 }, maxRetries: 2 }),
  });
  t.is(res.status, 201);
  const { id } = (await res.json()) as { id: string };

  const spans = await traceOf(id, 2, details);
  t.is(spans[0]!.traceId, traceId, "the task's trace is the caller's");
  t.deepEqual(new Set(receiver!.ofTask(id).map((s) => s.traceId)), new Set([traceId]));
  const [submit] = only(spans, 'dtps.submit');
  t.is(submit!.service, 'dtps-coordinator');
  t.is(submit!.parentSpanId, callerSpan, "the submit is a child of the caller's span");
  assertMessaging(t, submit!, id, 'send');
  const attempts = only(spans, 'dtps.attempt');
  t.is(attempts.length, 2);
  for (const a of attempts) t.is(a.parentSpanId, submit!.spanId);
  t.is(only(spans, 'dtps.queue_wait')[0]?.parentSpanId, submit!.spanId);
});
