/**
 * The web page's Schedules view in headless Chromium against a real Redis,
 * coordinator and worker (issue 20): the form refuses a bad interval and a
 * bad time zone with the server's message, naming and marking the field, and
 * writes nothing; a schedule added every second through the form fires, and
 * its last run shows succeeded, live; it is paused, run now, edited and
 * deleted with its buttons, and Redis agrees at every step. Screenshots at
 * 1280×800 and 390×844 go to `DTPS_SCREENSHOTS` (a directory), else to a
 * temporary one; the test logs where. Needs /usr/bin/chromium (see
 * dashboard-browser.test.ts).
 */
import { join } from 'node:path';
import { ScheduleStore } from '@dtps/core';
import { freePort, uniquePrefix, useRedisServer, waitForValue } from '@dtps/core/testing';
import test from 'ava';
import type { Page } from 'playwright-core';
import {
  CHROMIUM,
  chromiumPresent,
  launch,
  openView,
  overflowX,
  PHONE,
  screenshotDir,
  watchPage,
} from './browser.js';
import { type Daemon, spawnCoordinator, spawnWorker, stopAll } from './daemon.js';
import { EVENTS_ENV, scope } from './fixture.js';

const present = chromiumPresent();
const run = present ? test.serial : test.serial.skip;
const absent = present ? '' : ` (skipped: ${CHROMIUM} is absent; apt-get install chromium to run it)`;

const redis = useRedisServer(test);
const daemons: Daemon[] = [];
test.after.always(() => stopAll(daemons));

/** Fills the schedule form: `fields` maps an input's id suffix (`every`, `type`, …) to its value. */
async function fillForm(page: Page, kind: 'every' | 'cron', fields: Record<string, string>): Promise<void> {
  await page.click('#schedules-f-new');
  await page.selectOption('#schedules-f-kind', kind);
  for (const [name, value] of Object.entries(fields)) {
    if (name === 'missed' || name === 'overlap') await page.selectOption(`#schedules-f-${name}`, value);
    else await page.fill(`#schedules-f-${name}`, value);
  }
}

/** The text of the form's error line once it says something. */
async function formError(page: Page): Promise<string> {
  await page.waitForSelector('#schedules-f-error:not(:empty)');
  return (await page.textContent('#schedules-f-error')) ?? '';
}

run(
  `the web page's schedules: field errors, add every 1 s, fires and succeeds live, pause, run now, edit, delete${absent}`,
  async (t) => {
    const s = scope(redis.server, uniquePrefix());
    t.teardown(() => s.close());
    const store = new ScheduleStore(s.client.ctx);
    const common = { redisUrl: redis.server.url, prefix: s.prefix, env: EVENTS_ENV };
    const port = await freePort();
    daemons.push(
      await spawnCoordinator({ ...common, id: 'coord', args: ['--monitor', '--port', String(port)] }),
    );
    daemons.push(await spawnWorker({ ...common, id: 'w1', slots: 2 }));
    const shots = screenshotDir('dtps-schedules-');
    t.log(`screenshots: ${shots}`);

    const context = await launch(t);
    const page = context.pages()[0] ?? (await context.newPage());
    const origin = `http://127.0.0.1:${port}`;
    const { problems, foreign } = watchPage(page, origin);
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.accept();
    });
    await page.goto(`${origin}/`);
    await page.waitForSelector('#live-dot.live');
    await openView(page, 'schedules');
    await page.waitForSelector('#schedules-list td.empty');

    // 1. The server refuses an interval under 1 s: the form shows its message and marks the field; nothing is written.
    await fillForm(page, 'every', { id: 'tick', every: '500', type: 'sleep' });
    await page.click('#schedules-f-save');
    t.regex(await formError(page), /^everyMs: .*1000/);
    t.is(await page.getAttribute('#schedules-f-every', 'aria-invalid'), 'true');
    t.is(await store.find('tick'), null, 'a refused schedule is not written');
    await page.screenshot({ path: join(shots, 'schedules-error-1280x800.png') });

    // 2. A cron schedule in an unknown zone: the server names `tz`.
    await fillForm(page, 'cron', { id: 'nightly', cron: '0 3 * * *', tz: 'Mars/Olympus', type: 'report' });
    await page.click('#schedules-f-save');
    t.regex(await formError(page), /^tz: /);
    t.is(await page.getAttribute('#schedules-f-tz', 'aria-invalid'), 'true');
    t.is(await store.find('nightly'), null);
    // Corrected, it is added (and shows its zone in the list).
    await page.fill('#schedules-f-tz', 'Europe/Berlin');
    await page.selectOption('#schedules-f-missed', 'skip');
    await page.click('#schedules-f-save');
    await page.waitForSelector('#schedules-list tr[data-schedule="nightly"]');
    t.like(await store.get('nightly'), { def: { cron: '0 3 * * *', tz: 'Europe/Berlin', origin: 'api' } });
    t.is(
      await page.textContent('#schedules-list tr[data-schedule="nightly"] td[data-label="time zone"]'),
      'Europe/Berlin',
    );

    // 3. Every second through the form: it fires, and its last run shows succeeded, live.
    await fillForm(page, 'every', {
      id: 'tick',
      every: '1000',
      type: 'sleep',
      payload: '{"ms": 50}',
      overlap: 'skip',
    });
    await page.click('#schedules-f-save');
    const row = '#schedules-list tr[data-schedule="tick"]';
    await page.waitForSelector(row);
    t.like(await store.get('tick'), {
      def: { everyMs: 1000, overlap: 'skip', template: { type: 'sleep', payload: { ms: 50 } } },
    });
    await page.waitForSelector(`${row} [data-outcome="fired"] .badge.s-succeeded`, { timeout: 30_000 });
    await page.waitForFunction(
      (sel) => Number(document.querySelector(sel)?.textContent) >= 2,
      `${row} td[data-label="fired"]`,
      { timeout: 30_000 },
    );
    const fired = await store.get('tick');
    t.true(fired.fired >= 2, `fired ${fired.fired}`);
    t.is((await s.client.get(fired.lastTask!)).type, 'sleep');
    await page.mouse.move(0, 0);
    await page.waitForSelector('#toasts .toast', { state: 'detached' });
    await page.screenshot({ path: join(shots, 'schedules-1280x800.png') });

    // 4. Pause: Redis says paused, the page says so, and no run fires meanwhile.
    await page.click(`${row} button[data-action="pause"]`);
    const paused = await waitForValue(
      () => store.get('tick'),
      (x) => x.paused,
      { timeoutMs: 10_000, what: 'the schedule to be paused' },
    );
    await page.waitForSelector(`${row} .badge.s-paused`);
    await page.waitForSelector(`${row} td[data-label="next run"]:text("paused")`);

    // 5. Run now while paused: one run, whose task succeeds and shows as the last run.
    await page.click(`${row} button[data-action="run-now"]`);
    const ran = await waitForValue(
      () => store.get('tick'),
      (x) => x.fired > paused!.fired,
      { timeoutMs: 10_000, what: 'the run-now to be recorded' },
    );
    t.is(ran!.fired, paused!.fired + 1, 'one run, and none from the paused timer');
    t.true(ran!.paused, 'still paused');
    await page.waitForSelector(`${row} a[data-task="${ran!.lastTask}"] .badge.s-succeeded`, {
      timeout: 30_000,
    });
    t.is(await page.textContent(`${row} td[data-label="fired"]`), String(ran!.fired));

    // 6. Edit: the form loads it; a new payload is saved and the fields the form does not show stay.
    await page.click(`${row} button[data-action="edit"]`);
    t.is(await page.inputValue('#schedules-f-every'), '1000');
    t.true(await page.$eval('#schedules-f-id', (el) => (el as unknown as { readOnly: boolean }).readOnly));
    await page.fill('#schedules-f-payload', '{"ms": 60}');
    await page.click('#schedules-f-save');
    const edited = await waitForValue(
      () => store.get('tick'),
      (x) => (x.def.template.payload as { ms: number }).ms === 60,
      { timeoutMs: 10_000, what: 'the edit to be saved' },
    );
    t.like(edited, { paused: true, def: { everyMs: 1000, overlap: 'skip' } });
    await page.waitForSelector('#schedules-form-title:text("Add a schedule")');

    // 7. A phone: nothing wider than the screen; the list and the form readable.
    await page.setViewportSize(PHONE);
    await page.waitForSelector('#toasts .toast', { state: 'detached' }); // the toasts of the steps above
    await page.waitForTimeout(300);
    t.true((await overflowX(page)) <= 0, 'the schedules view is wider than the phone');
    await page.mouse.move(0, 0); // no row in its hover state
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(shots, 'schedules-390x844.png') });
    await page.screenshot({ path: join(shots, 'schedules-390-full.png'), fullPage: true });

    // 8. Delete at phone width, confirmed: gone from Redis and from the list; the other schedule stays.
    await page.click(`${row} button[data-action="delete"]`);
    await waitForValue(
      () => store.find('tick'),
      (x) => x === null,
      { timeoutMs: 10_000, what: 'the schedule to be deleted' },
    );
    await page.waitForSelector(row, { state: 'detached' });
    t.true(
      dialogs.some((d) => d.includes('Delete schedule tick')),
      dialogs.join(' | '),
    );
    t.truthy(await store.find('nightly'));

    t.deepEqual(foreign, [], 'the page asked for nothing but its own server');
    // The two refused PUTs show in the console as failed loads; nothing else may.
    const refused = problems.filter((p) => /status of 400/.test(p));
    t.is(refused.length, 2, problems.join('\n'));
    t.deepEqual(
      problems.filter((p) => !refused.includes(p)),
      [],
    );
  },
);

/** The little of the DOM the page-side callbacks use (this package compiles without the DOM lib). */
declare const document: { querySelector(selector: string): { textContent: string | null } | null };
