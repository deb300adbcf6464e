/** The summary a chaos run prints: what happened, what was checked, how fast it recovered. */
import type { Verdict } from './checks.js';
import type { Fault, FaultKind } from './faults.js';
import type { Recovery, Stats } from './recovery.js';

export interface RunFacts {
  seed: number;
  tasks: number;
  resubmits: number;
  faults: readonly Fault[];
  verdict: Verdict;
  recovery: Recovery;
  settings: { heartbeatMs: number; heartbeatTimeoutMs: number; leaseMs: number };
  /** Lines of Redis's log about a torn AOF (see run.ts). */
  redisNotes: readonly string[];
  wallMs: number;
}

const KIND_NAMES: Record<FaultKind, string> = {
  'worker-kill': 'worker kill -9',
  'worker-stop': 'worker SIGSTOP',
  'leader-kill': 'leader kill -9',
  'redis-restart': 'Redis kill -9 + AOF restart',
};

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const fmt = (st: Stats | undefined) =>
  st ? `max ${s(st.max)}, p99 ${s(st.p99)}, median ${s(st.median)} (n=${st.n})` : 'none';

/** The summary, one line per fact. */
export function summarize(f: RunFacts): string {
  const v = f.verdict;
  const r = f.recovery;
  const states = ['succeeded', 'failed', 'expired', 'cancelled']
    .map((st) => `${st} ${v.byState[st] ?? 0}`)
    .concat(
      Object.entries(v.byState)
        .filter(([st]) => !['succeeded', 'failed', 'expired', 'cancelled'].includes(st))
        .map(([st, n]) => `${st} ${n}`),
    )
    .join(', ');
  const kinds = (Object.keys(KIND_NAMES) as FaultKind[])
    .map((k) => `${KIND_NAMES[k]} ${f.faults.filter((x) => x.kind === k).length}`)
    .join(', ');
  const repeats = v.repeats.killed + v.repeats.stopped + v.repeats['declared-dead'];
  const violations = v.violations.length + r.unrecovered.length;
  const failing = (check: string) => v.violations.some((x) => x.startsWith(`${check}:`));
  return [
    `== dtps chaos summary ==`,
    `seed           ${f.seed}   (replay: DTPS_CHAOS_SEED=${f.seed} pnpm test:chaos)`,
    `tasks          ${f.tasks} accepted (${f.resubmits} submit calls resent after a Redis kill): ${states}`,
    `faults         ${f.faults.length}: ${kinds}`,
    `runs           ${v.runs} handler runs; ${repeats} repeats, each on a worker killed (${v.repeats.killed}), stopped (${v.repeats.stopped}) or declared dead (${v.repeats['declared-dead']}) while it ran`,
    `spurious dead  ${v.spuriousDeaths.length} declarations of live workers neither killed nor stopped${v.spuriousDeaths.length ? `: ${v.spuriousDeaths.join(', ')}` : ''}`,
    `completions    ${failing('terminal transitions') ? 'SOME TASK ENDED TWICE OR NEVER (see below)' : 'each task ended exactly once (one terminal transition in the event stream)'}`,
    `dependencies   ${v.childTasks} child tasks; ${failing('dependency') ? 'SOME RAN TOO EARLY (see below)' : 'each ran only after all its parents succeeded'}`,
    `deadlines      ${failing('deadline') ? 'SOME HANDLER WAS CALLED AFTER ITS DEADLINE (see below)' : 'no handler was called after its deadline'}; ${v.lateStarts} attempts Redis started late (a resent round's old clock) ended expired without a call`,
    `recovery       worker kill/stop -> its tasks running again or ended: ${fmt(r.worker)}`,
    `               worker kill/stop -> declared dead: ${fmt(r.declared)}`,
    `               leader kill -> another coordinator leads: ${fmt(r.leader)}`,
    `               Redis kill -> answering again: ${fmt(r.redisBack)}; -> a completion accepted again: ${fmt(r.redisFlowing)}`,
    `redis AOF      ${f.redisNotes.length === 0 ? 'every restart loaded a whole AOF' : `torn by a kill -9 and truncated on load (docs/chaos.md, "What the runs found"):\n${f.redisNotes.map((l) => `                 ${l.trim()}`).join('\n')}`}`,
    `settings       heartbeat ${f.settings.heartbeatMs} ms, heartbeat timeout ${f.settings.heartbeatTimeoutMs} ms, lease ${f.settings.leaseMs} ms`,
    `wall time      ${s(f.wallMs)}`,
    `violations     ${violations === 0 ? 'none: PASS' : `${violations}: FAIL`}`,
    ...v.violations.map((x) => `  - ${x}`),
    ...r.unrecovered.map((x) => `  - recovery: ${x}`),
  ].join('\n');
}
