/**
 * Demo handlers, so that a new user sees work flow before writing any
 * (docs/design.md §5). This module is also a handler module: `--handlers` may point
 * at it, and thread isolation loads it in its threads.
 */
import { PermanentError } from '@dtps/core';
import type { HandlerContext, HandlerMap } from './types.js';

function objectPayload(payload: unknown): Record<string, unknown> {
  return payload !== null && typeof payload === 'object' ? (payload as Record<string, unknown>) : {};
}

function msOf(payload: unknown, fallback: number): number {
  const ms = Number(objectPayload(payload).ms ?? fallback);
  if (!Number.isFinite(ms) || ms < 0)
    throw new PermanentError(
      `payload.ms must be a number >= 0, got ${JSON.stringify(objectPayload(payload).ms)}`,
    );
  return ms;
}

/** Sleeps `ms`, waking early (and rejecting) when the signal fires. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error(`aborted: ${String(signal.reason)}`));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

const demo: HandlerMap = {
  /** Does nothing; returns null. */
  noop: () => null,

  /** Returns its payload. */
  echo: (payload) => payload,

  /** `{ms}`: waits that long (default 1000), reporting progress; honours the signal. */
  async sleep(payload, ctx: HandlerContext) {
    const ms = msOf(payload, 1000);
    const steps = Math.min(10, Math.max(1, Math.floor(ms / 100)));
    for (let i = 1; i <= steps; i++) {
      await sleep(ms / steps, ctx.signal);
      ctx.progress(Math.round((i / steps) * 100));
    }
    return { sleptMs: ms };
  },

  /** `{ms}`: that long of busy CPU work (default 100); checks the signal between slices. */
  cpu(payload, ctx: HandlerContext) {
    const ms = msOf(payload, 100);
    const end = performance.now() + ms;
    let x = 0;
    while (performance.now() < end) {
      if (ctx.signal.aborted) throw new Error('aborted');
      for (let i = 0; i < 10_000; i++) x = (x * 31 + i) % 1_000_003;
    }
    return { busyMs: ms, checksum: x };
  },

  /** `{failTimes}`: fails that many attempts (default 1), then succeeds. */
  flaky(payload, ctx: HandlerContext) {
    const failTimes = Number(objectPayload(payload).failTimes ?? 1);
    if (ctx.task.attempt <= failTimes)
      throw new Error(`flaky: attempt ${ctx.task.attempt} of ${failTimes} planned failures`);
    return { attempt: ctx.task.attempt };
  },

  /** `{message, permanent}`: always throws; permanent skips the retries. Logs a line first (stored with the task). */
  fail(payload, ctx: HandlerContext) {
    const p = objectPayload(payload);
    const message = typeof p.message === 'string' ? p.message : 'fail: this task always fails';
    ctx.log(`attempt ${ctx.task.attempt}: about to fail with "${message}"`);
    if (p.permanent === true) throw new PermanentError(message);
    throw new Error(message);
  },
};

export default demo;
