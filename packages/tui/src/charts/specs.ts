/**
 * What the Overview's charts show, computed from the state alone: the
 * per-second points (the coordinator's series, or the engine's own counters)
 * and the depth history, laid on a time axis of whole seconds ending at the
 * newest point.
 */
import { LATENCY_BOUNDS_MS, type SeriesPoint, type TaskState } from '@dtps/core';
import type { DashboardState } from '../state/types.js';

/** One line of a chart. */
export interface ChartSeries {
  title: string;
  /** A blessed colour name. */
  color: string;
  /** One a second; null where nothing is known (before the history starts): drawn empty. */
  values: readonly (number | null)[];
}

/** One chart: its size on screen (columns × lines), x labels and lines. */
export interface ChartSpec {
  width: number;
  height: number;
  labels: readonly string[];
  series: readonly ChartSeries[];
  wholeNumbers: boolean;
}

/** The Overview's three charts. */
export interface OverviewCharts {
  throughput: ChartSpec;
  depth: ChartSpec;
  latency: ChartSpec;
}

/** Sizes of the three charts, in columns and lines. */
export interface ChartBoxes {
  throughput: { width: number; height: number };
  depth: { width: number; height: number };
  latency: { width: number; height: number };
}

/** A latency past the last bucket bound is drawn at twice that bound. */
const LATENCY_CAP_MS = LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1]! * 2;

/** How many seconds a chart of this width shows: about one per braille dot column. */
export function secondsFor(width: number): number {
  return Math.max(20, Math.min(120, width * 2 - 12));
}

/** The seconds of the window, oldest first, ending at `end` (epoch ms of a whole second). */
function window(end: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => end - (n - 1 - i) * 1000);
}

function labelsOf(n: number): string[] {
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? 'now' : `-${n - 1 - i}s`));
}

/**
 * Values at each second: over a gap, the last known value (`hold`) or 0.
 * With `fromFirst`, seconds before the first known value are null (drawn
 * empty): the depth history starts when the console (or the coordinator's
 * series) does, and a level copied back over the time before it would show
 * tasks in the queue before the system existed.
 */
function valuesAt<T>(
  seconds: readonly number[],
  byT: ReadonlyMap<number, T>,
  get: (x: T) => number | null,
  hold: boolean,
  fromFirst = false,
): (number | null)[] {
  let last = 0;
  let known = !fromFirst;
  return seconds.map((t) => {
    const x = byT.get(t);
    const v = x === undefined ? null : get(x);
    if (v === null) return known ? (hold ? last : 0) : null;
    known = true;
    last = Number.isFinite(v) ? v : LATENCY_CAP_MS;
    return last;
  });
}

const WAITING: TaskState[] = ['pending', 'scheduled'];

/**
 * The end of a time axis: the newest second read. Rates end at the last whole
 * second the counters have (the current one is still counting, and would
 * always show as a drop); levels at the last depth sample.
 */
function axisEnd(state: DashboardState, newest: number | undefined): number {
  return newest !== undefined && newest > 0 ? newest : Math.floor(state.now / 1000) * 1000 - 1000;
}

export function overviewCharts(state: DashboardState, boxes: ChartBoxes): OverviewCharts {
  const end = axisEnd(state, state.series.at(-1)?.t);
  const points = new Map<number, SeriesPoint>(state.series.map((p) => [p.t, p]));

  const tSeconds = window(end, secondsFor(boxes.throughput.width));
  const throughput: ChartSpec = {
    ...boxes.throughput,
    labels: labelsOf(tSeconds.length),
    wholeNumbers: true,
    series: [
      { title: 'completed', color: 'green', values: valuesAt(tSeconds, points, (p) => p.succeeded, false) },
      {
        title: 'failed',
        color: 'red',
        values: valuesAt(tSeconds, points, (p) => p.failed + p.expired, false),
      },
    ],
  };

  const lSeconds = window(end, secondsFor(boxes.latency.width));
  const latency: ChartSpec = {
    ...boxes.latency,
    labels: labelsOf(lSeconds.length),
    wholeNumbers: true,
    series: [
      { title: 'p50', color: 'cyan', values: valuesAt(lSeconds, points, (p) => p.p50Ms, true) },
      { title: 'p99', color: 'magenta', values: valuesAt(lSeconds, points, (p) => p.p99Ms, true) },
    ],
  };

  // Depth: the coordinator's series carries it; without one, the feed's own samples.
  const fromSeries = state.seriesSource === 'coordinator' && state.series.some((p) => p.depth !== undefined);
  const depthByT = new Map<number, Partial<Record<TaskState, number>>>(
    fromSeries
      ? state.series.filter((p) => p.depth !== undefined).map((p) => [p.t, p.depth!])
      : state.depth.map((s) => [s.t, s.counts]),
  );
  const depthEnd = axisEnd(state, fromSeries ? state.series.at(-1)?.t : state.depth.at(-1)?.t);
  const dSeconds = window(depthEnd, secondsFor(boxes.depth.width));
  const of = (states: TaskState[]) => (c: Partial<Record<TaskState, number>>) =>
    states.reduce((n, s) => n + (c[s] ?? 0), 0);
  const depth: ChartSpec = {
    ...boxes.depth,
    labels: labelsOf(dSeconds.length),
    wholeNumbers: true,
    series: [
      { title: 'queued', color: 'cyan', values: valuesAt(dSeconds, depthByT, of(['queued']), true, true) },
      {
        title: 'reserved',
        color: 'blue',
        values: valuesAt(dSeconds, depthByT, of(['reserved']), true, true),
      },
      {
        title: 'running',
        color: 'yellow',
        values: valuesAt(dSeconds, depthByT, of(['running']), true, true),
      },
      { title: 'waiting', color: 'magenta', values: valuesAt(dSeconds, depthByT, of(WAITING), true, true) },
    ],
  };
  return { throughput, depth, latency };
}

/** The newest value of each line, for the legends above the charts (0 when none is known). */
export function latest(spec: ChartSpec): number[] {
  return spec.series.map((s) => s.values.at(-1) ?? 0);
}
