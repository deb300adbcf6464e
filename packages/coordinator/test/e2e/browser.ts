/**
 * Headless Chromium for the web page's browser tests: a throwaway profile,
 * the problems the page reports (script errors, CSP refusals, requests to
 * another server), opening a view by its tab, and the phone-width check.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** Whether Chromium is here; under CI (`CI` set) its absence is an error, not a skip. */
export function chromiumPresent(): boolean {
  const present = existsSync(CHROMIUM);
  if (!present && process.env.CI)
    throw new Error(`${CHROMIUM} is missing: CI must install chromium (.ci/run does)`);
  return present;
}

/** Starts Chromium with a profile of its own; both go at the test's teardown. */
export async function launch(t: { teardown(fn: () => unknown): void }): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), 'dtps-chromium-'));
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
    viewport: DESKTOP,
  });
  t.teardown(() => context.close());
  return context;
}

/** The directory for screenshots: `DTPS_SCREENSHOTS`, else a new temporary one. */
export function screenshotDir(prefix: string): string {
  const dir = process.env.DTPS_SCREENSHOTS
    ? resolve(process.env.DTPS_SCREENSHOTS)
    : mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Collects what must not happen on the page: script errors, console errors
 * (a CSP refusal shows there) and requests to anywhere but `origin` (a CDN
 * or a font would break the page offline).
 */
export function watchPage(page: Page, origin: string): { problems: string[]; foreign: string[] } {
  const problems: string[] = [];
  const foreign: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('request', (r) => {
    if (!r.url().startsWith(`${origin}/`)) foreign.push(r.url());
  });
  return { problems, foreign };
}

/** Opens a view by its tab, as an operator would. */
export async function openView(page: Page, name: string): Promise<void> {
  await page.click(`nav a[data-view="${name}"]`);
  await page.waitForSelector(`section.view[data-view="${name}"]:not([hidden])`);
}

/** How many pixels the document is wider than the window (0 or less: it fits). */
export function overflowX(page: Page): Promise<number> {
  return page.evaluate(
    'document.documentElement.scrollWidth - document.documentElement.clientWidth',
  ) as Promise<number>;
}
