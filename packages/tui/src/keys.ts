// Every key binding of the TUI, in one table. Keys are named ('j', 'G', 'enter', 'f5',
// 'ctrl-c', ...), commands are what the screen does; `remap` swaps keys without touching
// the components. The help line and the help overlay are generated from this table. The
// modes (the help, a question, an input line, the connect form) have scopes of their own.
import type { Key } from 'ink';

/** What a key does while browsing the panes and the queue. */
export type BrowseCommand =
  | 'up'
  | 'down'
  | 'top'
  | 'bottom'
  | 'pageUp'
  | 'pageDown'
  | 'open'
  | 'parent'
  | 'mark'
  | 'markAll'
  | 'copy'
  | 'rename'
  | 'delete'
  | 'mkdir'
  | 'filter'
  | 'clear'
  | 'refresh'
  | 'toggleHidden'
  | 'partials'
  | 'sync'
  | 'cancel'
  | 'retry'
  | 'clearFinished'
  | 'switchPane'
  | 'focusLocal'
  | 'focusRemote'
  | 'focusQueue'
  | 'help'
  | 'quit';

/** What a key does in a mode: the help overlay, a yes/no question, an input line, the form. */
export type ModeCommand =
  | 'scrollUp'
  | 'scrollDown'
  | 'yes'
  | 'no'
  | 'overwriteYes'
  | 'overwriteNo'
  | 'overwriteAll'
  | 'overwriteNone'
  | 'submit'
  | 'cancelInput'
  | 'deleteChar'
  | 'deleteWord'
  | 'clearInput'
  | 'nextField'
  | 'previousField'
  | 'leaveForm';

export type Command = BrowseCommand | ModeCommand;

/**
 * Where a binding applies: `list` in the file panes and the queue (moving the cursor),
 * `pane` in a file pane, `queue` in the transfer queue, `global` everywhere while browsing.
 * The mode scopes: `help` while the help is shown, `confirm` while a question waits,
 * `overwrite` while the copy-onto-an-existing-file question waits, `input` in an input line (rename, mkdir, filter, the form's fields), `form` in the
 * connect form (which also takes the `input` keys).
 */
export type Scope =
  | 'global'
  | 'list'
  | 'pane'
  | 'queue'
  | 'help'
  | 'confirm'
  | 'overwrite'
  | 'input'
  | 'form';

export interface Binding {
  command: Command;
  scope: Scope;
  keys: string[];
  /** One line for the help overlay. */
  help: string;
  /** A word for the help line at the bottom (only the main keys have one). */
  label?: string;
  /** Show the label only while this area has the focus (default: where the binding applies). */
  labelIn?: 'pane' | 'queue';
  /** Kept on the help line however narrow the terminal (the ways to everything else). */
  pinned?: boolean;
}

export const DEFAULT_BINDINGS: readonly Binding[] = [
  { command: 'up', scope: 'list', keys: ['up', 'k'], help: 'move up' },
  { command: 'down', scope: 'list', keys: ['down', 'j'], help: 'move down' },
  { command: 'top', scope: 'list', keys: ['g', 'home'], help: 'go to the first entry' },
  { command: 'bottom', scope: 'list', keys: ['G', 'end'], help: 'go to the last entry' },
  { command: 'pageUp', scope: 'list', keys: ['pageup', 'ctrl-b'], help: 'page up' },
  { command: 'pageDown', scope: 'list', keys: ['pagedown', 'ctrl-f'], help: 'page down' },
  {
    command: 'open',
    scope: 'pane',
    keys: ['enter', 'l', 'right'],
    help: 'open the folder under the cursor',
  },
  { command: 'parent', scope: 'pane', keys: ['backspace', 'h', 'left'], help: 'go up a folder' },
  {
    command: 'mark',
    scope: 'pane',
    keys: ['space'],
    help: 'mark or unmark, then move down',
    label: 'mark',
  },
  { command: 'markAll', scope: 'pane', keys: ['a'], help: 'mark all, or unmark all' },
  {
    command: 'copy',
    scope: 'pane',
    keys: ['c', 'f5'],
    help: 'copy the marked entries (or the one under the cursor) to the other side',
    label: 'copy',
  },
  { command: 'rename', scope: 'pane', keys: ['r', 'f6'], help: 'rename', label: 'rename' },
  {
    command: 'delete',
    scope: 'pane',
    keys: ['d', 'f8', 'delete'],
    help: 'delete (asks first; folders must be empty)',
    label: 'delete',
  },
  { command: 'mkdir', scope: 'pane', keys: ['m', 'f7'], help: 'make a folder', label: 'mkdir' },
  {
    command: 'filter',
    scope: 'pane',
    keys: ['/'],
    help: 'filter as you type (Enter keeps it, Esc clears it)',
    label: 'filter',
  },
  { command: 'clear', scope: 'pane', keys: ['escape'], help: 'clear the marks and the filter' },
  { command: 'refresh', scope: 'global', keys: ['R', 'ctrl-r'], help: 'refresh, or reconnect' },
  {
    command: 'toggleHidden',
    scope: 'global',
    keys: ['.'],
    help: 'show or hide hidden files (dot files, partial downloads)',
  },
  {
    command: 'partials',
    scope: 'pane',
    keys: ['p'],
    help: 'list the partial downloads (.NAME.cftp-resume-….part) in the local folder; remove them',
  },
  {
    command: 'sync',
    scope: 'pane',
    keys: ['S'],
    help: "sync: make the other pane's folder like this one (shows the plan first)",
  },
  {
    command: 'cancel',
    scope: 'queue',
    keys: ['x', 'delete'],
    help: 'cancel the transfer (or remove a finished one)',
    label: 'cancel',
  },
  {
    command: 'retry',
    scope: 'queue',
    keys: ['r'],
    help: 'retry a failed transfer',
    label: 'retry',
  },
  {
    command: 'clearFinished',
    scope: 'global',
    keys: ['C'],
    help: 'clear done and cancelled transfers',
    label: 'clear done',
    labelIn: 'queue',
  },
  {
    command: 'switchPane',
    scope: 'global',
    keys: ['tab', 'shift-tab'],
    help: 'switch between the local and remote panes',
    label: 'pane',
  },
  { command: 'focusLocal', scope: 'global', keys: ['1'], help: 'focus the local pane' },
  { command: 'focusRemote', scope: 'global', keys: ['2'], help: 'focus the remote pane' },
  {
    command: 'focusQueue',
    scope: 'global',
    keys: ['t', '3'],
    help: 'focus the transfer queue (again: back to the panes)',
    label: 'queue',
    pinned: true,
  },
  {
    command: 'help',
    scope: 'global',
    keys: ['?', 'f1'],
    help: 'show this help',
    label: 'help',
    pinned: true,
  },
  {
    command: 'quit',
    scope: 'global',
    keys: ['q', 'f10', 'ctrl-c'],
    help: 'quit (asks when transfers are running)',
    label: 'quit',
    pinned: true,
  },
  { command: 'scrollUp', scope: 'help', keys: ['up', 'k'], help: 'scroll the help up' },
  {
    command: 'scrollDown',
    scope: 'help',
    keys: ['down', 'j'],
    help: 'scroll the help down (any other key closes it)',
  },
  { command: 'yes', scope: 'confirm', keys: ['y', 'Y'], help: 'yes: do what the question says' },
  {
    command: 'no',
    scope: 'confirm',
    keys: ['n', 'N', 'escape', 'ctrl-c'],
    help: 'no: leave things as they are',
  },
  { command: 'overwriteYes', scope: 'overwrite', keys: ['y', 'Y'], help: 'overwrite this file' },
  { command: 'overwriteNo', scope: 'overwrite', keys: ['n'], help: 'skip this file' },
  {
    command: 'overwriteAll',
    scope: 'overwrite',
    keys: ['a', 'A'],
    help: 'overwrite this file and every other one of this copy',
  },
  {
    command: 'overwriteNone',
    scope: 'overwrite',
    keys: ['N', 'escape', 'ctrl-c'],
    help: 'skip this file and every other existing one of this copy',
  },
  {
    command: 'submit',
    scope: 'input',
    keys: ['enter'],
    help: 'done: rename, make, keep the filter',
  },
  {
    command: 'cancelInput',
    scope: 'input',
    keys: ['escape', 'ctrl-c'],
    help: 'cancel the input (and clear the filter)',
  },
  {
    command: 'deleteChar',
    scope: 'input',
    keys: ['backspace', 'delete'],
    help: 'delete the last character',
  },
  { command: 'deleteWord', scope: 'input', keys: ['ctrl-w'], help: 'delete the last word' },
  { command: 'clearInput', scope: 'input', keys: ['ctrl-u'], help: 'clear the input' },
  { command: 'nextField', scope: 'form', keys: ['tab', 'down'], help: 'next field' },
  { command: 'previousField', scope: 'form', keys: ['shift-tab', 'up'], help: 'previous field' },
  { command: 'leaveForm', scope: 'form', keys: ['escape', 'ctrl-c'], help: 'quit' },
];

/** Replaces the keys of some commands: `remap(DEFAULT_BINDINGS, { copy: ['y', 'f5'] })`. */
export function remap(
  bindings: readonly Binding[],
  overrides: Partial<Record<Command, string[]>>,
): Binding[] {
  return bindings.map((binding) => {
    const keys = overrides[binding.command];
    return keys === undefined ? binding : { ...binding, keys: [...keys] };
  });
}

/** The command bound to `key` in the first of `scopes` that binds it, if any. */
export function commandIn(
  bindings: readonly Binding[],
  scopes: readonly Scope[],
  key: string,
): Command | undefined {
  for (const scope of scopes) {
    const found = bindings.find((binding) => binding.scope === scope && binding.keys.includes(key));
    if (found !== undefined) return found.command;
  }
  return undefined;
}

/** The command bound to `key` for the focused area ('pane' or 'queue'), if any. */
export function commandFor(
  bindings: readonly Binding[],
  area: 'pane' | 'queue',
  key: string,
): Command | undefined {
  return commandIn(bindings, [area, 'list', 'global'], key);
}

/** The keys bound to `command`, as written on screen (`['n', 'Esc']`). */
export function keysFor(bindings: readonly Binding[], command: Command): string[] {
  const keys = bindings.filter((binding) => binding.command === command).flatMap((b) => b.keys);
  // 'N' beside 'n' and Ctrl-C beside Esc say nothing new on a one-line hint.
  const shown = keys.filter(
    (key) =>
      !key.startsWith('ctrl-') && !(key !== key.toLowerCase() && keys.includes(key.toLowerCase())),
  );
  return (shown.length > 0 ? shown : keys).map(keyLabel);
}

/** The name of a key press as Ink's useInput reports it ('j', 'G', 'enter', 'ctrl-r', ...). */
export function keyName(input: string, key: Key): string | undefined {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.return) return 'enter';
  if (key.escape) return 'escape';
  if (key.tab) return key.shift ? 'shift-tab' : 'tab';
  if (key.backspace) return 'backspace';
  if (key.delete) return 'delete';
  if (key.ctrl && input.length === 1) return `ctrl-${input}`;
  if (input === ' ') return 'space';
  if ([...input].length === 1) return input;
  return undefined;
}

/**
 * Function keys, which Ink's useInput does not name: their escape sequences as terminals
 * send them (xterm and VT220 style, and the Linux console's F1–F5).
 */
const FUNCTION_KEYS: Readonly<Record<string, string>> = {
  '\u001bOP': 'f1',
  '\u001b[11~': 'f1',
  '\u001b[[A': 'f1',
  '\u001bOQ': 'f2',
  '\u001b[12~': 'f2',
  '\u001b[[B': 'f2',
  '\u001bOR': 'f3',
  '\u001b[13~': 'f3',
  '\u001b[[C': 'f3',
  '\u001bOS': 'f4',
  '\u001b[14~': 'f4',
  '\u001b[[D': 'f4',
  '\u001b[15~': 'f5',
  '\u001b[[E': 'f5',
  '\u001b[17~': 'f6',
  '\u001b[18~': 'f7',
  '\u001b[19~': 'f8',
  '\u001b[20~': 'f9',
  '\u001b[21~': 'f10',
  '\u001b[23~': 'f11',
  '\u001b[24~': 'f12',
};

/** `f5` for the raw sequence of F5, undefined for anything else. */
export function functionKeyName(sequence: string): string | undefined {
  return FUNCTION_KEYS[sequence];
}

const KEY_LABELS: Readonly<Record<string, string>> = {
  up: '↑',
  down: '↓',
  left: '←',
  right: '→',
  enter: 'Enter',
  escape: 'Esc',
  tab: 'Tab',
  'shift-tab': 'Shift-Tab',
  backspace: 'Backspace',
  delete: 'Del',
  space: 'Space',
  pageup: 'PgUp',
  pagedown: 'PgDn',
  home: 'Home',
  end: 'End',
};

/** How a key name is written on screen: `Enter`, `F5`, `Ctrl-C`, `j`. */
export function keyLabel(name: string): string {
  const known = KEY_LABELS[name];
  if (known !== undefined) return known;
  if (/^f\d+$/.test(name)) return name.toUpperCase();
  if (name.startsWith('ctrl-')) return `Ctrl-${name.slice(5).toUpperCase()}`;
  return name;
}

/** The help line's items for the focused area: `[['c', 'copy'], ['?', 'help'], ...]`. */
export function helpLineItems(
  bindings: readonly Binding[],
  area: 'pane' | 'queue',
): [keys: string, label: string][] {
  return bindings
    .filter((binding) => binding.label !== undefined)
    .filter((binding) => binding.scope === 'global' || binding.scope === area)
    .filter((binding) => binding.labelIn === undefined || binding.labelIn === area)
    .filter((binding) => binding.keys.length > 0)
    .map((binding) => [keyLabel(binding.keys[0]!), binding.label!]);
}

/** The help-line labels that always stay (bindings marked `pinned`). */
export function pinnedLabels(bindings: readonly Binding[]): Set<string> {
  return new Set(
    bindings.flatMap((binding) =>
      binding.pinned === true && binding.label !== undefined ? [binding.label] : [],
    ),
  );
}

/** Ink's key flags with none set: the base for a key press built by hand. */
export const NO_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

/**
 * Ink hands over keys that arrive in one read (fast typing, a paste, a test driving a pty)
 * as one string with no key flags; this splits it back into single key presses.
 */
export function splitKeys(input: string): { name: string; input: string; key: Key }[] {
  return [...input].map((char) => {
    if (char === '\r' || char === '\n')
      return { name: 'enter', input: '', key: { ...NO_KEY, return: true } };
    if (char === '\t') return { name: 'tab', input: '', key: { ...NO_KEY, tab: true } };
    if (char === '\u007f' || char === '\b') {
      return { name: 'backspace', input: '', key: { ...NO_KEY, backspace: true } };
    }
    if (char === ' ') return { name: 'space', input: ' ', key: NO_KEY };
    const upper = /[A-Z]/.test(char);
    return { name: char, input: char, key: { ...NO_KEY, shift: upper } };
  });
}
