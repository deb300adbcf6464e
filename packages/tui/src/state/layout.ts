/**
 * How the screen is divided, as arithmetic on the terminal size: shared by
 * the reducer (how far a page scrolls) and the views (how much to draw).
 */

/** Lines around the main area: header, status line, footer. */
const CHROME_LINES = 3;

/**
 * Lines the console draws: one less than the terminal has. A frame as tall as
 * the terminal makes Ink clear the whole screen before every frame (flicker);
 * one line less lets it rewrite only the lines that changed.
 */
export function frameHeight(rows: number): number {
  return Math.max(1, rows - 1);
}

/** Lines of the main area under the header, above the status line and footer. */
export function mainHeight(rows: number, bannerShown: boolean): number {
  return Math.max(3, frameHeight(rows) - CHROME_LINES - (bannerShown ? 1 : 0));
}

/** Task rows the Tasks view shows at once (the filter line and the column header take two). */
export function taskPageSize(rows: number, bannerShown: boolean): number {
  return Math.max(1, mainHeight(rows, bannerShown) - 2);
}

/** Worker rows the Workers view shows at once (column header, and the selected worker's two lines). */
export function workerPageSize(rows: number, bannerShown: boolean): number {
  return Math.max(1, mainHeight(rows, bannerShown) - 4);
}

/** Lines the Overview's counters take above the charts. */
export const OVERVIEW_COUNTER_LINES = 3;

/** Sizes of the Overview's charts (each under a one-line title) in a main area of `width` × `height`. */
export interface OverviewBoxes {
  /** Two charts side by side over a wide third one, or the three stacked when narrow. */
  stacked: boolean;
  throughput: { width: number; height: number };
  latency: { width: number; height: number };
  depth: { width: number; height: number };
}

/** Below this width the three charts are stacked. */
const SIDE_BY_SIDE_MIN_WIDTH = 70;
/** The fewest lines a chart is drawn in (axis, labels and a few lines of plot). */
export const MIN_CHART_HEIGHT = 3;

/** Limits listed on the Overview at most (the rest are summed up on the flow line). */
export const MAX_LIMIT_LINES = 4;

/** Lines the Overview's flow-control block takes: none for a running queue without limits. */
export function flowLineCount(flow: { paused: boolean; limits: readonly unknown[] } | null): number {
  if (!flow || (!flow.paused && flow.limits.length === 0)) return 0;
  return 1 + Math.min(flow.limits.length, MAX_LIMIT_LINES);
}

export function overviewBoxes(width: number, height: number, flowLines = 0): OverviewBoxes {
  const area = Math.max(0, height - OVERVIEW_COUNTER_LINES - flowLines);
  if (width < SIDE_BY_SIDE_MIN_WIDTH) {
    const each = Math.floor(area / 3);
    const h = Math.max(MIN_CHART_HEIGHT, each - 1);
    const box = { width: Math.max(20, width - 1), height: h };
    return { stacked: true, throughput: box, latency: box, depth: box };
  }
  const top = Math.floor(area / 2);
  const bottom = area - top;
  const half = Math.floor((width - 3) / 2);
  return {
    stacked: false,
    throughput: { width: half, height: Math.max(MIN_CHART_HEIGHT, top - 1) },
    latency: { width: width - 3 - half, height: Math.max(MIN_CHART_HEIGHT, top - 1) },
    depth: { width: width - 1, height: Math.max(MIN_CHART_HEIGHT, bottom - 1) },
  };
}
