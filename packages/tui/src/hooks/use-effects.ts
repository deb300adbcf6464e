/**
 * Drains the outbox: each effect the reducer queued is taken (so it runs
 * once), carried out by the effects layer in order, and answered with
 * `effectDone` or `effectFailed`.
 */
import { type Dispatch, useEffect, useRef } from 'react';
import type { Effects } from '../effects/effects.js';
import type { Action } from '../state/actions.js';
import type { Effect } from '../state/types.js';

export function useEffects(
  effects: Effects,
  outbox: readonly Effect[],
  dispatch: Dispatch<Action>,
  now: () => number = Date.now,
): void {
  // One after the other: `+ + -` must reach the worker in that order.
  const chain = useRef<Promise<void>>(Promise.resolve());
  useEffect(() => {
    if (outbox.length === 0) return;
    const taken = [...outbox];
    dispatch({ type: 'effectsTaken', ids: taken.map((e) => e.id) });
    for (const effect of taken) {
      chain.current = chain.current.then(() =>
        effects
          .run(effect, (p) => dispatch({ type: 'bulkProgress', ...p }))
          .then(
            (outcome) => dispatch({ type: 'effectDone', effect, outcome, at: now() }),
            (err: unknown) =>
              dispatch({
                type: 'effectFailed',
                effect,
                message: err instanceof Error ? err.message : String(err),
                at: now(),
              }),
          ),
      );
    }
  }, [effects, outbox, dispatch, now]);
}
