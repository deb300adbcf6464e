/**
 * The page's assembly from src/monitor/web (docs/web.md): views in folder
 * order, each in its own <section> and its own block of the one script, and
 * mistakes in a view folder refused loudly at start-up.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { assembleDashboard, loadDashboardPage, WEB_CANDIDATES } from '../../src/monitor/web-page.js';

/** A copy of the real sources, to add a view to. */
function copySources(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'dtps-web-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const source = WEB_CANDIDATES.find((c) => {
    try {
      cpSync(c, dir, { recursive: true });
      return true;
    } catch {
      return false;
    }
  });
  if (!source) throw new Error('no web sources');
  return dir;
}

test('the shipped page: its views in order, one section each, one script', async (t) => {
  const page = await loadDashboardPage();
  t.deepEqual(page.views, ['overview', 'limits', 'workers', 'tasks', 'schedules', 'submit', 'events']);
  for (const v of page.views) t.true(page.html.includes(`<section class="view" data-view="${v}" hidden>`), v);
  t.false(page.html.includes('<!-- @'), 'every marker replaced');
  const scripts = [...page.html.matchAll(/<script>([\s\S]*?)<\/script>/g)];
  t.is(scripts.length, 1);
  t.notThrows(() => new Function(scripts[0]![1]!));
});

test('a new view folder joins the page in its order, in a block of its own', async (t) => {
  const dir = copySources(t);
  const view = join(dir, 'views', '37-notes');
  mkdirSync(view);
  writeFileSync(join(view, 'view.html'), '<div id="notes-list"></div>\n');
  writeFileSync(join(view, 'view.css'), '#notes-list { color: red; }\n');
  // `refresh` is also a top-level name in other views: the block keeps them apart.
  writeFileSync(
    join(view, 'view.js'),
    "function refresh() {}\ndefineView({ name: 'notes', title: 'Notes', refresh });\n",
  );
  const page = await assembleDashboard(dir);
  t.deepEqual(page.views, [
    'overview',
    'limits',
    'workers',
    'tasks',
    'schedules',
    'notes',
    'submit',
    'events',
  ]);
  t.regex(page.html, /<section class="view" data-view="notes" hidden>\n<div id="notes-list"><\/div>/);
  t.true(page.html.includes('#notes-list { color: red; }'));
  const script = /<script>([\s\S]*?)<\/script>/.exec(page.html)![1]!;
  t.notThrows(() => new Function(script), 'two views may both declare refresh');
  t.true(script.indexOf("name: 'schedules'") < script.indexOf("name: 'notes'"));
});

test("a view's other .js files come before its view.js, inside the view's own block", async (t) => {
  const dir = copySources(t);
  const view = join(dir, 'views', '37-extra');
  mkdirSync(view);
  writeFileSync(join(view, 'helpers.js'), 'function rows() { return 7; }\n');
  writeFileSync(join(view, 'view.js'), "defineView({ name: 'extra', title: 'Extra', refresh: rows });\n");
  const page = await assembleDashboard(dir);
  const script = /<script>([\s\S]*?)<\/script>/.exec(page.html)![1]!;
  const at = script.indexOf('function rows()');
  t.true(at > 0, 'the helper file is in the page');
  t.true(at < script.indexOf("name: 'extra'"));
  // Both in one block: the helper is visible to view.js and to no other view.
  const block = script.slice(
    script.lastIndexOf('{\n// ---- views/37-extra/', at),
    script.indexOf("name: 'extra'"),
  );
  t.false(block.includes('// ---- views/40-submit'), 'no other view in between');
  t.notThrows(() => new Function(script));
});

test('a misnamed folder, a missing view.js, or a view.js under another name is refused at assembly', async (t) => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ['schedules', { 'view.js': "defineView({ name: 'schedules' });" }, /<order>-<name>/],
    ['60-schedules', { 'view.html': '<p></p>' }, /view\.js is missing/],
    ['60-schedules', { 'view.js': "defineView({ name: 'other' });" }, /defineView\(\{ name: 'schedules'/],
    ['60-schedules', { 'view.js': "defineView({ name: 'schedules' }); '</script>';" }, /<\/script/],
  ];
  for (const [folder, files, message] of cases) {
    const dir = copySources(t);
    mkdirSync(join(dir, 'views', folder));
    for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, 'views', folder, f), text);
    await t.throwsAsync(assembleDashboard(dir), { message }, folder);
  }
});
