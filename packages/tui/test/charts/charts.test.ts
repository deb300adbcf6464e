import test from 'ava';
import { chartPanels } from '../../src/charts/panels.js';
import { ChartRenderer } from '../../src/charts/renderer.js';
import { overviewCharts, secondsFor } from '../../src/charts/specs.js';
import type { Action } from '../../src/state/actions.js';
import { HISTORY_SECONDS } from '../../src/state/data.js';
import { overviewBoxes } from '../../src/state/layout.js';
import { reducer } from '../../src/state/reducer.js';
import { busyState, NOW, plain, point, stateAfter, summary } from '../fixtures.js';

const T0 = Math.floor(NOW / 1000) * 1000;
const boxes = overviewBoxes(80, 20);

test('overviewCharts: one value a second ending at the newest point; gaps are zero for rates, held for levels', (t) => {
  let s = stateAfter([{ type: 'summaryLoaded', summary: summary({ queued: 9 }), at: NOW - 3000 }]);
  s = reducer(s, { type: 'summaryLoaded', summary: summary({ queued: 3 }), at: NOW });
  s = reducer(s, {
    type: 'seriesLoaded',
    source: 'counters',
    points: [
      point(T0 - 2000, { succeeded: 4, failed: 1, expired: 1, p50Ms: 50 }),
      point(T0, { succeeded: 2 }),
    ],
  });
  const c = overviewCharts(s, boxes);
  const n = secondsFor(boxes.throughput.width);
  t.is(c.throughput.labels.length, n);
  t.is(c.throughput.labels.at(-1), 'now');
  t.deepEqual(c.throughput.series[0]!.values.slice(-3), [4, 0, 2], 'completed; a missing second is 0');
  t.deepEqual(c.throughput.series[1]!.values.slice(-3), [2, 0, 0], 'failed counts expired too');
  t.deepEqual(
    c.latency.series[0]!.values.slice(-3),
    [50, 50, 50],
    'latency holds over seconds without completions',
  );
  t.deepEqual(c.depth.series[0]!.values.slice(-4), [9, 9, 9, 3], 'depth holds between samples');
});

test('overviewCharts: with a coordinator, depth comes from its series', (t) => {
  const s = reducer(busyState(), {
    type: 'seriesLoaded',
    source: 'coordinator',
    points: [
      point(T0 - 1000, { depth: { queued: 40, running: 5 } }),
      point(T0, { depth: { queued: 30, pending: 2, scheduled: 1 } }),
    ],
  });
  const c = overviewCharts(s, boxes);
  t.deepEqual(c.depth.series[0]!.values.slice(-2), [40, 30]);
  t.deepEqual(c.depth.series[3]!.values.slice(-2), [0, 3], 'waiting = pending + scheduled');
});

test('overviewCharts: an idle console draws the same charts second after second (once its history fills the chart)', (t) => {
  // Before that, each second adds a known second to the depth chart (nothing is drawn before the history).
  const history: Action[] = Array.from({ length: HISTORY_SECONDS }, (_, i) => ({
    type: 'summaryLoaded',
    summary: summary({ queued: 4 }),
    at: T0 - (HISTORY_SECONDS - 1 - i) * 1000,
  }));
  const s0 = stateAfter([
    { type: 'seriesLoaded', source: 'counters', points: [point(T0 - 1000), point(T0)] },
    ...history,
  ]);
  const s1 = (
    [
      { type: 'seriesLoaded', source: 'counters', points: [point(T0 + 1000)] },
      { type: 'summaryLoaded', summary: summary({ queued: 4 }), at: T0 + 1000 },
    ] as Action[]
  ).reduce(reducer, s0);
  t.is(JSON.stringify(overviewCharts(s0, boxes)), JSON.stringify(overviewCharts(s1, boxes)));
});

test('ChartRenderer: braille line charts of exactly the asked size, with axis labels', (t) => {
  const r = new ChartRenderer();
  try {
    const s = reducer(busyState(), {
      type: 'seriesLoaded',
      source: 'counters',
      points: Array.from({ length: 90 }, (_, i) =>
        point(T0 - (89 - i) * 1000, { succeeded: i % 13, p50Ms: 10, p99Ms: 100 }),
      ),
    });
    const c = overviewCharts(s, boxes);
    const texts = r.render([c.throughput, c.latency, c.depth]);
    for (const [i, spec] of [c.throughput, c.latency, c.depth].entries()) {
      const lines = plain(texts[i]).split('\n');
      t.is(lines.length, spec.height, `chart ${i} height`);
      t.true(Math.max(...lines.map((l) => [...l].length)) <= spec.width, `chart ${i} width`);
      t.regex(lines.at(-1)!, /-\d+s/, 'x labels on the last line');
    }
    t.regex(plain(texts[0]), /[⡀-⣿]/u);
    t.true(texts[0]!.includes('\u001b[32m'), 'completed in green');
    // Reused across sizes: a resize makes new widgets on the same screen.
    const small = overviewCharts(s, overviewBoxes(60, 16));
    t.is(plain(r.render([small.throughput])[0]).split('\n').length, small.throughput.height);
    const panels = chartPanels(c, [texts[0]!, texts[1]!, texts[2]!]);
    t.deepEqual(
      panels.latency.legend.map((l) => `${l.label} ${l.value}`),
      ['p50 10ms', 'p99 100ms'],
    );
  } finally {
    r.destroy();
  }
});

test('ChartRenderer: an all-zero chart still draws (blessed-contrib divides by the largest value)', (t) => {
  const r = new ChartRenderer();
  try {
    const [text] = r.render([
      {
        width: 40,
        height: 6,
        wholeNumbers: true,
        labels: ['-1s', 'now'],
        series: [{ title: 'a', color: 'green', values: [0, 0] }],
      },
    ]);
    t.notRegex(text!, /NaN|undefined/);
    t.is(plain(text).split('\n').length, 6);
  } finally {
    r.destroy();
  }
});

// Regression (issue 17, point 7): the depth chart copied the first sample back over the two
// minutes before it, drawing a flat "running 2" line for a time when the system did not exist.
test('depth: the seconds before the first sample are empty, in the spec and on the drawn chart', (t) => {
  // The console has run for two seconds; the two minutes on the chart before them are unknown.
  const s = stateAfter([
    { type: 'summaryLoaded', summary: summary({ running: 2 }), at: NOW - 1000 },
    { type: 'summaryLoaded', summary: summary({ running: 2 }), at: NOW },
  ]);
  const c = overviewCharts(s, boxes);
  const running = c.depth.series[2]!;
  t.is(running.title, 'running');
  t.deepEqual(running.values.slice(-2), [2, 2]);
  t.true(
    running.values.slice(0, -2).every((v) => v === null),
    'nothing known before the first sample: no value',
  );
  const r = new ChartRenderer();
  try {
    const [text] = r.render([c.depth]);
    const lines = plain(text).split('\n');
    // Above the baseline and the x labels: the left half of the plot (past the y axis) is blank.
    const plot = lines.slice(0, -2);
    t.true(
      plot.some((l) => /[⠁-⣿]/u.test(l.slice(3))),
      `the newest second is drawn:\n${lines.join('\n')}`,
    );
    for (const l of plot) {
      const left = [...l].slice(3, Math.floor(c.depth.width / 2)).join('');
      t.regex(left, /^[\s⠀]*$/u, `no line before the first sample:\n${lines.join('\n')}`);
    }
  } finally {
    r.destroy();
  }
});
