/**
 * What a chaos run must show, checked after every task has ended, from
 * Redis's own records (task hashes, the queue's totals and event stream, the
 * fleet's worker:dead events) and the handlers' recording of every run:
 * each task terminal in the state its spec decides; exactly one terminal
 * transition per task (no completion accepted twice); a run repeated only
 * where it was on a killed, stopped or declared-dead worker; no child
 * started before all its parents succeeded; no handler called after its
 * task's deadline.
 */
import type { Task, TaskState } from '@dtps/core';
import type { Fault } from './faults.js';
import type { RunRecord } from './handlers.js';
import { ABORTED_BY_SPEC, type Planned, THROWS_BY_SPEC } from './workload.js';

/** A task's transitions, from the queue's event stream. */
export interface Transition {
  state: string;
  reason: string | null;
  worker: string | null;
  /** Epoch ms of its stream entry (Redis's clock). */
  at: number;
}

export interface Evidence {
  planned: readonly Planned[];
  /** Task id by planned index. */
  ids: readonly string[];
  /** The final task by planned index (undefined: not found in Redis). */
  tasks: readonly (Task | undefined)[];
  runs: readonly RunRecord[];
  transitions: ReadonlyMap<string, Transition[]>;
  totals: Readonly<Record<string, number>>;
  faults: readonly Fault[];
  /** Worker id → when the leader declared it dead, each time (fleet events). */
  declaredDead: ReadonlyMap<string, readonly number[]>;
}

/** Why a run beyond the spec's own was allowed. */
export type RepeatCause = 'killed' | 'stopped' | 'declared-dead';

export interface Verdict {
  violations: string[];
  byState: Record<string, number>;
  runs: number;
  repeats: Record<RepeatCause, number>;
  /** Workers declared dead that the driver neither killed nor stopped. */
  spuriousDeaths: string[];
  childTasks: number;
  /**
   * Attempts Redis moved to running after their deadline (by its own clock):
   * a round resent after a Redis restart carries the `now` it was built with.
   * The worker then calls no handler (see the deadline check); counted, not a violation.
   */
  lateStarts: number;
}

const TERMINAL = new Set<TaskState>(['succeeded', 'failed', 'expired', 'cancelled']);
/**
 * How late after its deadline a handler call may be recorded: the worker
 * checks the deadline just before it calls the handler, and the recording
 * (a write to the recording Redis) comes a moment after that check.
 */
const DEADLINE_SLACK_MS = 250;
/** Violations listed in full up to this many per check; the rest are counted. */
const SHOW = 10;

/** Runs every check; a violation is a sentence naming the task and what is wrong. */
export function check(ev: Evidence): Verdict {
  const violations: string[] = [];
  const limited = limiter(violations);
  const byState: Record<string, number> = {};
  const starts = new Map<string, RunRecord[]>();
  const ends = new Map<string, RunRecord>();
  for (const r of ev.runs) {
    if (r.e === 's') push(starts, r.id, r);
    else ends.set(r.run, r);
  }
  const taint = taints(ev);
  const repeats: Record<RepeatCause, number> = { killed: 0, stopped: 0, 'declared-dead': 0 };
  let childTasks = 0;
  let lateStarts = 0;

  const finalState = limited('final state');
  const twice = limited('terminal transitions');
  const repeat = limited('unexplained run');
  const deps = limited('dependency');
  const late = limited('deadline');

  for (const p of ev.planned) {
    const id = ev.ids[p.index];
    const task = ev.tasks[p.index];
    if (id === undefined || task === undefined) {
      finalState(`task #${p.index} (${p.kind}) ${id ?? '(never accepted)'} is missing from Redis`);
      continue;
    }
    byState[task.state] = (byState[task.state] ?? 0) + 1;
    if (!TERMINAL.has(task.state)) finalState(`${id} (${p.kind}) is ${task.state}, not terminal`);
    else if (task.state !== p.expect)
      finalState(`${id} (${p.kind}) ended ${task.state}, its spec decides ${p.expect} (${describe(task)})`);
    else if (p.expect === 'cancelled' && task.reason !== 'dependency_failed')
      finalState(`${id} was cancelled with reason ${task.reason}, not dependency_failed`);

    const terminal = (ev.transitions.get(id) ?? []).filter((t) => TERMINAL.has(t.state as TaskState));
    if (terminal.length !== 1)
      twice(`${id} has ${terminal.length} terminal transitions: ${terminal.map((t) => t.state).join(', ')}`);

    const taskRuns = starts.get(id) ?? [];
    const accepted = task.state === 'succeeded' ? (task.result as { run?: string } | null)?.run : undefined;
    if (task.state === 'succeeded' && ends.get(accepted ?? '')?.outcome !== 'ok')
      repeat(`${id} succeeded with result ${JSON.stringify(task.result)}, no recorded ok run of that id`);
    for (const r of taskRuns) {
      if (r.run === accepted) continue;
      const outcome = ends.get(r.run)?.outcome;
      if (outcome === 'error' && THROWS_BY_SPEC.has(p.kind)) continue;
      if (outcome === 'aborted' && ABORTED_BY_SPEC.has(p.kind)) continue;
      // Redis recorded that attempt as timed out or past its deadline: the worker's abort won the
      // race with a handler that (on a loaded machine) finished just too late.
      if (
        task.errors.some(
          (e) => e.attempt === r.attempt && (e.reason === 'timeout' || e.reason === 'deadline'),
        )
      )
        continue;
      // Redis's own word that this attempt was taken back from its worker, declared dead.
      const lost = task.errors.some((e) => e.reason === 'worker_lost' && e.attempt === r.attempt);
      const cause = taint(r.worker, r.at, lost);
      if (cause) repeats[cause]++;
      else
        repeat(
          `${id} (${p.kind}) attempt ${r.attempt} ran on ${r.worker} at ${r.at} and ended ${outcome ?? 'never'}, yet that worker was neither killed, stopped nor declared dead (task: ${describe(task)}; transitions ${trail(ev.transitions.get(id))})`,
        );
    }

    // Invariant 5, as a user sees it: no handler is called after its task's deadline (r.at is the
    // handler call, recorded by the handler itself). Whatever Redis was told, and however long a
    // worker was stopped between the start and the call, the worker must not call it.
    if (task.deadline !== null) {
      for (const r of taskRuns) {
        if (r.at > task.deadline + DEADLINE_SLACK_MS)
          late(
            `${id} (${p.kind})'s handler was called on ${r.worker} ${r.at - task.deadline} ms after its deadline (stored startedAt ${task.startedAt})`,
          );
      }
      const runningAt = (ev.transitions.get(id) ?? []).filter((t) => t.state === 'running').map((t) => t.at);
      lateStarts += runningAt.filter((at) => at > task.deadline! + DEADLINE_SLACK_MS).length;
    }

    if (p.parents.length > 0) {
      childTasks++;
      const parents = p.parents.map((i) => ev.tasks[i]);
      const allSucceeded = parents.every((t) => t?.state === 'succeeded');
      const readyAt = Math.max(...parents.map((t) => t?.finishedAt ?? Number.POSITIVE_INFINITY));
      for (const r of taskRuns) {
        if (!allSucceeded) deps(`${id} ran (${r.worker} at ${r.at}) though a parent did not succeed`);
        else if (r.at < readyAt)
          deps(`${id} started at ${r.at}, before its last parent finished at ${readyAt}`);
      }
    }
  }

  const succeeded = byState.succeeded ?? 0;
  if ((ev.totals.succeeded ?? 0) !== succeeded)
    violations.push(`totals.succeeded is ${ev.totals.succeeded}, but ${succeeded} tasks are succeeded`);
  const accepted = new Set(ev.ids.filter((id) => id !== undefined)).size;
  if ((ev.totals.submitted ?? 0) !== accepted)
    violations.push(`totals.submitted is ${ev.totals.submitted}, but ${accepted} tasks were accepted`);
  for (const flush of [finalState, twice, repeat, deps, late]) flush.done();

  const spuriousDeaths = [...ev.declaredDead].flatMap(([w, ats]) =>
    ats
      .filter((at) => !explainedDeath(ev.faults, w, at))
      .map((at) => `${w} ${lastFaultBefore(ev.faults, at)}`),
  );
  return {
    violations,
    byState,
    runs: ev.runs.filter((r) => r.e === 's').length,
    repeats,
    spuriousDeaths,
    childTasks,
    lateStarts,
  };
}

/**
 * For a run on `worker` started at `at`: the fault that explains why it was
 * repeated, or undefined. The worker must have been killed, stopped or
 * declared dead, and either the run started before that (it was cut off) or
 * Redis recorded its attempt as lost with the worker (`worker_lost`): a
 * stopped worker may call a handler it had started in Redis before the stop
 * only once it is continued, after its attempt was already taken back.
 */
function taints(ev: Evidence): (worker: string, at: number, lost: boolean) => RepeatCause | undefined {
  const byWorker = new Map<string, { cause: RepeatCause; at: number }[]>();
  for (const f of ev.faults) {
    if (f.kind === 'worker-kill') push(byWorker, f.target, { cause: 'killed', at: f.at });
    if (f.kind === 'worker-stop') push(byWorker, f.target, { cause: 'stopped', at: f.at });
  }
  for (const [w, ats] of ev.declaredDead)
    for (const at of ats) push(byWorker, w, { cause: 'declared-dead', at });
  for (const list of byWorker.values()) list.sort((a, b) => a.at - b.at);
  return (worker, at, lost) => {
    const list = byWorker.get(worker) ?? [];
    const cut = list.find((t) => at <= t.at);
    if (cut) return cut.cause;
    // Lost with a worker whose faults all came before the run: the last driver fault, else the declaration.
    if (!lost || list.length === 0) return undefined;
    return list.findLast((t) => t.cause !== 'declared-dead')?.cause ?? 'declared-dead';
  };
}

/**
 * A declaration of death the driver caused: after a kill of that worker, or
 * during (or just after) a stop of it.
 */
function explainedDeath(faults: readonly Fault[], worker: string, at: number): boolean {
  return faults.some(
    (f) =>
      f.target === worker &&
      f.at <= at &&
      (f.kind === 'worker-kill' || (f.kind === 'worker-stop' && at <= (f.continuedAt ?? at) + 1000)),
  );
}

/** The last fault before `at`, and how long before, in words (what a spurious death followed). */
function lastFaultBefore(faults: readonly Fault[], at: number): string {
  const f = faults.findLast((x) => x.at <= at);
  if (f === undefined) return `at ${new Date(at).toISOString()}, before any fault`;
  if (f.kind === 'redis-restart' && f.backAt !== undefined) return `${at - f.backAt} ms after Redis was back`;
  return `${at - f.at} ms after ${f.kind} of ${f.target}`;
}

/** One check's reporter: lists the first violations, counts the rest. */
function limiter(out: string[]) {
  return (what: string) => {
    let n = 0;
    const report = (msg: string) => {
      if (++n <= SHOW) out.push(`${what}: ${msg}`);
    };
    report.done = () => {
      if (n > SHOW) out.push(`${what}: … and ${n - SHOW} more`);
    };
    return report;
  };
}

function describe(task: Task): string {
  const err = task.error ? `last error ${task.error.reason}: ${task.error.message}` : 'no error';
  return `attempts ${task.attempts}, reason ${task.reason}, ${err}`;
}

function trail(ts: readonly Transition[] | undefined): string {
  return (ts ?? []).map((t) => `${t.state}${t.reason ? `(${t.reason})` : ''}@${t.worker ?? '-'}`).join(' > ');
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}
