/**
 * Issue 17, point 8: the web page in headless Chromium against a real Redis,
 * coordinator and worker. The only worker is saturated (2/2 busy, work
 * waiting, tasks longer than the window): the page recommends 2 workers,
 * not 1; every chart's y-axis labels are distinct (the idle latency chart
 * once read "1ms,1ms,1ms,0ms,0ms"); the worker's counters say "attempts"
 * and the card says "tasks"; the task list shows payload sizes. A
 * screenshot is saved in a temp dir (its path is logged).
 *
 * Needs /usr/bin/chromium (`apt-get install chromium`; .ci/run installs it).
 * Without it the test is skipped with that message, except under CI (`CI`
 * set), where it fails.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, uniquePrefix, useRedisServer, waitForValue } from '@dtps/core/testing';
import test from 'ava';
import { chromium } from 'playwright-core';
import { type Daemon, spawnCoordinator, spawnWorker, stopAll } from './daemon.js';
import { EVENTS_ENV, scope } from './fixture.js';

/** The little of the DOM the page-side callbacks use (this package compiles without the DOM lib). */
interface PageElement {
  textContent: string | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
}
declare const document: {
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
};

const CHROMIUM = '/usr/bin/chromium';
const SLOTS = 2;
const present = existsSync(CHROMIUM);
if (!present && process.env.CI)
  throw new Error(`${CHROMIUM} is missing: CI must install chromium (.ci/run does)`);
const run = present ? test.serial : test.serial.skip;
const absent = present ? '' : ` (skipped: ${CHROMIUM} is absent; apt-get install chromium to run it)`;

const redis = useRedisServer(test);
const daemons: Daemon[] = [];
test.after.always(() => stopAll(daemons));

run(
  `the web page: distinct axis labels, a saturated worker recommends one more, attempts vs tasks labelled${absent}`,
  async (t) => {
    const s = scope(redis.server, uniquePrefix());
    t.teardown(() => s.close());
    const common = { redisUrl: redis.server.url, prefix: s.prefix, env: EVENTS_ENV };
    const port = await freePort();
    daemons.push(
      await spawnCoordinator({ ...common, id: 'coord', args: ['--monitor', '--port', String(port)] }),
    );
    daemons.push(await spawnWorker({ ...common, id: 'only', slots: SLOTS }));
    // Tasks much longer than the recommendation's window: every slot busy, the rest waiting.
    await s.client.submitMany(
      Array.from({ length: SLOTS * 3 }, (_, i) => ({
        type: 'sleep',
        payload: { ms: 600_000, pad: 'p'.repeat(i * 500) },
      })),
    );
    const rec = await waitForValue(
      () => s.inspector.recommendation(),
      (r) => r !== null && r.liveWorkers === 1 && /busy/.test(r.reason),
      { timeoutMs: 30_000, what: 'the leader to see the saturated worker' },
    );
    t.is(rec!.workers, 2, rec!.reason);

    const profile = mkdtempSync(join(tmpdir(), 'dtps-chromium-'));
    const shots = mkdtempSync(join(tmpdir(), 'dtps-dashboard-'));
    t.teardown(() => rmSync(profile, { recursive: true, force: true }));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1400, height: 1000 },
    });
    t.teardown(() => context.close());
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`http://127.0.0.1:${port}/`);

    // The recommendation card, and the worker's counters labelled as attempts.
    await page.waitForFunction(() =>
      [...document.querySelectorAll('#stats .stat')].some(
        (el) =>
          el.querySelector('.label')?.textContent === 'Recommended' &&
          el.querySelector('.value')?.textContent === '2',
      ),
    );
    await page.waitForSelector('#workers tbody tr td.mono');
    await page.waitForSelector('#tasks tbody tr[data-id]');
    // Every chart drawn (the latency chart has no point at all: nothing finished).
    await page.waitForFunction(() =>
      ['ch-throughput', 'ch-depth', 'ch-latency'].every((id) => document.querySelector(`#${id} svg text`)),
    );
    const shot = join(shots, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    t.log(`screenshot: ${shot}`);

    const labels = await page.evaluate(() =>
      Object.fromEntries(
        ['ch-throughput', 'ch-depth', 'ch-latency'].map((id) => [
          id,
          // The y-axis labels are the right-aligned texts left of the plot (x = 38).
          [...document.querySelectorAll(`#${id} svg text[text-anchor="end"]`)]
            .filter((el) => el.getAttribute('x') === '38')
            .map((el) => el.textContent ?? ''),
        ]),
      ),
    );
    for (const [chart, ys] of Object.entries(labels)) {
      t.true(ys.length >= 2, `${chart}: ${ys.join(',')}`);
      t.is(new Set(ys).size, ys.length, `${chart} repeats a label: ${ys.join(',')}`);
    }
    t.log(`y labels: ${JSON.stringify(labels)}`);

    const page2 = await page.evaluate(() => ({
      cards: [...document.querySelectorAll('#stats .stat .label')].map((el) => el.textContent),
      workerHead: [...document.querySelectorAll('#workers thead th')].map((el) => el.textContent),
      taskHead: [...document.querySelectorAll('#tasks thead th')].map((el) => el.textContent),
      sizes: [...document.querySelectorAll('#tasks tbody tr[data-id] td:nth-child(6)')].map(
        (el) => el.textContent,
      ),
    }));
    t.true(page2.cards.includes('Failed tasks'), page2.cards.join(','));
    t.false(page2.cards.includes('Failed'));
    t.true(page2.workerHead.includes('attempts failed'), page2.workerHead.join(','));
    t.true(page2.workerHead.includes('attempts done'), page2.workerHead.join(','));
    t.false(page2.workerHead.includes('failed'));
    t.true(page2.taskHead.includes('payload'), page2.taskHead.join(','));
    t.true(
      page2.sizes.length > 0 && page2.sizes.every((x) => /^\d+(\.\d)? (B|KB|MB)$/.test(x ?? '')),
      page2.sizes.join(','),
    );
  },
);
