import test from 'ava';
import { createElement as h } from 'react';
import { sizingLine, Workers, workerLine, workerRow } from '../../src/views/Workers.js';
import { FRESHNESS, NOW, worker } from '../fixtures.js';
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

// Issue 17, point 5: the console shows who changed a worker's pool size last and why.
test('Workers: the selected worker says who set its pool size last, when and why', (t) => {
  const w = worker('w-op', {
    poolSize: 6,
    min: 1,
    max: 10,
    sizeChangedBy: 'operator',
    sizeReason: 'operator: size 1 → 6',
    sizeChangedAt: NOW - 500 - 12_000,
  });
  t.is(sizingLine(w), 'pool 6 (1-10) · sized by the operator 12s ago: operator: size 1 → 6');
  const auto = worker('w-auto', {
    poolSize: 5,
    sizeChangedBy: 'autoscaler',
    sizeReason: 'idle: 6 → 5 (utilisation 0, nothing waiting for 10 s)',
    sizeChangedAt: NOW - 500,
  });
  t.is(
    sizingLine(auto),
    'pool 5 (1-10) · sized by the autoscaler just now: idle: 6 → 5 (utilisation 0, nothing waiting for 10 s)',
  );
  t.is(
    sizingLine(
      worker('w-start', { sizeChangedBy: 'start', sizeReason: 'start: size 5', sizeChangedAt: NOW - 60_000 }),
    ),
    'pool 5 (1-10) · sized at start: start: size 5',
  );
  t.is(sizingLine(worker('w-old')), null, 'a worker too old to say: no line');
  const { text, lines } = frameOf(
    h(Workers, {
      rows: [workerRow(w, FRESHNESS)],
      selected: 0,
      current: workerLine(w),
      sizing: sizingLine(w),
      total: 1,
      width: 100,
      height: 8,
    }),
  );
  t.regex(
    text,
    /w-op · host-a pid 4242[^\n]*\n pool 6 \(1-10\) · sized by the operator 12s ago: operator: size 1 → 6/,
  );
  t.true(lines.length <= 8);
});
