// The screen's state and the one reducer that changes it. Every change is an Action of a
// discriminated union; side effects (listing, copying, deleting) live in App and the
// Controller, which dispatch what happened.
import type { Entry } from '@cftp/client';
import type { ConnectionStatus } from './controller.js';
import { parentPath, type Side } from './paths.js';
import type { TransferItem, TransferRequest } from './transfers.js';

/** A partial download kept for resume (`.NAME.cftp-resume-KEY.part`) in a local folder. */
export interface PartialFile {
  name: string;
  size: number;
}

export type Focus = Side | 'queue';

export interface PaneState {
  side: Side;
  /** The folder shown (a local absolute path, or a remote path; '' is the server's root). */
  path: string;
  /** Sorted: folders first, then by name. */
  entries: Entry[];
  /** Index into `visibleEntries(pane)`. */
  cursor: number;
  /** Names of the marked entries. */
  marked: string[];
  filter: string;
  /** Dot files (and so the engine's partial downloads) are listed too; off by default. */
  showHidden: boolean;
  loading: boolean;
  error: string | undefined;
  /** The folder being listed; results for any other folder are stale and dropped. */
  requested: string;
}

export type Mode =
  | { kind: 'browse' }
  | { kind: 'filter' }
  | {
      kind: 'prompt';
      purpose: 'rename' | 'mkdir';
      side: Side;
      folder: string;
      /** The name being renamed. */
      original: string | undefined;
      value: string;
    }
  | { kind: 'confirmDelete'; side: Side; folder: string; entries: Entry[] }
  | { kind: 'confirmQuit'; active: number }
  | { kind: 'confirmReconnect'; reason: string }
  | {
      kind: 'confirmOverwrite';
      /** Copies onto existing files still to be answered; the first is being asked about. */
      pending: TransferRequest[];
    }
  | { kind: 'confirmPartials'; folder: string; partials: PartialFile[] }
  | {
      kind: 'confirmSync';
      /** `put`: the local folder onto the remote one; `get`: the other way. */
      direction: 'get' | 'put';
      local: string;
      remote: string;
      /** The plan's summary and its first actions, as the dialog shows them. */
      summary: string;
      actions: string[];
      /** Nothing to do: the dialog says so and only closes. */
      empty: boolean;
    }
  | { kind: 'help'; scroll: number };

export interface Message {
  text: string;
  level: 'info' | 'error';
}

export interface AppState {
  connection: ConnectionStatus;
  /** Once connected, a lost connection offers a reconnect instead of the connect form. */
  everConnected: boolean;
  panes: Record<Side, PaneState>;
  focus: Focus;
  /** The file pane that had the focus last (where Tab goes back to from the queue). */
  lastPane: Side;
  mode: Mode;
  transfers: TransferItem[];
  queueCursor: number;
  message: Message | undefined;
}

export type Action =
  | { type: 'connection'; status: ConnectionStatus }
  | { type: 'loading'; side: Side; path: string }
  | { type: 'listed'; side: Side; path: string; entries: Entry[]; select?: string | undefined }
  | { type: 'listFailed'; side: Side; path: string; error: string }
  | { type: 'move'; delta: number }
  | { type: 'moveTo'; where: 'top' | 'bottom' }
  | { type: 'toggleMark' }
  | { type: 'markAll' }
  | { type: 'clearSelection' }
  | { type: 'clearMarks'; side: Side }
  | { type: 'toggleHidden' }
  | { type: 'switchPane' }
  | { type: 'focus'; focus: Focus }
  | { type: 'setMode'; mode: Mode }
  | { type: 'closeMode' }
  | { type: 'editInput'; value: string }
  | { type: 'transfers'; items: TransferItem[] }
  | { type: 'message'; text: string; level: Message['level'] }
  | { type: 'clearMessage' };

/** The entry that stands for the parent folder, first in every folder but the top one. */
export const PARENT_ENTRY: Entry = { name: '..', type: 'dir', size: 0, mtime: 0 };

export function sortEntries(entries: readonly Entry[]): Entry[] {
  const rank = (entry: Entry) => (entry.type === 'dir' ? 0 : 1);
  return [...entries].sort(
    (a, b) => rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}

/**
 * What the pane lists: `..` (unless at the top or filtering), then the matching entries,
 * without dot files unless they are shown.
 */
export function visibleEntries(pane: PaneState): Entry[] {
  const entries = pane.showHidden
    ? pane.entries
    : pane.entries.filter((entry) => !entry.name.startsWith('.'));
  if (pane.filter !== '') {
    const needle = pane.filter.toLowerCase();
    return entries.filter((entry) => entry.name.toLowerCase().includes(needle));
  }
  const hasParent = parentPath(pane.side, pane.path) !== undefined;
  return hasParent ? [PARENT_ENTRY, ...entries] : entries;
}

export function entryAtCursor(pane: PaneState): Entry | undefined {
  return visibleEntries(pane)[pane.cursor];
}

/** The entries a copy or delete acts on: the marked ones, else the one under the cursor. */
export function selectedEntries(pane: PaneState): Entry[] {
  if (pane.marked.length > 0) {
    return pane.entries.filter((entry) => pane.marked.includes(entry.name));
  }
  const entry = entryAtCursor(pane);
  return entry === undefined || entry === PARENT_ENTRY ? [] : [entry];
}

export function newPane(side: Side, path: string): PaneState {
  return {
    side,
    path,
    entries: [],
    cursor: 0,
    marked: [],
    filter: '',
    showHidden: false,
    loading: true,
    error: undefined,
    requested: path,
  };
}

export function initialState(
  localDir: string,
  connection: ConnectionStatus,
  transfers: TransferItem[] = [],
): AppState {
  return {
    connection,
    everConnected: connection.phase === 'connected',
    panes: { local: newPane('local', localDir), remote: newPane('remote', '') },
    focus: 'local',
    lastPane: 'local',
    mode: { kind: 'browse' },
    transfers,
    queueCursor: 0,
    message: undefined,
  };
}

const clamp = (value: number, min: number, max: number) => Math.max(min, Math.min(max, value));

function updatePane(state: AppState, side: Side, change: Partial<PaneState>): AppState {
  return { ...state, panes: { ...state.panes, [side]: { ...state.panes[side], ...change } } };
}

function focusedPane(state: AppState): PaneState | undefined {
  return state.focus === 'queue' ? undefined : state.panes[state.focus];
}

function listed(state: AppState, action: Extract<Action, { type: 'listed' }>): AppState {
  const pane = state.panes[action.side];
  if (action.path !== pane.requested) return state; // an older request answered late
  const entries = sortEntries(action.entries);
  const samePath = action.path === pane.path;
  const names = new Set(entries.map((entry) => entry.name));
  const next: PaneState = {
    ...pane,
    path: action.path,
    entries,
    loading: false,
    error: undefined,
    // A refresh keeps the marks and filter that still apply; a new folder starts clean.
    marked: samePath ? pane.marked.filter((name) => names.has(name)) : [],
    filter: samePath ? pane.filter : '',
  };
  const visible = visibleEntries(next);
  const selected =
    action.select === undefined
      ? -1
      : visible.findIndex((entry) => entry !== PARENT_ENTRY && entry.name === action.select);
  const cursor = selected >= 0 ? selected : samePath ? pane.cursor : 0;
  next.cursor = clamp(cursor, 0, Math.max(0, visible.length - 1));
  return updatePane(state, action.side, next);
}

function move(state: AppState, to: (current: number, length: number) => number): AppState {
  if (state.focus === 'queue') {
    const length = state.transfers.length;
    return {
      ...state,
      queueCursor: clamp(to(state.queueCursor, length), 0, Math.max(0, length - 1)),
    };
  }
  const pane = state.panes[state.focus];
  const length = visibleEntries(pane).length;
  return updatePane(state, pane.side, {
    cursor: clamp(to(pane.cursor, length), 0, Math.max(0, length - 1)),
  });
}

export function reducer(state: AppState, action: Action): AppState {
  switch (action.type) {
    case 'connection':
      return {
        ...state,
        connection: action.status,
        everConnected: state.everConnected || action.status.phase === 'connected',
      };
    case 'loading':
      return updatePane(state, action.side, { loading: true, requested: action.path });
    case 'listed':
      return listed(state, action);
    case 'listFailed': {
      const pane = state.panes[action.side];
      if (action.path !== pane.requested) return state;
      // Stay where we were; the error shows in the pane's title line.
      return updatePane(state, action.side, {
        loading: false,
        error: action.error,
        requested: pane.path,
      });
    }
    case 'move':
      return move(state, (current) => current + action.delta);
    case 'moveTo':
      return move(state, (_current, length) => (action.where === 'top' ? 0 : length - 1));
    case 'toggleMark': {
      const pane = focusedPane(state);
      const entry = pane === undefined ? undefined : entryAtCursor(pane);
      if (pane === undefined || entry === undefined || entry === PARENT_ENTRY) return state;
      const marked = pane.marked.includes(entry.name)
        ? pane.marked.filter((name) => name !== entry.name)
        : [...pane.marked, entry.name];
      const last = visibleEntries(pane).length - 1;
      return updatePane(state, pane.side, { marked, cursor: Math.min(pane.cursor + 1, last) });
    }
    case 'markAll': {
      const pane = focusedPane(state);
      if (pane === undefined) return state;
      const names = visibleEntries(pane)
        .filter((entry) => entry !== PARENT_ENTRY)
        .map((entry) => entry.name);
      const all = names.length > 0 && names.every((name) => pane.marked.includes(name));
      return updatePane(state, pane.side, { marked: all ? [] : names });
    }
    case 'clearSelection': {
      const pane = focusedPane(state);
      if (pane === undefined) return state;
      return updatePane(state, pane.side, { marked: [], filter: '', cursor: 0 });
    }
    case 'clearMarks':
      return updatePane(state, action.side, { marked: [] });
    case 'toggleHidden': {
      // Both panes at once, like one setting; the cursor stays on the same entry if it can.
      let next = state;
      for (const side of ['local', 'remote'] as const) {
        const pane = state.panes[side];
        const at = entryAtCursor(pane);
        const toggled: PaneState = { ...pane, showHidden: !pane.showHidden };
        const index = at === undefined ? -1 : visibleEntries(toggled).indexOf(at);
        const last = Math.max(0, visibleEntries(toggled).length - 1);
        toggled.cursor = index >= 0 ? index : Math.min(pane.cursor, last);
        // Marks on entries that are no longer shown are dropped: a copy acts on what is seen.
        const shown = new Set(visibleEntries(toggled).map((entry) => entry.name));
        toggled.marked = pane.marked.filter((name) => shown.has(name));
        next = updatePane(next, side, toggled);
      }
      return next;
    }
    case 'switchPane': {
      const focus: Side =
        state.focus === 'queue' ? state.lastPane : state.focus === 'local' ? 'remote' : 'local';
      return { ...state, focus, lastPane: focus };
    }
    case 'focus':
      return {
        ...state,
        focus: action.focus,
        lastPane: action.focus === 'queue' ? state.lastPane : action.focus,
      };
    case 'setMode':
      return { ...state, mode: action.mode };
    case 'closeMode':
      return { ...state, mode: { kind: 'browse' } };
    case 'editInput': {
      if (state.mode.kind === 'prompt') {
        return { ...state, mode: { ...state.mode, value: action.value } };
      }
      const pane = focusedPane(state);
      if (state.mode.kind !== 'filter' || pane === undefined) return state;
      return updatePane(state, pane.side, { filter: action.value, cursor: 0 });
    }
    case 'transfers': {
      const last = Math.max(0, action.items.length - 1);
      return { ...state, transfers: action.items, queueCursor: Math.min(state.queueCursor, last) };
    }
    case 'message':
      return { ...state, message: { text: action.text, level: action.level } };
    case 'clearMessage':
      return state.message === undefined ? state : { ...state, message: undefined };
  }
}
