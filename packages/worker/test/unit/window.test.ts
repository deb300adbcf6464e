import test from 'ava';
import { LocalWindow } from '../../src/window.js';
import { claimed } from './fixtures.js';

const t = (id: string, score: number) => claimed({ id, score });

test('claims in score order are appended as they come', (tt) => {
  const w = new LocalWindow();
  w.add([t('a', 1), t('b', 2)]);
  w.add([t('c', 3), t('d', 3)]);
  tt.deepEqual(w.ids(), ['a', 'b', 'c', 'd']);
  tt.is(w.length, 4);
  w.add([]);
  tt.is(w.length, 4);
});

test('an out-of-order steal or hand-back lands in score order', (tt) => {
  const w = new LocalWindow();
  w.add([t('a', 10), t('b', 20), t('c', 30)]);
  w.add([t('s1', 15)]);
  tt.deepEqual(w.ids(), ['a', 's1', 'b', 'c'], 'a batch starting before the back');
  w.add([t('s2', 40), t('s3', 5)]);
  tt.deepEqual(w.ids(), ['s3', 'a', 's1', 'b', 'c', 's2'], 'an unsorted batch');
  w.add([t('hi', 1), t('hi2', 2)]);
  tt.deepEqual(w.ids().slice(0, 2), ['hi', 'hi2'], 'a sorted batch of higher priority goes to the front');
});

test('equal scores keep arrival order (FIFO within a priority)', (tt) => {
  const w = new LocalWindow();
  w.add([t('a', 5), t('b', 7)]);
  w.add([t('c', 5), t('x', 1)]);
  tt.deepEqual(w.ids(), ['x', 'a', 'c', 'b']);
});

test('take hands out the front; remove drops one task by id; clear empties', (tt) => {
  const w = new LocalWindow();
  w.add([t('a', 1), t('b', 2), t('c', 3), t('d', 4)]);
  tt.deepEqual(
    w.take(2).map((x) => x.id),
    ['a', 'b'],
  );
  tt.deepEqual(w.ids(), ['c', 'd']);
  tt.deepEqual(w.take(0), []);
  tt.true(w.remove('d'));
  tt.false(w.remove('d'));
  tt.false(w.remove('nope'));
  tt.deepEqual(w.ids(), ['c']);
  tt.deepEqual(
    w.take(10).map((x) => x.id),
    ['c'],
  );
  tt.is(w.length, 0);
  w.add([t('e', 1), t('f', 2)]);
  tt.deepEqual(
    w.clear().map((x) => x.id),
    ['e', 'f'],
  );
  tt.is(w.length, 0);
  tt.deepEqual(w.ids(), []);
});
