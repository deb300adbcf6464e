/** The web dashboard: one self-contained page, served at / and /dashboard. */
import { createHash } from 'node:crypto';
import test from 'ava';
import { useMonitor } from './fixture.js';

const fx = useMonitor(test);

test('GET / and /dashboard serve the self-contained page', async (t) => {
  const m = await fx.make();
  for (const path of ['/', '/dashboard']) {
    const r = await m.call(path);
    t.is(r.status, 200, path);
    t.is(r.headers.get('content-type'), 'text/html; charset=utf-8');
    const csp = r.headers.get('content-security-policy') ?? '';
    t.regex(csp, /default-src 'none'/);
    t.regex(csp, /connect-src 'self'/);
    t.regex(csp, /frame-ancestors 'none'/);
    // Only the page's own script runs: pinned by its hash, no 'unsafe-inline'.
    const script = /<script>([\s\S]*?)<\/script>/.exec(r.body as string)![1]!;
    const hash = createHash('sha256').update(script).digest('base64');
    t.true(csp.includes(`script-src 'sha256-${hash}'`), csp);
    t.false(/script-src[^;]*unsafe-inline/.test(csp));
    const html = r.body as string;
    t.regex(html, /^<!doctype html>/i);
    for (const id of [
      'nav',
      'stats',
      'submitted',
      'queues',
      'workers',
      'tasks',
      'detail',
      'events',
      'submit-form',
      'token',
      'ch-throughput',
      'ch-depth',
      'ch-latency',
    ]) {
      t.true(html.includes(`id="${id}"`), id);
    }
  }
});

test('the page loads nothing from elsewhere and its script compiles', async (t) => {
  const m = await fx.make();
  const html = (await m.call('/')).body as string;
  // No external scripts, styles, images or fonts: the machine may be offline.
  t.notRegex(html, /<script[^>]+src=/i);
  t.notRegex(html, /<link[^>]+href="(?!data:)/i);
  t.notRegex(html, /url\(\s*['"]?https?:/i);
  const urls = html.match(/https?:\/\/[^\s'"`)]+/g) ?? [];
  t.deepEqual([...new Set(urls)], ['http://www.w3.org/2000/svg'], 'only the SVG namespace');
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((x) => x[1]!);
  t.is(scripts.length, 1);
  t.notThrows(() => new Function(scripts[0]!), 'the inline script is valid JavaScript');
  // It reads the API it is served with.
  for (const path of ['/api/v1/overview', '/api/v1/workers', '/api/v1/tasks', '/api/v1/events'])
    t.true(html.includes(path), path);
});
