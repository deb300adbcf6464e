import test from 'ava';
import { createElement as h } from 'react';
import { Workers, workerLine, workerRow } from '../../src/views/Workers.js';
import { FRESHNESS, worker } from '../fixtures.js';
import { frameOf, widest } from './render.js';

const views = [
  worker('w-fresh', {
    poolSize: 6,
    min: 2,
    max: 12,
    busy: 4,
    window: 2,
    processed: 12_345,
    failed: 7,
    steals: 3,
    steal: true,
  }),
  worker('w-late', { heartbeatAgeMs: 3200, paused: true }),
  worker('w-dead', { heartbeatAgeMs: 9000 }),
  worker('w-drain', { draining: true, paused: true }),
];
const rows = views.map((w) => workerRow(w, FRESHNESS));

test('Workers: one row a worker, heartbeat age, pool with bounds, counters, stealing and state', (t) => {
  const { text, lines } = frameOf(
    h(Workers, {
      rows,
      selected: 0,
      current: workerLine(views[0]!),
      total: 4,
      width: 100,
      height: 12,
    }),
  );
  t.regex(text, /WORKER +HOST +BEAT +POOL +BUSY +WIN +DONE +FAIL +STEALS +STEAL STATE/);
  t.regex(text, /▶ w-fresh +host-a +<1s +6 2-12 +4 +2 +12\.3k +7 +3 +on running/);
  t.regex(text, /w-late .* 3\.2s .* off paused/);
  t.regex(text, /w-dead .* 9\.0s .* dead/);
  t.regex(text, /w-drain .* draining/);
  t.regex(text, /w-fresh · host-a pid 4242 · queues default · inline · rss 80M · lag 0ms · up <1m/);
  t.true(widest(lines) <= 100);
});

test('Workers: at 80 columns the host column gives way', (t) => {
  const { text, lines } = frameOf(
    h(Workers, {
      rows,
      selected: 1,
      current: workerLine(views[1]!),
      total: 4,
      width: 80,
      height: 20,
    }),
  );
  t.notRegex(text, /HOST/);
  t.regex(text, /▶ w-late/);
  t.true(widest(lines) <= 80);
});

test('Workers: says how to start one when there is none', (t) => {
  const { text } = frameOf(
    h(Workers, {
      rows: [],
      selected: -1,
      current: null,
      total: 0,
      width: 80,
      height: 10,
    }),
  );
  t.regex(text, /no workers registered — start one with dtps-worker/);
});
