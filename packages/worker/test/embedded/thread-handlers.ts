/**
 * Handler module for the thread-isolation tests. Thread workers import the
 * compiled file (dist/test/embedded/thread-handlers.js) by its file URL.
 */
import { PermanentError } from '@dtps/core';
import type { HandlerMap } from '../../src/index.js';

/** Busy CPU work for `ms`, never yielding; says when it began and ended (epoch ms). */
function spin(payload: unknown): { spunMs: number; loops: number; began: number; ended: number } {
  const ms = (payload as { ms: number }).ms;
  const began = Date.now();
  const end = performance.now() + ms;
  let loops = 0;
  while (performance.now() < end) loops++;
  return { spunMs: ms, loops, began, ended: Date.now() };
}

const handlers: HandlerMap = {
  spin,
  echo: (payload) => payload,
  boom: () => {
    throw new PermanentError('boom: this input can never work');
  },
};

export default handlers;
