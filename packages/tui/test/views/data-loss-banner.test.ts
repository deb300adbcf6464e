/** The data-loss banner: what Redis lost, when, and where to read more; in the frame while Redis answers. */
import test from 'ava';
import { createElement as h } from 'react';
import { reducer } from '../../src/state/reducer.js';
import { DataLossBanner } from '../../src/views/DataLossBanner.js';
import { Screen } from '../../src/views/Screen.js';
import { screenModel } from '../../src/views/screen-model.js';
import { busyState, NOW } from '../fixtures.js';
import { frameOf, widest } from './render.js';

test('DataLossBanner: when, how many times, what it means, within the width', (t) => {
  const { text, lines } = frameOf(h(DataLossBanner, { at: NOW - 60_000, losses: 2, width: 140 }));
  t.regex(
    text,
    /Redis lost its data at \d\d:\d\d:\d\d \(2 times so far\): tasks accepted before then are gone/,
  );
  t.regex(text, /docs\/durability\.md/);
  t.true(widest(lines) <= 140);
});

test('the frame shows the data-loss line under the header once the feed read a loss', (t) => {
  const before = busyState();
  t.is(screenModel(before, null).dataLoss, null);
  const after = reducer(before, { type: 'dataLossSeen', at: NOW - 5000, losses: 1 });
  const model = screenModel(after, null);
  t.like(model.dataLoss, { at: NOW - 5000, losses: 1 });
  t.is(model.mainHeight, screenModel(before, null).mainHeight - 1, 'the line takes one row from the view');
  const { lines } = frameOf(h(Screen, { model }));
  t.regex(lines[1] ?? '', /Redis lost its data/);
});
