/**
 * The one keymap: Ink's key presses go through the pure `keyActions` and are
 * dispatched. Nothing else reads the keyboard.
 */
import { useInput, useStdin } from 'ink';
import { type Dispatch, useCallback, useEffect, useRef } from 'react';
import type { Action } from '../state/actions.js';
import { keyActions, splitInput } from '../state/keymap.js';
import { reducer } from '../state/reducer.js';
import type { DashboardState } from '../state/types.js';

export function useKeymap(state: DashboardState, dispatch: Dispatch<Action>, isActive = true): void {
  // The handler reads the state of the last render, not of the render that subscribed it.
  const stateRef = useRef(state);
  stateRef.current = state;
  // The raw read behind each key press, which Ink does not pass on: splitInput
  // needs it to see an Esc that Ink stripped. Subscribed before useInput's own
  // listener (effects run in order), so it is set when the key press arrives.
  const rawRef = useRef<string | undefined>(undefined);
  const { internal_eventEmitter: stdinEvents } = useStdin();
  useEffect(() => {
    const onRaw = (data: string | Buffer) => {
      rawRef.current = String(data);
    };
    stdinEvents.on('input', onRaw);
    return () => {
      stdinEvents.removeListener('input', onRaw);
    };
  }, [stdinEvents]);
  // One handler for the life of the app: a new one each render would make Ink
  // resubscribe to stdin on every render.
  const onKey = useCallback(
    (input: string, key: Parameters<Parameters<typeof useInput>[0]>[1]) => {
      // Each key of a run is read in the mode the keys before it leave.
      let state = stateRef.current;
      const actions: Action[] = [];
      for (const [i, k] of splitInput(input, key, rawRef.current)) {
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
