/**
 * The supervisor of `dtps up` on real child processes: which exits stop the
 * run and which are only reported.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { PROGRAMS } from '../../src/up/paths.js';
import { Daemon } from '../../src/up/processes.js';
import { Supervisor, type WorkerLeft } from '../../src/up/supervisor.js';

const dir = mkdtempSync(join(tmpdir(), 'dtps-supervisor-test-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

// The supervisor hears of an exit before the test does: it subscribed to
// `exited` first, and a promise calls back in the order of subscription.

/** A child named `name` that exits with `code` at once. */
function exiting(name: string, code: number): Daemon {
  return Daemon.start({
    name,
    command: process.execPath,
    args: ['-e', `process.exit(${code})`],
    env: process.env,
    cwd: dir,
    logFile: join(dir, `${name}-${code}.log`),
  });
}

test('a worker that exits 0 is reported with its registry id, and the run goes on', async (t) => {
  const left: WorkerLeft[] = [];
  const supervisor = new Supervisor((l) => left.push(l));
  const worker = exiting(PROGRAMS.worker.bin, 0);
  supervisor.watch(worker);
  supervisor.workerRegistered('w-1');
  await worker.exited;
  t.deepEqual(left, [{ pid: worker.pid, id: 'w-1' }]);
  t.false(supervisor.signal.aborted);
  t.is(supervisor.reason, undefined);
});

test('any other exit before the stop stops the run, with the first death as its reason', async (t) => {
  const supervisor = new Supervisor(() => t.fail('nothing left'));
  const crashed = exiting(PROGRAMS.worker.bin, 1);
  supervisor.watch(crashed);
  const status = await crashed.exited;
  t.true(supervisor.signal.aborted);
  t.deepEqual(supervisor.reason, { kind: 'died', daemon: crashed, status });

  const later = exiting(PROGRAMS.coordinator.bin, 0);
  supervisor.watch(later);
  await later.exited;
  t.is(supervisor.reason?.kind === 'died' && supervisor.reason.daemon, crashed, 'the first reason stays');
});

test('exits once the stop sequence has begun are its own doing', async (t) => {
  const supervisor = new Supervisor(() => t.fail('nothing left'));
  supervisor.beginStop();
  const stopped = exiting(PROGRAMS.coordinator.bin, 1);
  supervisor.watch(stopped);
  await stopped.exited;
  t.is(supervisor.reason, undefined);
});
