/**
 * The tables of `pnpm bench --peers`: first the ratios the aims are stated
 * in (dtps against each peer, medians of per-repetition ratios, runs paired
 * by repetition), then each case's figures as median (min–max) per system.
 */
import { fmt, table } from '@dtps/core/bench';
import type { Sample } from './peer-cases.js';
import type { Variant } from './settings.js';

export interface CaseRuns {
  case: string;
  description: string;
  runs: Record<string, Sample[]>;
}

type Pick = (s: Sample) => number | null | undefined;

interface Metric {
  label: string;
  pick: Pick;
  digits: number;
}

const THROUGHPUT: Metric = { label: 'tasks/s', pick: (s) => s.tasksPerSec, digits: 0 };
const REDIS: Metric[] = [
  { label: 'Redis CPU µs/task', pick: (s) => s.redisCpuUsPerTask, digits: 1 },
  { label: 'Redis cmds/task', pick: (s) => s.redisCommandsPerTask, digits: 1 },
];
const SUBMIT: Metric[] = [{ label: 'producer CPU µs/task', pick: (s) => s.producerCpuUsPerTask, digits: 2 }];
const PROCESS: Metric[] = [
  { label: 'worker CPU µs/task', pick: (s) => s.workerCpuUsPerTask, digits: 1 },
  { label: 'worker max RSS MiB', pick: (s) => s.workerMaxRssMiB, digits: 0 },
  { label: 'Redis B/queued task', pick: (s) => s.memQueuedBytesPerTask, digits: 0 },
  { label: 'Redis B/retained task', pick: (s) => s.memRetainedBytesPerTask, digits: 0 },
  { label: 'Redis B left/processed', pick: (s) => s.memLeftBytesPerTask, digits: 0 },
];
const LATENCY: Metric[] = [
  { label: 'ack p50 ms', pick: (s) => s.ackMs?.p50, digits: 2 },
  { label: 'ack p99 ms', pick: (s) => s.ackMs?.p99, digits: 2 },
  { label: 'producer p50 ms', pick: (s) => s.producerMs?.p50, digits: 2 },
  { label: 'producer p99 ms', pick: (s) => s.producerMs?.p99, digits: 2 },
  { label: 'submit call p50 ms', pick: (s) => s.submitMs?.p50, digits: 2 },
  { label: 'worker CPU µs/task', pick: (s) => s.workerCpuUsPerTask, digits: 1 },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function values(samples: Sample[] | undefined, pick: Pick): number[] {
  return (samples ?? []).map(pick).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
}

function spread(xs: number[], digits: number): string {
  if (xs.length === 0) return '—';
  const m = fmt(median(xs), digits);
  return xs.length === 1 ? m : `${m} (${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)})`;
}

/** One aim: a figure of dtps over the same figure of a peer (or of dtps in another case). */
interface Aim {
  label: string;
  case: string;
  pick: Pick;
  /** What dtps is divided by: a peer in the same case, or dtps in another case. */
  over: { variant: Variant; case?: string };
  /** The ratio must be ≥ (throughput) or ≤ (costs, latency) this. */
  limit: number;
  kind: 'min' | 'max';
}

const tps: Pick = (s) => s.tasksPerSec;
const cpu: Pick = (s) => s.redisCpuUsPerTask;
const ackP50: Pick = (s) => s.ackMs?.p50;
const ackP99: Pick = (s) => s.ackMs?.p99;

export const AIMS: Aim[] = [
  {
    label: 'process c400 ÷ bee-queue fast',
    case: 'process-c400',
    pick: tps,
    over: { variant: 'bee-fast' },
    limit: 3,
    kind: 'min',
  },
  {
    label: 'process c400 ÷ BullMQ fast',
    case: 'process-c400',
    pick: tps,
    over: { variant: 'bullmq-fast' },
    limit: 6,
    kind: 'min',
  },
  {
    label: 'process c50 ÷ bee-queue fast',
    case: 'process-c50',
    pick: tps,
    over: { variant: 'bee-fast' },
    limit: 2.5,
    kind: 'min',
  },
  {
    label: 'process 2×25 ÷ bee-queue fast 2×25',
    case: 'process-2x25',
    pick: tps,
    over: { variant: 'bee-fast' },
    limit: 2.5,
    kind: 'min',
  },
  {
    label: 'dtps 2×25 ÷ dtps 1×50',
    case: 'process-2x25',
    pick: tps,
    over: { variant: 'dtps', case: 'process-c50' },
    limit: 1,
    kind: 'min',
  },
  {
    label: 'dtps 2×200 ÷ dtps 1×400',
    case: 'process-2x200',
    pick: tps,
    over: { variant: 'dtps', case: 'process-c400' },
    limit: 1,
    kind: 'min',
  },
  {
    label: 'submit single ÷ bee-queue fast',
    case: 'submit-single',
    pick: tps,
    over: { variant: 'bee-fast' },
    limit: 2,
    kind: 'min',
  },
  {
    label: 'submit bulk ÷ bee-queue fast',
    case: 'submit-bulk',
    pick: tps,
    over: { variant: 'bee-fast' },
    limit: 2,
    kind: 'min',
  },
  {
    label: 'latency 500/s ack p50 ÷ bee-queue fast',
    case: 'latency-500',
    pick: ackP50,
    over: { variant: 'bee-fast' },
    limit: 0.8,
    kind: 'max',
  },
  {
    label: 'latency 500/s ack p99 ÷ bee-queue fast',
    case: 'latency-500',
    pick: ackP99,
    over: { variant: 'bee-fast' },
    limit: 0.8,
    kind: 'max',
  },
  {
    label: 'Redis CPU/task at 500/s ÷ bee-queue fast',
    case: 'latency-500',
    pick: cpu,
    over: { variant: 'bee-fast' },
    limit: 1,
    kind: 'max',
  },
  {
    label: 'Redis CPU/task c400 ÷ bee-queue fast',
    case: 'process-c400',
    pick: cpu,
    over: { variant: 'bee-fast' },
    limit: 0.5,
    kind: 'max',
  },
];

export interface RatioRow {
  aim: string;
  dtps: number | null;
  other: number | null;
  /** Median of the per-repetition ratios, and their range. */
  ratio: number | null;
  min: number | null;
  max: number | null;
  limit: number;
  kind: 'min' | 'max';
  met: boolean | null;
}

function ratioRow(results: CaseRuns[], aim: Aim): RatioRow {
  const mine = values(results.find((r) => r.case === aim.case)?.runs.dtps, aim.pick);
  const theirs = values(
    results.find((r) => r.case === (aim.over.case ?? aim.case))?.runs[aim.over.variant],
    aim.pick,
  );
  const n = Math.min(mine.length, theirs.length);
  const per = Array.from({ length: n }, (_, i) => mine[i]! / theirs[i]!);
  const ratio = n > 0 ? median(per) : null;
  const r2 = (x: number) => Math.round(x * 100) / 100;
  return {
    aim: aim.label,
    dtps: mine.length ? median(mine) : null,
    other: theirs.length ? median(theirs) : null,
    ratio: ratio === null ? null : r2(ratio),
    min: n ? r2(Math.min(...per)) : null,
    max: n ? r2(Math.max(...per)) : null,
    limit: aim.limit,
    kind: aim.kind,
    met: ratio === null ? null : aim.kind === 'min' ? ratio >= aim.limit : ratio <= aim.limit,
  };
}

/** Plain ratios of dtps's throughput over each peer's, per case (for the table beside the aims). */
function peerRatios(results: CaseRuns[], variants: readonly Variant[]): string {
  const peers = variants.filter((v) => v !== 'dtps');
  const rows = results
    .filter((r) => values(r.runs.dtps, tps).length > 0)
    .map((r) => [
      r.case,
      ...peers.map((p) => {
        const t = values(r.runs[p], tps);
        return t.length ? fmt(median(values(r.runs.dtps, tps)) / median(t), 2) : '—';
      }),
    ]);
  return table(['dtps tasks/s ÷', ...peers], rows);
}

export function formatReport(
  results: CaseRuns[],
  variants: readonly Variant[],
): { text: string; ratios: RatioRow[] } {
  const ratios = AIMS.map((a) => ratioRow(results, a)).filter((r) => r.ratio !== null);
  const aimTable = table(
    ['aim', 'dtps', 'other', 'ratio (min–max)', 'aim', 'met'],
    ratios.map((r) => [
      r.aim,
      fmt(r.dtps!, r.dtps! < 100 ? 2 : 0),
      fmt(r.other!, r.other! < 100 ? 2 : 0),
      `${fmt(r.ratio!, 2)} (${fmt(r.min!, 2)}–${fmt(r.max!, 2)})`,
      `${r.kind === 'min' ? '≥' : '≤'} ${r.limit}`,
      r.met ? 'yes' : 'NO',
    ]),
  );
  const parts = [
    `== ratios (medians of per-repetition ratios) ==\n${aimTable}`,
    peerRatios(results, variants),
  ];
  for (const r of results) {
    const metrics = r.case.startsWith('latency')
      ? [...LATENCY, ...REDIS]
      : r.case.startsWith('process')
        ? [THROUGHPUT, ...REDIS, ...PROCESS]
        : [THROUGHPUT, ...SUBMIT, ...REDIS];
    const rows = metrics.map((m) => [
      m.label,
      ...variants.map((v) => spread(values(r.runs[v], m.pick), m.digits)),
    ]);
    parts.push(`== ${r.case}: ${r.description} — median (min–max) ==\n${table(['', ...variants], rows)}`);
    parts.push(busiest(r, variants));
  }
  return { text: parts.join('\n\n'), ratios };
}

/** The busiest Redis commands of each system in a case (its median repetition by Redis CPU): calls and µs per task. */
function busiest(r: CaseRuns, variants: readonly Variant[]): string {
  const lines = variants.map((v) => {
    const runs = [...(r.runs[v] ?? [])].sort((a, b) => a.redisCpuUsPerTask - b.redisCpuUsPerTask);
    const mid = runs[runs.length >> 1];
    if (!mid) return `${v}: —`;
    return `${v}: ${mid.commands
      .slice(0, 6)
      .map((c) => `${c.name} ${fmt(c.callsPerTask, 2)}× ${fmt(c.usecPerTask, 1)} µs`)
      .join(', ')}`;
  });
  return `busiest commands per task (calls, Redis µs):\n${lines.join('\n')}`;
}
