/**
 * Everything a frame shows, as plain data computed from the state: the props
 * of each part of the screen. Two equal models draw the same frame, so the
 * app keeps the previous model when the new one is equal and the Screen does
 * not render at all (an idle console costs one small comparison a second).
 */
import { footerHints } from '../state/help.js';
import { frameHeight, mainHeight, overviewBoxes } from '../state/layout.js';
import {
  bannerShown,
  countsOf,
  dataLossShown,
  handlerTypes,
  heartbeatOf,
  liveWorkerCount,
  selectedWorker,
  visibleTasks,
  visibleWorkers,
} from '../state/selectors.js';
import { formErrors } from '../state/submit-form.js';
import type { DashboardState } from '../state/types.js';
import type { BannerProps } from './Banner.js';
import type { DataLossBannerProps } from './DataLossBanner.js';
import type { FilterFormProps } from './FilterForm.js';
import type { FooterProps } from './Footer.js';
import type { HeaderProps } from './Header.js';
import type { HelpProps } from './Help.js';
import type { ChartPanel, OverviewProps } from './Overview.js';
import { type SchedulesProps, scheduleRow } from './Schedules.js';
import type { StatusLineProps } from './StatusLine.js';
import type { SubmitFormProps } from './SubmitForm.js';
import type { TaskDetailProps } from './TaskDetail.js';
import { type TasksProps, taskRow } from './Tasks.js';
import { sizingLine, type WorkersProps, workerLine, workerRow } from './Workers.js';

/** The Overview's charts, drawn offscreen (see use-charts). */
export interface OverviewChartPanels {
  readonly throughput: ChartPanel;
  readonly latency: ChartPanel;
  readonly depth: ChartPanel;
}

/** What the main area shows. */
export type MainModel =
  | { readonly kind: 'overview'; readonly props: OverviewProps }
  | { readonly kind: 'workers'; readonly props: WorkersProps }
  | { readonly kind: 'tasks'; readonly props: TasksProps }
  | { readonly kind: 'schedules'; readonly props: SchedulesProps }
  | { readonly kind: 'detail'; readonly props: TaskDetailProps }
  | { readonly kind: 'filter'; readonly props: FilterFormProps; readonly height: number }
  | { readonly kind: 'submit'; readonly props: SubmitFormProps }
  | { readonly kind: 'help'; readonly props: HelpProps };

export interface ScreenModel {
  readonly width: number;
  readonly height: number;
  readonly mainHeight: number;
  readonly header: HeaderProps;
  readonly banner: BannerProps | null;
  /** The data-loss line, in the banner's place while Redis answers. */
  readonly dataLoss: DataLossBannerProps | null;
  readonly main: MainModel;
  readonly status: StatusLineProps;
  readonly footer: FooterProps;
}

const EMPTY_PANEL: ChartPanel = { title: '', text: '', legend: [] };

function mainModel(
  state: DashboardState,
  charts: OverviewChartPanels | null,
  width: number,
  height: number,
): MainModel {
  const o = state.overlay;
  if (o?.kind === 'help') return { kind: 'help', props: { width, height } };
  if (o?.kind === 'submit') {
    return {
      kind: 'submit',
      props: {
        form: o.form,
        errors: formErrors(o.form),
        types: handlerTypes(state),
        queue: state.queue,
        followed: state.follow?.id === o.form.submittedId ? state.follow.task : null,
        now: state.now,
        width,
        height,
      },
    };
  }
  if (state.view === 'workers') {
    const { rows, selected } = visibleWorkers(state);
    const current = selectedWorker(state);
    return {
      kind: 'workers',
      props: {
        rows: rows.map((w) => workerRow(w, state.freshness)),
        selected,
        current: current ? workerLine(current) : null,
        sizing: current ? sizingLine(current) : null,
        total: state.workers.length,
        width,
        height,
      },
    };
  }
  if (state.view === 'schedules') {
    return {
      kind: 'schedules',
      props: { rows: state.schedules.map((s) => scheduleRow(s, state.now)), width, height },
    };
  }
  if (state.view === 'tasks') {
    if (o?.kind === 'filter') {
      return {
        kind: 'filter',
        props: { focus: o.focus, draft: o.draft, width: Math.min(width, 50) },
        height,
      };
    }
    if (state.detail) {
      const d = state.detail;
      return {
        kind: 'detail',
        props: { id: d.id, detail: d.data, error: d.error, now: state.now, width, height },
      };
    }
    const { rows, selected, total, gone } = visibleTasks(state);
    return {
      kind: 'tasks',
      props: {
        rows: rows.map((t) => taskRow(t, state.now)),
        selected,
        offset: state.taskScroll,
        total,
        gone,
        queue: state.queue,
        filter: state.filter,
        width,
        height,
      },
    };
  }
  const live = state.workers.filter((w) => heartbeatOf(w.heartbeatAgeMs, state.freshness) !== 'dead');
  return {
    kind: 'overview',
    props: {
      queue: state.queue,
      counts: countsOf(state),
      totals: state.summary?.totals ?? {},
      liveWorkers: live.length,
      workers: state.workers.length,
      busy: live.reduce((n, w) => n + w.busy, 0),
      slots: live.reduce((n, w) => n + w.poolSize, 0),
      leader: state.leader,
      source: state.seriesSource,
      boxes: overviewBoxes(width, height),
      charts: charts ?? { throughput: EMPTY_PANEL, latency: EMPTY_PANEL, depth: EMPTY_PANEL },
      width,
      height,
    },
  };
}

/** The frame's model: header, banner while Redis is not answering, the view or form, status line, footer. */
export function screenModel(state: DashboardState, charts: OverviewChartPanels | null): ScreenModel {
  const { columns, rows } = state.size;
  const banner = bannerShown(state);
  const height = mainHeight(rows, banner);
  return {
    width: columns,
    height: frameHeight(rows),
    mainHeight: height,
    header: {
      view: state.view,
      queue: state.queue,
      liveWorkers: liveWorkerCount(state),
      leader: state.leader,
      connection: state.connection.status,
      width: columns,
    },
    banner: banner
      ? { connection: state.connection, redisLabel: state.redisLabel, now: state.now, width: columns }
      : null,
    dataLoss:
      dataLossShown(state) && state.dataLoss
        ? { at: state.dataLoss.at, losses: state.dataLoss.losses, width: columns }
        : null,
    main: mainModel(state, charts, columns, height),
    status: {
      confirm: state.overlay?.kind === 'confirm' ? state.overlay.confirm : null,
      notice: state.notice,
      bulk: state.bulk,
      follow: state.follow,
      width: columns,
    },
    footer: { hints: footerHints(state), width: columns },
  };
}
