/**
 * The Overview's chart panels: the drawn charts with their titles and a
 * legend that also gives each line's newest value.
 */
import type { ChartPanel } from '../views/Overview.js';
import { type ChartSpec, latest, type OverviewCharts } from './specs.js';

/** Ink's name of the colour blessed drew a line in. */
const INK_COLORS: Record<string, string> = { grey: 'gray' };

function legend(spec: ChartSpec, format: (n: number) => string): ChartPanel['legend'] {
  const values = latest(spec);
  return spec.series.map((s, i) => ({
    label: s.title,
    color: INK_COLORS[s.color] ?? s.color,
    value: format(values[i] ?? 0),
  }));
}

function ms(n: number): string {
  if (n >= 1000) return `${(n / 1000).toFixed(n >= 10_000 ? 0 : 1)}s`;
  return `${n}ms`;
}

/** Panels of the three charts, given their drawn text (throughput, latency, depth). */
export function chartPanels(
  specs: OverviewCharts,
  texts: readonly [string, string, string],
): { throughput: ChartPanel; latency: ChartPanel; depth: ChartPanel } {
  return {
    throughput: { title: 'tasks/s', text: texts[0], legend: legend(specs.throughput, String) },
    latency: { title: 'latency', text: texts[1], legend: legend(specs.latency, ms) },
    depth: { title: 'depth', text: texts[2], legend: legend(specs.depth, String) },
  };
}
