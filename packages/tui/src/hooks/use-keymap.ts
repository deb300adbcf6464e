/**
 * The one keymap: Ink's key presses go through the pure `keyActions` and are
 * dispatched. Nothing else reads the keyboard.
 */
import { useInput } from 'ink';
import { type Dispatch, useCallback, useRef } from 'react';
import type { Action } from '../state/actions.js';
import { keyActions, splitInput } from '../state/keymap.js';
import { reducer } from '../state/reducer.js';
import type { DashboardState } from '../state/types.js';

export function useKeymap(state: DashboardState, dispatch: Dispatch<Action>, isActive = true): void {
  // The handler reads the state of the last render, not of the render that subscribed it.
  const stateRef = useRef(state);
  stateRef.current = state;
  // One handler for the life of the app: a new one each render would make Ink
  // resubscribe to stdin on every render.
  const onKey = useCallback(
    (input: string, key: Parameters<Parameters<typeof useInput>[0]>[1]) => {
      // Each key of a run is read in the mode the keys before it leave.
      let state = stateRef.current;
      const actions: Action[] = [];
      for (const [i, k] of splitInput(input, key)) {
        const more = keyActions(state, i, k);
        for (const a of more) state = reducer(state, a);
        actions.push(...more);
      }
      // The next key may come before React renders again: it must see the mode this one left.
      stateRef.current = state;
      if (actions.length === 1) dispatch(actions[0]!);
      else if (actions.length > 1) dispatch({ type: 'batch', actions });
    },
    [dispatch],
  );
  useInput(onKey, { isActive });
}
