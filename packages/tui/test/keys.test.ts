// The key table: every command is reachable, no key means two things in one place, keys
// are named the same way from Ink and from raw function-key sequences, and remapping works.
import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import {
  type Command,
  commandFor,
  commandIn,
  DEFAULT_BINDINGS,
  functionKeyName,
  helpLineItems,
  keyLabel,
  keyName,
  keysFor,
  NO_KEY,
  remap,
  splitKeys,
} from '../src/keys.js';
import { editText } from '../src/text-input.js';

const none: Key = NO_KEY;

describe('DEFAULT_BINDINGS', () => {
  it('binds the keys the issue names', () => {
    const expectations: [string, 'pane' | 'queue', Command][] = [
      ['up', 'pane', 'up'],
      ['k', 'pane', 'up'],
      ['j', 'pane', 'down'],
      ['g', 'pane', 'top'],
      ['G', 'pane', 'bottom'],
      ['enter', 'pane', 'open'],
      ['l', 'pane', 'open'],
      ['backspace', 'pane', 'parent'],
      ['h', 'pane', 'parent'],
      ['tab', 'pane', 'switchPane'],
      ['space', 'pane', 'mark'],
      ['c', 'pane', 'copy'],
      ['f5', 'pane', 'copy'],
      ['r', 'pane', 'rename'],
      ['d', 'pane', 'delete'],
      ['f8', 'pane', 'delete'],
      ['m', 'pane', 'mkdir'],
      ['f7', 'pane', 'mkdir'],
      ['/', 'pane', 'filter'],
      ['R', 'pane', 'refresh'],
      ['?', 'pane', 'help'],
      ['q', 'pane', 'quit'],
      ['x', 'queue', 'cancel'],
      ['r', 'queue', 'retry'],
      ['j', 'queue', 'down'],
      ['C', 'queue', 'clearFinished'],
    ];
    for (const [key, area, command] of expectations) {
      expect([key, area, commandFor(DEFAULT_BINDINGS, area, key)]).toEqual([key, area, command]);
    }
    expect(commandFor(DEFAULT_BINDINGS, 'pane', 'x')).toBeUndefined();
  });

  it('never gives one key two commands where both apply', () => {
    for (const area of ['pane', 'queue'] as const) {
      const seen = new Map<string, Command>();
      for (const binding of DEFAULT_BINDINGS) {
        if (![area, 'list', 'global'].includes(binding.scope)) continue;
        for (const key of binding.keys) {
          expect([area, key, seen.get(key)]).toEqual([area, key, undefined]);
          seen.set(key, binding.command);
        }
      }
    }
  });

  it('remaps a command without touching the others', () => {
    const bindings = remap(DEFAULT_BINDINGS, { copy: ['y'] });
    expect(commandFor(bindings, 'pane', 'y')).toBe('copy');
    expect(commandFor(bindings, 'pane', 'c')).toBeUndefined();
    expect(commandFor(bindings, 'pane', 'f5')).toBeUndefined();
    expect(commandFor(bindings, 'pane', 'd')).toBe('delete');
  });

  it('lists the main keys for the help line, per focused area', () => {
    const pane = helpLineItems(DEFAULT_BINDINGS, 'pane');
    expect(pane).toContainEqual(['c', 'copy']);
    expect(pane).toContainEqual(['Space', 'mark']);
    expect(pane.at(-1)).toEqual(['q', 'quit']);
    expect(pane.map(([, label]) => label)).not.toContain('retry');
    const queue = helpLineItems(DEFAULT_BINDINGS, 'queue');
    expect(queue).toContainEqual(['x', 'cancel']);
    expect(queue).toContainEqual(['C', 'clear done']);
  });
});

describe('key names', () => {
  it('names what Ink reports', () => {
    expect(keyName('', { ...none, upArrow: true })).toBe('up');
    expect(keyName('', { ...none, return: true })).toBe('enter');
    expect(keyName('', { ...none, tab: true })).toBe('tab');
    expect(keyName('', { ...none, tab: true, shift: true })).toBe('shift-tab');
    expect(keyName('', { ...none, backspace: true })).toBe('backspace');
    expect(keyName('r', { ...none, ctrl: true })).toBe('ctrl-r');
    expect(keyName(' ', none)).toBe('space');
    expect(keyName('G', { ...none, shift: true })).toBe('G');
    expect(keyName('', none)).toBeUndefined();
    expect(keyName('abc', none)).toBeUndefined();
  });

  it('names function keys from their escape sequences', () => {
    expect(functionKeyName('\u001b[15~')).toBe('f5');
    expect(functionKeyName('\u001b[[E')).toBe('f5');
    expect(functionKeyName('\u001b[18~')).toBe('f7');
    expect(functionKeyName('\u001b[19~')).toBe('f8');
    expect(functionKeyName('\u001bOP')).toBe('f1');
    expect(functionKeyName('j')).toBeUndefined();
  });

  it('splits keys that arrived together', () => {
    expect(splitKeys('\tj \r\u007fG').map((press) => press.name)).toEqual([
      'tab',
      'j',
      'space',
      'enter',
      'backspace',
      'G',
    ]);
  });

  it('writes keys for people', () => {
    expect(['f5', 'ctrl-c', 'enter', 'space', 'j', 'up'].map(keyLabel)).toEqual([
      'F5',
      'Ctrl-C',
      'Enter',
      'Space',
      'j',
      '↑',
    ]);
  });
});

describe('mode scopes', () => {
  it('binds the keys of the help, the questions, the input line and the connect form', () => {
    expect(commandIn(DEFAULT_BINDINGS, ['help'], 'k')).toBe('scrollUp');
    expect(commandIn(DEFAULT_BINDINGS, ['help'], 'down')).toBe('scrollDown');
    expect(commandIn(DEFAULT_BINDINGS, ['help'], 'x')).toBeUndefined();
    expect(commandIn(DEFAULT_BINDINGS, ['confirm'], 'Y')).toBe('yes');
    expect(commandIn(DEFAULT_BINDINGS, ['confirm'], 'escape')).toBe('no');
    expect(commandIn(DEFAULT_BINDINGS, ['input'], 'enter')).toBe('submit');
    expect(commandIn(DEFAULT_BINDINGS, ['input'], 'ctrl-u')).toBe('clearInput');
    expect(commandIn(DEFAULT_BINDINGS, ['input'], 'j')).toBeUndefined();
    // The form's own keys go before the input line's: Esc leaves the form.
    expect(commandIn(DEFAULT_BINDINGS, ['form', 'input'], 'escape')).toBe('leaveForm');
    expect(commandIn(DEFAULT_BINDINGS, ['form', 'input'], 'shift-tab')).toBe('previousField');
  });

  it('never gives one key two commands within a mode scope', () => {
    for (const scope of ['help', 'confirm', 'input', 'form'] as const) {
      const seen = new Map<string, Command>();
      for (const binding of DEFAULT_BINDINGS.filter((b) => b.scope === scope)) {
        for (const key of binding.keys) {
          expect([scope, key, seen.get(key)]).toEqual([scope, key, undefined]);
          seen.set(key, binding.command);
        }
      }
    }
  });

  it('writes the answer keys for the question line', () => {
    expect(keysFor(DEFAULT_BINDINGS, 'yes')).toEqual(['y']);
    expect(keysFor(DEFAULT_BINDINGS, 'no')).toEqual(['n', 'Esc']);
    expect(keysFor(remap(DEFAULT_BINDINGS, { yes: ['o', 'enter'] }), 'yes')).toEqual([
      'o',
      'Enter',
    ]);
  });
});

describe('editText', () => {
  const edit = (value: string, input: string, key: Key, bindings = DEFAULT_BINDINGS) =>
    editText(bindings, ['input'], value, keyName(input, key), input, key);

  it('types text and edits with the input keys', () => {
    expect(edit('ab', 'c', none)).toEqual({ kind: 'edit', value: 'abc' });
    expect(edit('ab', '', { ...none, backspace: true })).toEqual({ kind: 'edit', value: 'a' });
    expect(edit('one two', 'w', { ...none, ctrl: true })).toEqual({ kind: 'edit', value: 'one ' });
    expect(edit('ab', 'u', { ...none, ctrl: true })).toEqual({ kind: 'edit', value: '' });
    expect(edit('ab', '', { ...none, return: true })).toEqual({ kind: 'submit' });
    expect(edit('ab', '', { ...none, escape: true })).toEqual({ kind: 'cancel' });
    expect(edit('ab', '', { ...none, upArrow: true })).toEqual({ kind: 'ignore' });
    expect(edit('ab', 'x', { ...none, ctrl: true })).toEqual({ kind: 'ignore' });
  });

  it('follows a remapped table', () => {
    const bindings = remap(DEFAULT_BINDINGS, { clearInput: ['ctrl-k'] });
    expect(edit('ab', 'k', { ...none, ctrl: true }, bindings)).toEqual({ kind: 'edit', value: '' });
    expect(edit('ab', 'u', { ...none, ctrl: true }, bindings)).toEqual({ kind: 'ignore' });
  });
});
