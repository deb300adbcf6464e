/**
 * The console: the state behind its hook, the one feed, the one keymap, the
 * effects runner, and the pure Screen drawn from the state.
 */
import { useApp } from 'ink';
import { useEffect } from 'react';
import type { ChartRenderer } from './charts/renderer.js';
import type { Effects } from './effects/effects.js';
import type { FeedReader } from './feed/reader.js';
import { useCharts } from './hooks/use-charts.js';
import { useDashboard } from './hooks/use-dashboard.js';
import { useEffects } from './hooks/use-effects.js';
import { type ConnectionEvents, useFeed } from './hooks/use-feed.js';
import { useKeymap } from './hooks/use-keymap.js';
import { useStableModel } from './hooks/use-stable-model.js';
import { useTerminalSize } from './hooks/use-terminal-size.js';
import type { InitialOptions } from './state/reducer.js';
import { demandOf } from './state/selectors.js';
import { Screen } from './views/Screen.js';
import { screenModel } from './views/screen-model.js';

export interface AppProps {
  readonly initial: InitialOptions;
  readonly reader: FeedReader;
  readonly effects: Effects;
  readonly renderer: ChartRenderer;
  readonly connection?: ConnectionEvents;
  /** Feed interval, ms (default 1000). */
  readonly intervalMs?: number;
  /** Follow the terminal's size (off in frame tests, which fix it). */
  readonly trackSize?: boolean;
}

export function App({
  initial,
  reader,
  effects,
  renderer,
  connection,
  intervalMs,
  trackSize = true,
}: AppProps) {
  const [state, dispatch] = useDashboard(initial);
  useFeed({
    reader,
    demand: demandOf(state),
    dispatch,
    ...(connection ? { connection } : {}),
    ...(intervalMs ? { intervalMs } : {}),
  });
  useEffects(effects, state.outbox, dispatch);
  useKeymap(state, dispatch);
  useTerminalSize(dispatch, trackSize);
  const charts = useCharts(renderer, state);
  const model = useStableModel(screenModel(state, charts));
  const { exit } = useApp();
  useEffect(() => {
    if (state.quit) exit();
  }, [state.quit, exit]);
  return <Screen model={model} />;
}
