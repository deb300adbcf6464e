import test from 'ava';
import { createElement as h } from 'react';
import { chartPanels } from '../../src/charts/panels.js';
import { ChartRenderer } from '../../src/charts/renderer.js';
import { overviewCharts } from '../../src/charts/specs.js';
import { flowLineCount, mainHeight, overviewBoxes } from '../../src/state/layout.js';
import { reducer } from '../../src/state/reducer.js';
import { countsOf } from '../../src/state/selectors.js';
import type { DashboardState } from '../../src/state/types.js';
import { Overview } from '../../src/views/Overview.js';
import { busyState, NOW, point } from '../fixtures.js';
import { FLOW } from '../state/cases/flow.js';
import { frameOf, widest } from './render.js';

const renderer = new ChartRenderer();
test.after.always(() => renderer.destroy());

function withSeries(s: DashboardState): DashboardState {
  const t0 = Math.floor(NOW / 1000) * 1000;
  const points = Array.from({ length: 60 }, (_, i) =>
    point(t0 - (59 - i) * 1000, {
      succeeded: 10 + (i % 7),
      failed: i % 10 === 0 ? 3 : 0,
      p50Ms: 25,
      p99Ms: 250,
    }),
  );
  return reducer(s, { type: 'seriesLoaded', source: 'counters', points });
}

function overviewFrame(s: DashboardState, width: number, height: number) {
  const boxes = overviewBoxes(width, height, flowLineCount(s.flow));
  const specs = overviewCharts(s, boxes);
  const [a, b, c] = renderer.render([specs.throughput, specs.latency, specs.depth]);
  return frameOf(
    h(Overview, {
      queue: s.queue,
      counts: countsOf(s),
      totals: s.summary?.totals ?? {},
      liveWorkers: 2,
      workers: 2,
      busy: 4,
      slots: 10,
      leader: null,
      source: s.seriesSource,
      boxes,
      flow: s.flow,
      charts: chartPanels(specs, [a!, b!, c!]),
      width,
      height,
    }),
  );
}

test('Overview: counters by state, the fleet, and three braille charts with legends', (t) => {
  const { text, lines } = overviewFrame(withSeries(busyState()), 80, mainHeight(24, false));
  t.regex(text, /default · 2\/2 workers live · 4\/10 slots busy on live workers · 100 submitted/);
  t.regex(text, /queued 3 +reserved 0 +running 2/);
  t.regex(text, /succeeded 90 +failed 1 +expired 0 +cancelled 0/);
  t.regex(text, /tasks\/s +● completed 13 +● failed 0/);
  t.regex(text, /latency +● p50 25ms +● p99 250ms/);
  t.regex(text, /depth +● queued 3 +● reserved 0 +● running 2 +● waiting 0/);
  t.regex(text, /[⠁-⣿]/u, 'braille plot');
  t.regex(text, /-\d+s/, 'time axis labels');
  t.true(lines.length <= 20, `${lines.length} lines`);
  t.true(widest(lines) <= 80, `${widest(lines)} columns`);
});

test('Overview: stacks the charts on a narrow terminal', (t) => {
  const { text, lines } = overviewFrame(withSeries(busyState()), 60, 26);
  t.true(widest(lines) <= 60);
  const titles = lines.filter((l) => /^(tasks\/s|latency|depth) /.test(l));
  t.is(titles.length, 3, 'one chart a row');
  t.regex(text, /[⠁-⣿]/u);
});

test('Overview: a paused queue with limits shows them under the counters, and the charts give up the lines', (t) => {
  const height = mainHeight(24, false);
  const s = reducer(withSeries(busyState()), {
    type: 'flowLoaded',
    flow: { ...FLOW, paused: true, pausedAt: NOW },
  });
  const { text, lines } = overviewFrame(s, 80, height);
  t.regex(text, /PAUSED · 1 limit · L set\/clear · P resume/);
  t.regex(text, /type echo +rate 5\/1s tokens left 3 cap 2 running 2 held back 7/);
  t.regex(text, /depth +● queued/, 'the last chart is still there');
  t.true(lines.length <= height, `${lines.length} lines in ${height}`);
  t.true(widest(lines) <= 80);
  const plain = overviewFrame(withSeries(busyState()), 80, height).text;
  t.false(/limit/.test(plain), 'nothing for a queue without limits, running');
});
