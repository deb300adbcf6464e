/**
 * The web page's bulk retry over several steps (issue 20), in headless
 * Chromium against a real Redis and monitor that has a token: 15,300
 * failed tasks take four bounded steps (5,000 a step). The page counts them
 * with dry-run steps and asks with that count, shows progress after the
 * first real step, is reloaded in the middle, offers to resume from its
 * saved cursor, and finishes: every task is retried once. The page sends
 * the token it was given on every call.
 */
import { join } from 'node:path';
import { waitForValue } from '@dtps/core/testing';
import test from 'ava';
import type { Page } from 'playwright-core';
import { LIMITS } from '../../src/monitor/limits.js';
import { type Monitor, useMonitor } from '../monitor/fixture.js';
import { chromiumPresent, launch } from './browser.js';

declare const document: { querySelector(selector: string): { textContent: string | null } | null };

const present = chromiumPresent();
const run = present ? test.serial : test.serial.skip;
const fx = useMonitor(test);
// Four steps: the reload lands while a later step is in flight, whatever the machine's speed.
const N = 3 * LIMITS.bulkScanMax + 300;

/** Submits `n` tasks (no retries) and fails them through the worker's real path. */
async function failTasks(m: Monitor, n: number): Promise<void> {
  const w = m.ops('w-fail');
  for (let i = 0; i < n; i += 1000) {
    const part = Array.from({ length: Math.min(1000, n - i) }, () => ({ type: 'resize', maxRetries: 0 }));
    await m.client.submitMany(part);
    const { claim } = await w.cycle('default', { claim: { max: part.length, start: part.length } });
    await w.fail(
      'default',
      claim.tasks.map((t) => ({
        id: t.id,
        attempt: t.attempt,
        message: 'x',
        reason: 'handler_error',
        permanent: true,
      })),
    );
  }
}

const text = async (page: Page, sel: string) => ((await page.textContent(sel)) ?? '').trim();

run(
  `bulk retry from the page over several steps, reloaded midway, resumed${present ? '' : ' (skipped: no chromium)'}`,
  async (t) => {
    const m = await fx.make({ token: 'web-s3cret' });
    await failTasks(m, N);
    t.is((await m.client.counts()).failed, N);

    const context = await launch(t);
    const page = context.pages()[0] ?? (await context.newPage());
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    // Without the token the page's first reads are refused (401) until it is typed in.
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 401/.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    await page.goto(`${m.url}/#tasks`);
    await page.fill('#token', 'web-s3cret');
    await page.click('#token-form button');
    await page.waitForSelector('#live-dot.live');
    await page.waitForSelector('#task-states button[data-state="failed"]');
    await page.click('#task-states button[data-state="failed"]');
    await page.click('#task-select-all');
    await page.click('#task-bulk button[data-bulk="retry"]');
    await page.waitForSelector('#task-bulk-question', { timeout: 60_000 });
    t.is(
      await text(page, '#task-bulk-question'),
      `Retry all ${N.toLocaleString('en')} failed tasks of queue default?`,
    );
    t.is((await m.client.counts()).failed, N, 'counting changed nothing');

    await page.click('#task-bulk button[data-bulk-confirm="retry"]');
    // The first step is done and shown; the page goes on with the next.
    await page.waitForFunction(() =>
      / 1 step$/.test(document.querySelector('#task-bulk-counts')?.textContent ?? ''),
    );
    const first = await text(page, '#task-bulk-counts');
    t.regex(first, /^[\d,]+ retried · [\d,]+ matched · 5,000 looked at · 1 step$/);
    await page.reload();
    await page.waitForSelector('#live-dot.live');
    // Reloaded midway: stopped, with what was done, and a Resume.
    await page.waitForSelector('#task-bulk-result[data-phase="stopped"]');
    t.regex(await text(page, '#task-bulk-result'), /page was closed or reloaded/);
    t.true((await m.client.counts()).failed > 0, 'some are left to do');
    const shots = process.env.DTPS_SCREENSHOTS;
    if (shots) await page.screenshot({ path: join(shots, 'bulk-stopped-1280x800.png') });
    await page.click('#task-bulk button[data-bulk-resume]');
    await page.waitForSelector('#task-bulk .progress');
    if (shots) await page.screenshot({ path: join(shots, 'bulk-progress-1280x800.png') });
    await page.waitForSelector('#task-bulk-result[data-phase="done"]', { timeout: 60_000 });
    t.regex(await text(page, '#task-bulk-result'), /^Done: retried [\d,]+ failed tasks of queue default/);
    // The step lost in the reload may still have run beside the resumed ones and shifted
    // the set under them (bulk.md: a moving target). The page counts what still matches
    // and offers to finish; Redis must agree with what it says.
    const left = await m.client.counts();
    if (await page.$('#task-bulk-left')) {
      t.log(`after the resume ${left.failed} still matched; the page said so and offered to finish`);
      t.is(
        await text(page, '#task-bulk-left'),
        `${left.failed.toLocaleString('en')} still match (new, or moved while it ran).`,
      );
      await page.click('#task-bulk button[data-bulk-again="retry"]');
      await page.waitForSelector('#task-bulk-result[data-phase="done"]', { timeout: 60_000 });
    }
    t.regex(await text(page, '#task-bulk-result'), /None match now\.$/);
    const counts = await waitForValue(
      () => m.client.counts(),
      (c) => c.failed === 0,
      { timeoutMs: 10_000, what: 'no failed task left' },
    );
    t.is(counts.queued, N, 'each task retried exactly once: queued, not failed again or lost');
    t.deepEqual(problems, []);
  },
);
