import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Where the page's sources are: `src/monitor/web/` of the package. tsc does
 * not copy them, so from `dist/src/monitor/` they are found back under
 * `src/` (the package ships `src/monitor/web`); from `src/` (tsx) they are a sibling.
 */
export const WEB_CANDIDATES = [join(here, 'web'), join(here, '..', '..', '..', 'src', 'monitor', 'web')];

/** A view folder: `views/<order>-<name>/`, e.g. `views/30-tasks/`. */
const VIEW_DIR = /^(\d+)-([a-z][a-z0-9-]*)$/;

/** The assembled dashboard. */
export interface DashboardPage {
  /** One self-contained HTML document: inline styles and one inline script. */
  html: string;
  /** CSP source of the inline script (`'sha256-…'`), so no other inline script can run. */
  scriptHash: string;
  /** View names in tab order. */
  views: string[];
}

/**
 * One view's files: `view.js` (required), `view.html` and `view.css`
 * (optional). `js` is the view's script: its other `*.js` files in name
 * order (helpers a large view splits off), then `view.js`.
 */
interface ViewSource {
  name: string;
  dir: string;
  js: string;
  html: string;
  css: string;
}

async function readOptional(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

/** Files of `dir` ending in `ext`, sorted by name (their order in the page). */
async function filesOf(dir: string, ext: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith(ext)).sort();
}

async function readViews(root: string): Promise<ViewSource[]> {
  const dirs = (await readdir(join(root, 'views'), { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort(
      (a, b) => Number(VIEW_DIR.exec(a)?.[1] ?? 0) - Number(VIEW_DIR.exec(b)?.[1] ?? 0) || a.localeCompare(b),
    );
  const views: ViewSource[] = [];
  for (const dir of dirs) {
    const m = VIEW_DIR.exec(dir);
    if (!m) throw new Error(`web/views/${dir}: a view folder is named <order>-<name>, e.g. 30-tasks`);
    const name = m[2]!;
    const path = join(root, 'views', dir);
    const js = await readOptional(join(path, 'view.js'));
    if (!js) throw new Error(`web/views/${dir}: view.js is missing`);
    // The tab, the address (#name) and the <section> are tied by this name.
    if (!new RegExp(`defineView\\(\\{\\s*name:\\s*'${name}'`).test(js)) {
      throw new Error(`web/views/${dir}/view.js must call defineView({ name: '${name}', … })`);
    }
    // A large view splits its script: the other files come first, in the view's own block.
    const parts: string[] = [];
    for (const f of await filesOf(path, '.js')) {
      if (f !== 'view.js') parts.push(`// ---- views/${dir}/${f}\n${await readFile(join(path, f), 'utf8')}`);
    }
    views.push({
      name,
      dir,
      js: [...parts, `// ---- views/${dir}/view.js\n${js}`].join('\n'),
      html: await readOptional(join(path, 'view.html')),
      css: await readOptional(join(path, 'view.css')),
    });
  }
  return views;
}

/** Inline text must not close its own element early. */
function checkInline(text: string, closing: string, where: string): string {
  if (text.toLowerCase().includes(closing)) throw new Error(`${where} contains "${closing}"`);
  return text;
}

/**
 * Builds the page from its sources: `shell.html` with its three markers
 * replaced by the styles (`base/*.css`, then each view's `view.css`), the
 * views' <section>s (each view's `view.html`) and one script (`base/*.js`,
 * then each view's scripts in a block of its own, so views cannot clash
 * by name, then `boot.js`). Views come in the order of their folder
 * number. docs/web.md says how to add one.
 */
export async function assembleDashboard(root: string): Promise<DashboardPage> {
  const shell = await readFile(join(root, 'shell.html'), 'utf8');
  const base = join(root, 'base');
  const views = await readViews(root);

  const css: string[] = [];
  for (const f of await filesOf(base, '.css')) css.push(await readFile(join(base, f), 'utf8'));
  for (const v of views) if (v.css) css.push(`/* view ${v.name} */\n${v.css}`);

  const js: string[] = ["'use strict';"];
  for (const f of await filesOf(base, '.js'))
    js.push(`// ---- base/${f}\n${await readFile(join(base, f), 'utf8')}`);
  for (const v of views) js.push(`{\n${v.js}\n}`);
  js.push(`// ---- boot.js\n${await readFile(join(root, 'boot.js'), 'utf8')}`);

  const script = checkInline(js.join('\n'), '</script', 'the page script');
  const style = checkInline(css.join('\n'), '</style', 'the page styles');
  const sections = views
    .map((v) => `<section class="view" data-view="${v.name}" hidden>\n${v.html}</section>`)
    .join('\n');
  const parts: Record<string, string> = {
    '<!-- @styles -->': `<style>\n${style}</style>`,
    '<!-- @views -->': sections,
    '<!-- @script -->': `<script>\n${script}</script>`,
  };
  let html = shell;
  for (const [marker, text] of Object.entries(parts)) {
    if (!html.includes(marker)) throw new Error(`web/shell.html lacks the marker ${marker}`);
    // A function, so that `$&` and friends in the page's code are not replacement patterns.
    html = html.replace(marker, () => text);
  }
  const scriptHash = `'sha256-${createHash('sha256').update(`\n${script}`).digest('base64')}'`;
  return { html, scriptHash, views: views.map((v) => v.name) };
}

/** Assembles the page once, at start-up: a missing source is a packaging bug that should fail loudly. */
export async function loadDashboardPage(): Promise<DashboardPage> {
  for (const root of WEB_CANDIDATES) {
    try {
      await readFile(join(root, 'shell.html'));
    } catch {
      continue;
    }
    return assembleDashboard(root);
  }
  throw new Error(`dashboard sources not found; looked in ${WEB_CANDIDATES.join(', ')}`);
}
