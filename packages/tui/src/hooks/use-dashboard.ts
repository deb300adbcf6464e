/**
 * The console's state behind a hook: the pure reducer, held by React.
 */
import { type Dispatch, useReducer } from 'react';
import type { Action } from '../state/actions.js';
import { type InitialOptions, initialState, reducer } from '../state/reducer.js';
import type { DashboardState } from '../state/types.js';

export function useDashboard(options: InitialOptions): [DashboardState, Dispatch<Action>] {
  return useReducer(reducer, options, initialState);
}
