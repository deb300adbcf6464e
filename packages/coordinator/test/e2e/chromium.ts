/**
 * Headless Chromium for the web page's browser tests (playwright-core
 * driving /usr/bin/chromium): present or not, and a launch with a throwaway
 * profile closed when the test ends.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** Whether Chromium is installed; under CI (`CI` set) its absence is an error. */
export function chromiumPresent(): boolean {
  const present = existsSync(CHROMIUM);
  if (!present && process.env.CI)
    throw new Error(`${CHROMIUM} is missing: CI must install chromium (.ci/run does)`);
  return present;
}

/** Starts Chromium at DESKTOP size with a fresh profile; both go away at the test's teardown. */
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
