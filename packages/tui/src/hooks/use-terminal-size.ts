/**
 * Follows the terminal's size: a resize becomes a `resized` action, and the
 * layout (which is arithmetic on the size in the state) follows.
 */
import { useStdout } from 'ink';
import { type Dispatch, useEffect } from 'react';
import type { Action } from '../state/actions.js';

export function useTerminalSize(dispatch: Dispatch<Action>, enabled = true): void {
  const { stdout } = useStdout();
  useEffect(() => {
    if (!enabled) return;
    const onResize = () => {
      if (stdout.columns && stdout.rows)
        dispatch({ type: 'resized', columns: stdout.columns, rows: stdout.rows });
    };
    onResize();
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, dispatch, enabled]);
}
