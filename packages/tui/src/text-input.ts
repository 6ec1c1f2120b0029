// Line editing for the inline inputs (rename, mkdir, filter, the connect form): typed and
// pasted text is appended; the editing keys (Backspace, Ctrl-U, Ctrl-W, Enter, Esc by
// default) come from the key table's `input` scope, so they can be remapped like any other.
import type { Key } from 'ink';
import { type Binding, type Command, commandIn, type Scope } from './keys.js';

export type EditResult =
  | { kind: 'edit'; value: string }
  | { kind: 'submit' }
  | { kind: 'cancel' }
  /** A key the caller's own scope binds (the form's field keys). */
  | { kind: 'command'; command: Command }
  | { kind: 'ignore' };

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
const CONTROL = /[\u0000-\u001f\u007f]/g;

/** The text a key press types: none for control, navigation and modified keys. */
function typedText(input: string, key: Key): string {
  if (key.ctrl || key.meta || key.tab || key.return || key.escape) return '';
  if (key.backspace || key.delete || key.upArrow || key.downArrow) return '';
  if (key.leftArrow || key.rightArrow || key.pageUp || key.pageDown || key.home || key.end) {
    return '';
  }
  return input.replace(CONTROL, '');
}

/**
 * One key press on `value`: `name` is the key's name in the table (undefined for a key it
 * has no name for); `scopes` are looked up in order, so a caller's scope goes before `input`.
 */
export function editText(
  bindings: readonly Binding[],
  scopes: readonly Scope[],
  value: string,
  name: string | undefined,
  input: string,
  key: Key,
): EditResult {
  const command = name === undefined ? undefined : commandIn(bindings, scopes, name);
  switch (command) {
    case undefined:
      break;
    case 'submit':
      return { kind: 'submit' };
    case 'cancelInput':
      return { kind: 'cancel' };
    case 'deleteChar':
      return { kind: 'edit', value: [...value].slice(0, -1).join('') };
    case 'clearInput':
      return { kind: 'edit', value: '' };
    case 'deleteWord':
      return { kind: 'edit', value: value.replace(/\S*\s*$/, '') };
    default:
      return { kind: 'command', command };
  }
  const text = typedText(input, key);
  return text === '' ? { kind: 'ignore' } : { kind: 'edit', value: value + text };
}
