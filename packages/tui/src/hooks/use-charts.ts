/**
 * The Overview's charts: computed from the state, drawn offscreen by the
 * blessed-contrib renderer only when what they show changed (an idle console
 * draws no chart at all).
 */
import { useMemo } from 'react';
import { chartPanels } from '../charts/panels.js';
import type { ChartRenderer } from '../charts/renderer.js';
import { overviewCharts } from '../charts/specs.js';
import { flowLineCount, mainHeight, overviewBoxes } from '../state/layout.js';
import { bannerShown } from '../state/selectors.js';
import type { DashboardState } from '../state/types.js';
import type { OverviewChartPanels } from '../views/screen-model.js';

export function useCharts(renderer: ChartRenderer, state: DashboardState): OverviewChartPanels | null {
  const shown = state.view === 'overview' && (state.overlay === null || state.overlay.kind === 'confirm');
  const boxes = overviewBoxes(
    state.size.columns,
    mainHeight(state.size.rows, bannerShown(state)),
    flowLineCount(state.flow),
  );
  const specs = shown ? overviewCharts(state, boxes) : null;
  const key = specs ? JSON.stringify(specs) : '';
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` is `specs` in full; redraw only when it changed.
  return useMemo(() => {
    if (!specs) return null;
    const [a, b, c] = renderer.render([specs.throughput, specs.latency, specs.depth]);
    return chartPanels(specs, [a ?? '', b ?? '', c ?? '']);
  }, [renderer, key]);
}
