/**
 * Handlers for the browser test (dashboard-browser.test.ts): the recording
 * ones (`sleep`, `noop`, …) plus two the page's bulk and log views need.
 * The worker loads this file with `--handlers`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RECORDING_HANDLERS } from '@dtps/core/testing';

/** This module's path, for `--handlers`. */
export const WEB_HANDLERS = fileURLToPath(import.meta.url);

interface Ctx {
  log(line: unknown): void;
  task: { id: string; attempt: number };
}

const recording = (await import(RECORDING_HANDLERS)).default as Record<string, unknown>;

export default {
  ...recording,
  /** `{failWhile: path}`: fails while that file exists, succeeds once it is gone (a dependency that comes back). */
  async flaky(payload: unknown) {
    const { failWhile } = (payload ?? {}) as { failWhile?: string };
    if (failWhile && existsSync(failWhile)) throw new Error('the dependency is down');
    return { ok: true };
  },
  /** Logs a few lines (one with a terminal escape and a tab, one of two lines), then succeeds. */
  async chatty(payload: unknown, ctx: Ctx) {
    const { order } = (payload ?? {}) as { order?: number };
    ctx.log(`fetching order ${order}`);
    ctx.log('status:\u001b[31m red \u001b[0m\tdone');
    ctx.log('line one\nline two');
    ctx.log(`order ${order} packed`);
    return { order };
  },
};
