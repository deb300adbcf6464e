/**
 * Handler module for the thread-isolation tests. Thread workers import the
 * compiled file (dist/test/embedded/thread-handlers.js) by its file URL.
 */
import { writeFileSync } from 'node:fs';
import { PermanentError } from '@dtps/core';
import type { HandlerMap } from '../../src/index.js';

/**
 * Busy CPU work for `ms`, never yielding; says when it began and ended (epoch ms). With
 * `beat` (a file path), it writes a counter there every 20 ms while it spins: a test can tell
 * whether a spinning thread is still alive without measuring CPU, which other work shares.
 */
function spin(payload: unknown): { spunMs: number; loops: number; began: number; ended: number } {
  const { ms, beat } = payload as { ms: number; beat?: string };
  const began = Date.now();
  const end = performance.now() + ms;
  let loops = 0;
  let nextBeat = 0;
  let beats = 0;
  while (performance.now() < end) {
    loops++;
    if (beat !== undefined && performance.now() >= nextBeat) {
      writeFileSync(beat, String(++beats));
      nextBeat = performance.now() + 20;
    }
  }
  return { spunMs: ms, loops, began, ended: Date.now() };
}

const handlers: HandlerMap = {
  spin,
  echo: (payload) => payload,
  /** Logs `{lines}` lines (ctx.log from inside the thread), then returns how many. */
  chatty: (payload, ctx) => {
    const { lines } = payload as { lines: number };
    for (let i = 0; i < lines; i++) ctx.log(`thread line ${i}`);
    return lines;
  },
  boom: () => {
    throw new PermanentError('boom: this input can never work');
  },
};

export default handlers;
