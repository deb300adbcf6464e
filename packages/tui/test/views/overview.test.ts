import test from 'ava';
import { createElement as h } from 'react';
import { chartPanels } from '../../src/charts/panels.js';
import { ChartRenderer } from '../../src/charts/renderer.js';
import { overviewCharts } from '../../src/charts/specs.js';
import { mainHeight, overviewBoxes } from '../../src/state/layout.js';
import { reducer } from '../../src/state/reducer.js';
import { countsOf } from '../../src/state/selectors.js';
import type { DashboardState } from '../../src/state/types.js';
import { Overview } from '../../src/views/Overview.js';
import { busyState, NOW, point } from '../fixtures.js';
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
  const boxes = overviewBoxes(width, height);
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
      flow: null,
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
