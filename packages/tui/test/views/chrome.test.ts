/** Help, the Redis-lost banner, the header, the status line, the filter form and the footer. */
import test from 'ava';
import { createElement as h } from 'react';
import { footerHints } from '../../src/state/help.js';
import { reducer } from '../../src/state/reducer.js';
import { Banner } from '../../src/views/Banner.js';
import { FilterForm } from '../../src/views/FilterForm.js';
import { Footer } from '../../src/views/Footer.js';
import { Header } from '../../src/views/Header.js';
import { Help } from '../../src/views/Help.js';
import { StatusLine } from '../../src/views/StatusLine.js';
import { busyState, NOW, task } from '../fixtures.js';
import { frameOf, widest } from './render.js';

test('Help: every key, in two columns, within 80x20', (t) => {
  const { text, lines } = frameOf(h(Help, { width: 80, height: 20 }));
  for (const k of [
    'Tab S-Tab',
    'n ',
    '/ ',
    '? ',
    'q ',
    '+ -',
    '[ {',
    '] }',
    's ',
    'p ',
    'Enter',
    'c ',
    'r ',
    'Ctrl-U',
    'Esc',
  ]) {
    t.true(text.includes(k), k);
  }
  t.regex(text, /pool size up \/ down/);
  t.true(lines.length <= 20, `${lines.length} lines`);
  t.true(widest(lines) <= 80);
});

test('Banner: Redis lost, which Redis, since when, the error in plain words, and that it reconnects by itself', (t) => {
  const { text, lines } = frameOf(
    h(Banner, {
      connection: {
        status: 'lost',
        since: NOW - 12_000,
        error: 'connection refused',
        attempts: 4,
      },
      redisLabel: 'redis://127.0.0.1:6379',
      now: NOW,
      width: 140,
    }),
  );
  t.regex(
    text,
    /Redis at redis:\/\/127\.0\.0\.1:6379 is unreachable: connection refused · reconnecting by itself \(attempt 4, 12s\) · figures as of 03:03:53/,
  );
  t.is(lines.length, 1);
});

test('Banner: connecting at start, nothing once up', (t) => {
  const connecting = frameOf(
    h(Banner, {
      connection: { status: 'connecting', since: NOW, error: null, attempts: 0 },
      redisLabel: 'redis://h:1',
      now: NOW,
      width: 80,
    }),
  ).text;
  t.regex(connecting, /Connecting to Redis at redis:\/\/h:1…/);
  const up = frameOf(
    h(Banner, {
      connection: { status: 'up', since: NOW, error: null, attempts: 0 },
      redisLabel: 'redis://h:1',
      now: NOW,
      width: 80,
    }),
  ).text;
  t.is(up.trim(), '');
});

test('Header: the views as tabs, the queue, the fleet, the connection', (t) => {
  const { text } = frameOf(
    h(Header, {
      view: 'workers',
      queue: 'emails',
      liveWorkers: 3,
      leader: 'c1',
      connection: 'up',
      width: 100,
    }),
  );
  t.regex(
    text,
    /dtps +1 Overview +2 Workers +3 Tasks +4 Schedules +queue emails · 3 workers · coordinator ●/,
  );
});

test('StatusLine: a question first, then a bulk action under way, then a notice, then the followed task', (t) => {
  const confirm = {
    prompt: 'Cancel task t-1 (running)?',
    effect: { kind: 'cancel' as const, taskId: 't-1', queue: 'default' },
  };
  const notice = { text: 'w-1: size 6', level: 'info' as const, at: NOW };
  const follow = { id: 't-9', task: task('t-9', { state: 'running', progress: 20 }) };
  t.regex(
    frameOf(h(StatusLine, { confirm, notice, bulk: null, follow, width: 80 })).text,
    /Cancel task t-1 \(running\)\? \[y\/N\]/,
  );
  const bulk = { action: 'retry' as const, state: 'failed' as const, matched: 40, done: 38, scanned: 200 };
  t.regex(
    frameOf(h(StatusLine, { confirm: null, notice, bulk, follow, width: 100 })).text,
    /bulk retry of failed tasks: 38 done · 40 matched · 200 looked at/,
  );
  t.regex(
    frameOf(h(StatusLine, { confirm: null, notice, bulk: null, follow, width: 80 })).text,
    /w-1: size 6/,
  );
  t.regex(
    frameOf(h(StatusLine, { confirm: null, notice: null, bulk: null, follow, width: 80 })).text,
    /following t-9: running 20%/,
  );
});

test('FilterForm: state, queue and priority, the focused one marked', (t) => {
  const { text } = frameOf(
    h(FilterForm, { focus: 'queue', draft: { state: 'failed', priority: null, queue: 'emails' }, width: 50 }),
  );
  t.regex(text, /Filter tasks/);
  t.regex(text, /state +failed/);
  t.regex(text, /▶ queue +◀ {2}emails {2}▶/);
  t.regex(text, /priority +any/);
});

test('Footer: as many keys as fit', (t) => {
  const { text, lines } = frameOf(h(Footer, { hints: footerHints(busyState()), width: 40 }));
  t.regex(text, /Tab view +n new/);
  t.true(widest(lines) <= 40);
});

// Regression (issue 17, point 7): at 80x24 the footer lost "q quit".
test('Footer: the last hint (q quit) always fits, in every view at 80 columns', (t) => {
  const base = reducer(busyState(), { type: 'resized', columns: 80, rows: 24 });
  const states = [
    base,
    reducer(base, { type: 'switchView', view: 'workers' }),
    reducer(base, { type: 'switchView', view: 'tasks' }),
    reducer(reducer(base, { type: 'switchView', view: 'tasks' }), { type: 'openDetail' }),
  ];
  for (const s of states) {
    const { text, lines } = frameOf(h(Footer, { hints: footerHints(s), width: 80 }));
    t.regex(text, /q quit/, `${s.view}${s.detail ? ' (detail)' : ''}: ${text}`);
    t.true(widest(lines) <= 80);
  }
  const narrow = frameOf(h(Footer, { hints: footerHints(states[1]!), width: 20 }));
  t.regex(narrow.text, /q quit/, 'even when little else fits');
});
