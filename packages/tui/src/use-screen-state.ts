// The screen's state for App and its hooks: the reducer's state for rendering, and a ref
// with every action applied so far, also those React has not rendered yet, for handlers.
import { useCallback, useReducer, useRef } from 'react';
import type { Controller } from './controller.js';
import { type Action, type AppState, initialState, reducer } from './state.js';

export interface ScreenState {
  /** What to render. */
  state: AppState;
  /** The latest state: keys that arrive together (Tab, then Enter) each see the one before. */
  current: { readonly current: AppState };
  dispatch: (action: Action) => void;
  /** Shows a line on the message line. */
  message: (text: string, level?: 'info' | 'error') => void;
}

export function useScreenState(controller: Controller, localDir: string): ScreenState {
  const [state, reactDispatch] = useReducer(reducer, undefined, () =>
    initialState(localDir, controller.status, controller.transfers.snapshot()),
  );
  const current = useRef<AppState>(state);
  const dispatch = useCallback((action: Action) => {
    current.current = reducer(current.current, action);
    reactDispatch(action);
  }, []);
  const message = useCallback(
    (text: string, level: 'info' | 'error' = 'info') => dispatch({ type: 'message', text, level }),
    [dispatch],
  );
  return { state, current, dispatch, message };
}
