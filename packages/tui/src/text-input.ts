// Line editing for the inline inputs (rename, mkdir, filter, the connect form): typed and
// pasted text is appended, Backspace deletes, Ctrl-U clears, Ctrl-W deletes a word.
import type { Key } from 'ink';

export type EditResult =
  | { kind: 'edit'; value: string }
  | { kind: 'submit' }
  | { kind: 'cancel' }
  | { kind: 'ignore' };

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
const CONTROL = /[\u0000-\u001f\u007f]/g;

export function editText(value: string, input: string, key: Key): EditResult {
  if (key.return) return { kind: 'submit' };
  if (key.escape) return { kind: 'cancel' };
  if (key.backspace || key.delete) return { kind: 'edit', value: [...value].slice(0, -1).join('') };
  if (key.ctrl && input === 'u') return { kind: 'edit', value: '' };
  if (key.ctrl && input === 'w') return { kind: 'edit', value: value.replace(/\S*\s*$/, '') };
  if (key.ctrl && input === 'c') return { kind: 'cancel' };
  if (key.ctrl || key.meta || key.tab || key.upArrow || key.downArrow) return { kind: 'ignore' };
  if (key.leftArrow || key.rightArrow || key.pageUp || key.pageDown || key.home || key.end) {
    return { kind: 'ignore' };
  }
  const text = input.replace(CONTROL, '');
  return text === '' ? { kind: 'ignore' } : { kind: 'edit', value: value + text };
}
