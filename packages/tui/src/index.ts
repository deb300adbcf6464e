/**
 * @dtps/tui — the `dtps-tui` console as a library: `runConsole` runs it on a
 * terminal (the bin and `dtps up` call it); the app, its views, its pure
 * reducer and keymap, the feed and the effects layer are exported for
 * embedding and tests.
 */
export { App, type AppProps } from './app.js';
export { chartPanels } from './charts/panels.js';
export { ChartRenderer } from './charts/renderer.js';
export {
  type ChartBoxes,
  type ChartSeries,
  type ChartSpec,
  latest,
  type OverviewCharts,
  overviewCharts,
  secondsFor,
} from './charts/specs.js';
export { type ConsoleHandle, type ConsoleOptions, freshnessOf, runConsole } from './console.js';
export { clientEffects, type EffectClient, type Effects } from './effects/effects.js';
export { type DashboardSource, FeedReader } from './feed/reader.js';
export { useCharts } from './hooks/use-charts.js';
export { useDashboard } from './hooks/use-dashboard.js';
export { useEffects } from './hooks/use-effects.js';
export { type ConnectionEvents, FEED_INTERVAL_MS, type FeedOptions, useFeed } from './hooks/use-feed.js';
export { useKeymap } from './hooks/use-keymap.js';
export { useStableModel } from './hooks/use-stable-model.js';
export { useTerminalSize } from './hooks/use-terminal-size.js';
export type { Action, ActionType, EffectOutcome } from './state/actions.js';
export { appendDepth, HISTORY_SECONDS, mergeSeries } from './state/data.js';
export { footerHints, KEY_REFERENCE, type KeyHint } from './state/help.js';
export { type KeyPress, keyActions } from './state/keymap.js';
export {
  frameHeight,
  MIN_CHART_HEIGHT,
  mainHeight,
  OVERVIEW_COUNTER_LINES,
  type OverviewBoxes,
  overviewBoxes,
  taskPageSize,
  workerPageSize,
} from './state/layout.js';
export { type InitialOptions, initialState, NOTICE_MS, reducer } from './state/reducer.js';
export {
  bannerShown,
  countsOf,
  type Demand,
  demandKey,
  demandOf,
  followActive,
  type Heartbeat,
  handlerTypes,
  heartbeatOf,
  listedTasks,
  liveWorkerCount,
  selectedWorker,
  targetTask,
  tasksKeyOf,
  visibleTasks,
  visibleWorkers,
} from './state/selectors.js';
export {
  cycleField,
  dependencyIds,
  emptyForm,
  FIELD_INFO,
  fieldError,
  formErrors,
  parseDuration,
  specOf,
} from './state/submit-form.js';
export {
  type Confirm,
  type Connection,
  type DashboardState,
  type DepthSample,
  type Effect,
  type EffectRequest,
  FILTER_FIELDS,
  type FilterField,
  type Follow,
  type Freshness,
  type Notice,
  type Overlay,
  type SeriesSource,
  SUBMIT_FIELDS,
  type SubmitField,
  type SubmitForm as SubmitFormState,
  type TaskFilter,
  VIEWS,
  type ViewName,
} from './state/types.js';
export { Banner, type BannerProps } from './views/Banner.js';
export { FilterForm, type FilterFormProps } from './views/FilterForm.js';
export { Footer, type FooterProps } from './views/Footer.js';
export { Header, type HeaderProps } from './views/Header.js';
export { Help, type HelpProps } from './views/Help.js';
export { type ChartPanel, Overview, type OverviewProps } from './views/Overview.js';
export { ProgressBar, type ProgressBarProps } from './views/ProgressBar.js';
export { Screen, type ScreenProps } from './views/Screen.js';
export { StatusLine, type StatusLineProps } from './views/StatusLine.js';
export { SubmitForm, type SubmitFormProps } from './views/SubmitForm.js';
export {
  type MainModel,
  type OverviewChartPanels,
  type ScreenModel,
  screenModel,
} from './views/screen-model.js';
export { TaskDetail, type TaskDetailProps, traceIdOf } from './views/TaskDetail.js';
export { type TaskRow, Tasks, type TasksProps, taskRow } from './views/Tasks.js';
export { type WorkerRow, Workers, type WorkersProps, workerLine, workerRow } from './views/Workers.js';
