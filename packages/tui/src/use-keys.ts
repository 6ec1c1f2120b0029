// Key presses to commands, through the key table: while browsing, the focused area's scopes
// (pane or queue, then list, then global); in a mode, the mode's own scope (`help`,
// `confirm`, `overwrite`, `input`). Keys that arrive in one read are taken one at a time, in order, and
// function keys come in through useFunctionKeys.
import { type Key, useInput } from 'ink';
import { type Binding, commandFor, commandIn, keyName, splitKeys } from './keys.js';
import { editText } from './text-input.js';
import type { Commands } from './use-commands.js';
import type { FileOperations } from './use-file-operations.js';
import { useFunctionKeys } from './use-function-keys.js';
import type { ScreenState } from './use-screen-state.js';

export function useKeys(
  bindings: readonly Binding[],
  { current, dispatch }: ScreenState,
  { submitPrompt }: FileOperations,
  { run, answer, answerOverwrite }: Commands,
  active: boolean,
): void {
  /** One key press: `name` from the key table's vocabulary, `key` when useInput saw it. */
  function handleKey(name: string | undefined, input: string, key: Key | undefined) {
    const state = current.current;
    const mode = state.mode;
    switch (mode.kind) {
      case 'help': {
        const command = name === undefined ? undefined : commandIn(bindings, ['help'], name);
        if (command === 'scrollUp') {
          dispatch({
            type: 'setMode',
            mode: { kind: 'help', scroll: Math.max(0, mode.scroll - 1) },
          });
        } else if (command === 'scrollDown') {
          dispatch({ type: 'setMode', mode: { kind: 'help', scroll: mode.scroll + 1 } });
        } else if (name !== undefined) dispatch({ type: 'closeMode' });
        return;
      }
      case 'confirmOverwrite': {
        const command = name === undefined ? undefined : commandIn(bindings, ['overwrite'], name);
        if (command !== undefined) answerOverwrite(mode, command);
        return;
      }
      case 'confirmDelete':
      case 'confirmPartials':
      case 'confirmQuit':
      case 'confirmSync':
      case 'confirmReconnect': {
        const command = name === undefined ? undefined : commandIn(bindings, ['confirm'], name);
        if (command === 'yes') answer(mode, true);
        else if (command === 'no') answer(mode, false);
        return;
      }
      case 'prompt':
      case 'filter': {
        if (key === undefined) return;
        const focused = state.focus === 'queue' ? undefined : state.panes[state.focus];
        const value = mode.kind === 'prompt' ? mode.value : (focused?.filter ?? '');
        const result = editText(bindings, ['input'], value, name, input, key);
        if (result.kind === 'edit') dispatch({ type: 'editInput', value: result.value });
        else if (result.kind === 'submit') {
          if (mode.kind === 'prompt') submitPrompt(mode);
          else dispatch({ type: 'closeMode' });
        } else if (result.kind === 'cancel') {
          if (mode.kind === 'filter') dispatch({ type: 'editInput', value: '' });
          dispatch({ type: 'closeMode' });
        }
        return;
      }
      case 'browse':
        break;
    }
    if (name === undefined) return;
    dispatch({ type: 'clearMessage' });
    const command = commandFor(bindings, state.focus === 'queue' ? 'queue' : 'pane', name);
    if (command !== undefined) run(command);
  }

  useInput(
    (input, key) => {
      const name = keyName(input, key);
      if (name !== undefined || input.length <= 1 || key.ctrl || key.meta) {
        handleKey(name, input, key);
        return;
      }
      // Several keys in one read (fast typing, a paste): one at a time, in order.
      for (const press of splitKeys(input)) handleKey(press.name, press.input, press.key);
    },
    { isActive: active },
  );
  useFunctionKeys((name) => handleKey(name, '', undefined), active);
}
