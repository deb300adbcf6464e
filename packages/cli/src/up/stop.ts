/**
 * The stop sequence of `dtps up`: the one place that stops its parts, in
 * this order, and why:
 *
 * 1. the demo trickle: no new tasks for a worker that is about to leave;
 * 2. the console: it owns the terminal, so only once it is gone can the
 *    run say why it ends and what it stops;
 * 3. the worker: it finishes or hands back its running tasks, which needs
 *    Redis, and the coordinator's leader to recover them should it die on
 *    the way (it gets its own grace time and a little more);
 * 4. the coordinator: with no worker left, nothing needs its recovery or its
 *    monitor any more;
 * 5. up's own connection, then Redis: everything above talks to it to the
 *    end; a redis-server started here is shut down with its AOF synced;
 * 6. `.dtps/up.json`, last: until every process in it has stopped, a later
 *    `dtps up` must be able to find and stop what a killed one left.
 *
 * Whatever the start got to (a start that failed half-way included) is
 * stopped; nothing here throws.
 */
import type { ExitCode } from '../exit-codes.js';
import type { Output } from '../output.js';
import type { DemoRun } from './front.js';
import { PROGRAMS, shown, type UpLayout } from './paths.js';
import { type Daemon, describeExit, type ExitStatus, type Foreground } from './processes.js';
import { stopRedis } from './redis-part.js';
import type { StartedSoFar } from './start.js';
import type { Supervisor } from './supervisor.js';

/** How long the coordinator and the console get to stop before SIGKILL. */
const STOP_GRACE_MS = 10_000;
/** How much longer than its own grace time the worker gets before SIGKILL. */
const WORKER_EXTRA_MS = 5000;
/** The worker's grace time when no config was loaded. */
const DEFAULT_WORKER_GRACE_MS = 30_000;

/** What runs in front of the daemons once they are up, each set as it starts. */
export interface FrontParts {
  demo?: DemoRun;
  console?: Foreground;
}

/** What the stop sequence goes by. */
export interface StopInput {
  started: StartedSoFar;
  front: FrontParts;
  supervisor: Supervisor;
  out: Output;
  layout: UpLayout;
  /**
   * Says why the run ends and gives its exit code; called once the console
   * has left the terminal, before anything else is stopped or said.
   */
  report: () => Promise<ExitCode>;
}

/** Stops every part that runs, in the order above; resolves with `report`'s exit code. */
export async function stopEverything(input: StopInput): Promise<ExitCode> {
  const { started, front, supervisor, out, layout } = input;
  supervisor.beginStop();
  const submitted = await front.demo?.stop();
  await front.console?.stop(STOP_GRACE_MS);
  const code = await input.report();

  const say = (text: string) => out.note(text);
  if (started.redis !== undefined) {
    say(`stopping${started.worker?.alive ? ' (Ctrl-C again to stop at once)' : ''}`);
  }
  if (submitted !== undefined) say(`  demo tasks: stopped (${submitted} submitted)`);
  if (front.console !== undefined) say(`  ${PROGRAMS.console.bin}: stopped`);
  const workerGraceMs = (started.config?.worker.graceMs ?? DEFAULT_WORKER_GRACE_MS) + WORKER_EXTRA_MS;
  await stopDaemon(started.worker, workerGraceMs, supervisor, say);
  await stopDaemon(started.coordinator, STOP_GRACE_MS, supervisor, say);
  await started.client?.close().catch(() => undefined);
  if (started.redis !== undefined) {
    supervisor.waitingFor(started.redis.local?.daemon);
    const shutDown = await stopRedis(started.redis);
    if (shutDown !== undefined) {
      say(`  redis-server (pid ${shutDown.pid}): shut down, data kept in ${shown(layout, layout.redis)}`);
    }
  }
  supervisor.waitingFor(undefined);
  await started.state?.remove().catch(() => undefined);
  return code;
}

async function stopDaemon(
  daemon: Daemon | undefined,
  graceMs: number,
  supervisor: Supervisor,
  say: (text: string) => void,
): Promise<void> {
  if (daemon === undefined || !daemon.alive) return;
  supervisor.waitingFor(daemon);
  const { status, killed } = await daemon.stop(graceMs);
  say(
    `  ${daemon.name} (pid ${daemon.pid}): ${killed ? `killed after ${graceMs / 1000} s` : stoppedText(status)}`,
  );
}

function stoppedText(status: ExitStatus): string {
  // SIGTERM ends a daemon by default until it has set up its own handler: early in its start.
  return status.code === 0 || status.signal === 'SIGTERM' ? 'stopped' : `stopped (${describeExit(status)})`;
}
