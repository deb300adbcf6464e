/**
 * `dtps list` with filters that leave most tasks out: the page is filled
 * with matching tasks (not filtered after paging), and the "more:" hint
 * repeats the filters, so following it walks exactly the matching tasks.
 */
import test from 'ava';
import type { RunResult } from '../helpers/dtps.js';
import { type Scope, useCli } from '../helpers/setup.js';

const cli = useCli(test);

interface Page {
  tasks: { id: string; priority: number; state: string }[];
  cursor: string | null;
}

/** Submits `n` tasks of one priority and cancels them: the newest cancelled come first in a list. */
async function cancelled(s: Scope, n: number, priority: number): Promise<string[]> {
  const c = s.client();
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const { id } = await c.submit({ type: 'noop', priority });
    await c.cancel(id);
    ids.push(id);
  }
  return ids;
}

/** The `dtps list …` command of the "more:" line, as arguments, or undefined without one. */
function hintOf(r: RunResult): string[] | undefined {
  const line = /^more: dtps (list .*)$/m.exec(r.stdout)?.[1];
  return line?.split(' ');
}

/** Ids in the human table of `dtps list`. */
function idsIn(r: RunResult): string[] {
  return r.stdout
    .split('\n')
    .slice(1)
    .filter((l) => l !== '' && !l.startsWith('more:') && !l.startsWith('no tasks'))
    .map((l) => l.split(/ +/)[0]!);
}

test('list --priority 9 finds the tasks of priority 9 behind a full page of others', async (t) => {
  const s = cli.scope();
  const nines = await cancelled(s, 15, 9);
  // Newer, so listed first: more than one default page (50) of non-matching tasks.
  await cancelled(s, 60, 1);
  const r = await s.run(['list', '--priority', '9', '--json']);
  t.is(r.code, 0, r.stderr);
  const page = r.json<Page>();
  t.deepEqual(page.tasks.map((x) => x.id).sort(), [...nines].sort());
  t.true(page.tasks.every((x) => x.priority === 9));

  const human = await s.run(['list', '--priority', '9']);
  t.deepEqual(idsIn(human).sort(), [...nines].sort());
  t.notRegex(human.stdout, /no tasks/);
});

test('list --priority 8 --state cancelled --limit 3 fills the page, then pages on through the matches', async (t) => {
  const s = cli.scope();
  const eights = await cancelled(s, 7, 8);
  await cancelled(s, 60, 2);
  const seen: string[] = [];
  let args = ['list', '--priority', '8', '--state', 'cancelled', '--limit', '3', '--json'];
  for (let pages = 0; pages < 10; pages++) {
    const r = await s.run(args);
    t.is(r.code, 0, r.stderr);
    const page = r.json<Page>();
    if (page.cursor !== null) t.is(page.tasks.length, 3, 'a page with more after it is full');
    t.true(page.tasks.every((x) => x.priority === 8 && x.state === 'cancelled'));
    seen.push(...page.tasks.map((x) => x.id));
    if (page.cursor === null) break;
    args = [
      'list',
      '--priority',
      '8',
      '--state',
      'cancelled',
      '--limit',
      '3',
      '--cursor',
      page.cursor,
      '--json',
    ];
  }
  t.deepEqual([...seen].sort(), [...eights].sort(), 'each matching task once');
});

test('the "more:" hint repeats every filter flag given, and following it lists the next tasks', async (t) => {
  const s = cli.scope();
  const c = s.client();
  const ids = await cancelled(s, 5, 3);
  // Tasks in other states and another queue, that the hint's command must not list.
  await c.submit({ type: 'noop', priority: 3 });
  await c.submit({ type: 'noop', queue: 'other', priority: 3 });

  const first = await s.run(['list', '--state', 'cancelled', '--limit', '2']);
  t.is(first.code, 0, first.stderr);
  t.regex(first.stdout, /\nmore: dtps list --state cancelled --limit 2 --cursor \S+\n$/);

  const filtered = await s.run([
    'list',
    '--queue',
    'default',
    '--state',
    'cancelled',
    '--priority',
    '3',
    '--limit',
    '2',
  ]);
  t.regex(
    filtered.stdout,
    /\nmore: dtps list --queue default --state cancelled --priority 3 --limit 2 --cursor \S+\n$/,
  );

  // Walk the hints: every cancelled task once, nothing else.
  const seen = idsIn(first);
  let hint = hintOf(first);
  for (let pages = 0; hint !== undefined && pages < 10; pages++) {
    const next = await s.run(hint);
    t.is(next.code, 0, next.stderr);
    seen.push(...idsIn(next));
    hint = hintOf(next);
  }
  t.is(seen.length, ids.length, seen.join(' '));
  t.deepEqual([...seen].sort(), [...ids].sort());
});
