/**
 * `dtps scale` against a real `dtps-worker` process (issue 17, points 5 and
 * 6): the worker changes only what was asked and says what changed; an
 * operator's size and a size given at start hold against the autoscaler.
 */
import { fileURLToPath } from 'node:url';
import type { WorkerInfo } from '@dtps/core';
import { DaemonProcess, type LogLine, stopAll, waitForValue } from '@dtps/core/testing';
import test, { type ExecutionContext } from 'ava';
import { type Scope, useCli } from '../helpers/setup.js';

const cli = useCli(test);
const daemons: DaemonProcess[] = [];
test.after.always(() => stopAll(daemons));

/** The compiled worker daemon (this file is packages/cli/dist/test/commands/scale.test.js). */
const WORKER_BIN = fileURLToPath(new URL('../../../../worker/dist/src/bin.js', import.meta.url));
/** Short, so that the hold (3 cooldowns) and the steps after it fit a test. */
const COOLDOWN_MS = 500;
const HOLD_MS = 3 * COOLDOWN_MS;

async function startWorker(
  s: Scope,
  id: string,
  args: string[],
  cooldownMs = COOLDOWN_MS,
): Promise<DaemonProcess> {
  const d = await DaemonProcess.spawn(
    { name: 'worker', bin: WORKER_BIN, idEnv: 'DTPS_WORKER_ID', startedMsg: 'worker started' },
    {
      redisUrl: s.server.url,
      prefix: s.prefix,
      id,
      args,
      env: { DTPS_WORKER_AUTOSCALE_COOLDOWN_MS: String(cooldownMs) },
    },
  );
  daemons.push(d);
  return d;
}

async function heartbeat(s: Scope, id: string): Promise<WorkerInfo | undefined> {
  return (await s.client().workers()).find((w) => w.id === id);
}

/** The first log line for a size change made by the autoscaler after `since` (log time, ms since the epoch). */
function firstAutoscale(d: DaemonProcess, since: number): Promise<LogLine> {
  return d.waitForLog((l) => l.msg.startsWith('autoscale:') && l.time >= since, 30_000);
}

test.serial('scale --min 30 says what changed: min, and the size and max it raised', async (t) => {
  const s = cli.scope();
  // A long cooldown: the autoscaler keeps out of this one.
  await startWorker(s, 'w-min', ['--workers', '4', '--min', '1', '--max', '10'], 600_000);
  const r = await s.run(['scale', 'w-min', '--min', '30']);
  t.is(r.code, 0, r.stderr);
  t.is(
    r.stdout.trim(),
    'scaled worker w-min: min 1 → 30; size 4 → 30 (raised to the new min); max 10 → 30 (raised to the new min)',
  );
  const json = await s.run(['scale', 'w-min', '--max', '40', '--json']);
  t.is(json.code, 0, json.stderr);
  t.like(JSON.parse(json.stdout), {
    worker: 'w-min',
    command: 'scale',
    max: 40,
    answered: true,
    before: { size: 30, min: 30, max: 30 },
    after: { size: 30, min: 30, max: 40 },
    changes: [{ field: 'max', from: 30, to: 40 }],
  });
  const w = await waitForValue(
    () => heartbeat(s, 'w-min'),
    (w) => w?.max === 40,
    { what: 'the heartbeat to show max 40' },
  );
  t.like(w, { poolSize: 30, min: 30, sizeChangedBy: 'operator' });
  t.is(
    w!.sizeReason,
    'operator: min 1 → 30; size 4 → 30 (raised to the new min); max 10 → 30 (raised to the new min)',
  );
  const table = await s.run(['workers', '--all']);
  t.regex(table.stdout, /LAST SIZE CHANGE/);
  t.regex(table.stdout, /w-min .* operator: min 1 → 30; size 4 → 30 .*, \d+(ms|s) ago/);
});

test.serial("an operator's size holds for the hold period, then comes down one gentle step", async (t) => {
  const s = cli.scope();
  const d = await startWorker(s, 'w-hold', ['--workers', '2', '--min', '1', '--max', '10']);
  // Let the start's hold pass and the autoscaler bring the idle worker to its floor.
  await waitForValue(
    () => heartbeat(s, 'w-hold'),
    (w) => w?.poolSize === 1,
    { what: 'the idle worker at min' },
  );
  const r = await s.run(['scale', 'w-hold', '--size', '6']);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.trim(), 'scaled worker w-hold: size 1 → 6');
  const set = await waitForValue(
    () => heartbeat(s, 'w-hold'),
    (w) => w?.sizeChangedBy === 'operator',
    { what: "the heartbeat to show the operator's size" },
  );
  t.like(set, { poolSize: 6, sizeReason: 'operator: size 1 → 6' });
  const next = await firstAutoscale(d, set!.sizeChangedAt!);
  t.log(
    `first autoscaler change ${next.time - set!.sizeChangedAt!} ms after the operator's: ${next.from} → ${next.to}`,
  );
  t.true(next.time - set!.sizeChangedAt! >= HOLD_MS, 'held for the hold period');
  t.like(next, { msg: 'autoscale: shrink, slots idle and nothing waiting', from: 6, to: 5 });
  const w = await waitForValue(
    () => heartbeat(s, 'w-hold'),
    (w) => w?.sizeChangedBy === 'autoscaler',
    { what: "the heartbeat to show the autoscaler's step" },
  );
  t.regex(w!.sizeReason!, /^idle: 6 → 5 \(utilisation 0, nothing waiting for [\d.]+ s\)$/);
});

test.serial(
  'a worker started with --workers 8 is held there while tasks trickle in, then steps down gently',
  async (t) => {
    const s = cli.scope();
    const d = await startWorker(s, 'w-start', ['--workers', '8', '--min', '1', '--max', '10']);
    const started = (await heartbeat(s, 'w-start'))!;
    t.like(started, { poolSize: 8, sizeChangedBy: 'start', sizeReason: 'start: size 8' });
    const trickle = setInterval(() => {
      s.client()
        .submit({ type: 'noop' })
        .catch(() => {});
    }, 200);
    try {
      const first = await firstAutoscale(d, 0);
      t.log(
        `first change ${first.time - started.sizeChangedAt!} ms after start: ${first.from} → ${first.to}`,
      );
      t.true(first.time - started.sizeChangedAt! >= HOLD_MS, 'held for the hold period');
      t.like(first, { from: 8, to: 6 }, 'a quarter at most, not down to 1');
    } finally {
      clearInterval(trickle);
    }
    await assertGentle(t, d);
  },
);

/** Every shrink the worker logged took at most a quarter of the slots. */
async function assertGentle(t: ExecutionContext, d: DaemonProcess): Promise<void> {
  for (const l of d.logsWith('autoscale: shrink, slots idle and nothing waiting')) {
    const from = l.from as number;
    const to = l.to as number;
    t.true(from - to <= Math.max(1, Math.floor(from / 4)), `gentle: ${from} → ${to}`);
  }
}
