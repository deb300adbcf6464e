// The app's handlers: one function a task type. A worker runs them with
//   npx dtps-worker --handlers ./tasks.mjs
// (or just `npx dtps-worker`: .dtpsrc.yaml names this file).
//
// A handler gets the task's payload and a context (ctx.signal aborts on
// cancel or timeout; ctx.progress(n) reports 0-100; ctx.log(msg) writes to
// the worker's log) and returns the task's result, any JSON value. A thrown
// error fails the attempt and the task is retried with backoff; a
// PermanentError fails it at once.
import { PermanentError } from '@dtps/worker';

export default {
  /** Counts the words of `payload.text` and names the longest one. */
  async wordcount(payload, ctx) {
    if (typeof payload?.text !== 'string') {
      throw new PermanentError('payload.text must be a string'); // retrying would not help
    }
    const words = payload.text.split(/\s+/).filter((word) => word !== '');
    ctx.progress(50);
    const longest = words.reduce((best, word) => (word.length > best.length ? word : best), '');
    return { words: words.length, longest };
  },
};
