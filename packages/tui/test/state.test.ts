// The reducer on its own: listings (sorted, '..', stale answers dropped), the cursor, marks,
// the filter, focus and the queue's cursor.
import type { Entry } from '@cftp/client';
import { describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../src/controller.js';
import {
  type Action,
  type AppState,
  initialState,
  reducer,
  selectedEntries,
  visibleEntries,
} from '../src/state.js';
import type { TransferItem } from '../src/transfers.js';

const connected: ConnectionStatus = {
  phase: 'connected',
  host: '127.0.0.1',
  port: 2121,
  error: undefined,
};

const file = (name: string, size = 1): Entry => ({ name, type: 'file', size, mtime: 0 });
const dir = (name: string): Entry => ({ name, type: 'dir', size: 0, mtime: 0 });

function run(actions: Action[], state = initialState('/home/me', connected)): AppState {
  return actions.reduce(reducer, state);
}

const listRemote = (path: string, entries: Entry[], select?: string): Action[] => [
  { type: 'loading', side: 'remote', path },
  { type: 'listed', side: 'remote', path, entries, select },
];

const names = (state: AppState, side: 'local' | 'remote') =>
  visibleEntries(state.panes[side]).map((entry) => entry.name);

describe('listings', () => {
  it('sorts folders first, then by name, with .. below the top', () => {
    const state = run([
      ...listRemote('', [file('b.txt'), dir('zeta'), file('a.txt'), dir('alpha')]),
      ...listRemote('alpha', [file('x')]),
    ]);
    expect(names(state, 'remote')).toEqual(['..', 'x']);
    const top = run(listRemote('', [file('b.txt'), dir('zeta'), file('a.txt'), dir('alpha')]));
    expect(names(top, 'remote')).toEqual(['alpha', 'zeta', 'a.txt', 'b.txt']);
    expect(top.panes.remote.loading).toBe(false);
  });

  it('drops an answer for a folder that is no longer wanted', () => {
    const state = run([
      { type: 'loading', side: 'remote', path: 'slow' },
      { type: 'loading', side: 'remote', path: 'fast' },
      { type: 'listed', side: 'remote', path: 'fast', entries: [file('f')] },
      { type: 'listed', side: 'remote', path: 'slow', entries: [file('s')] },
    ]);
    expect(state.panes.remote.path).toBe('fast');
    expect(names(state, 'remote')).toEqual(['..', 'f']);
  });

  it('puts the cursor on the folder we came up from', () => {
    const state = run(listRemote('', [dir('a'), dir('b'), dir('c')], 'c'));
    expect(state.panes.remote.cursor).toBe(2);
  });

  it('keeps the folder and shows the error when a listing fails', () => {
    const state = run([
      ...listRemote('', [dir('locked')]),
      { type: 'loading', side: 'remote', path: 'locked' },
      { type: 'listFailed', side: 'remote', path: 'locked', error: 'permission denied (EACCES)' },
    ]);
    expect(state.panes.remote.path).toBe('');
    expect(state.panes.remote.error).toBe('permission denied (EACCES)');
    expect(state.panes.remote.loading).toBe(false);
  });

  it('keeps marks that still exist when the same folder is listed again', () => {
    const state = run([
      { type: 'focus', focus: 'remote' },
      ...listRemote('', [file('a'), file('b')]),
      { type: 'toggleMark' },
      { type: 'toggleMark' },
      ...listRemote('', [file('a'), file('c')]),
    ]);
    expect(state.panes.remote.marked).toEqual(['a']);
  });
});

describe('cursor, marks and filter', () => {
  const base = run([
    { type: 'focus', focus: 'remote' },
    ...listRemote('', [dir('d'), file('a'), file('b')]),
  ]);

  it('moves within the list', () => {
    expect(run([{ type: 'move', delta: 1 }], base).panes.remote.cursor).toBe(1);
    expect(run([{ type: 'move', delta: -5 }], base).panes.remote.cursor).toBe(0);
    expect(run([{ type: 'move', delta: 50 }], base).panes.remote.cursor).toBe(2);
    expect(run([{ type: 'moveTo', where: 'bottom' }], base).panes.remote.cursor).toBe(2);
    expect(
      run(
        [
          { type: 'move', delta: 2 },
          { type: 'moveTo', where: 'top' },
        ],
        base,
      ).panes.remote.cursor,
    ).toBe(0);
  });

  it('marks with Space and moves down; the marked entries are the selection', () => {
    const state = run(
      [{ type: 'move', delta: 1 }, { type: 'toggleMark' }, { type: 'toggleMark' }],
      base,
    );
    expect(state.panes.remote.marked).toEqual(['a', 'b']);
    expect(state.panes.remote.cursor).toBe(2);
    expect(selectedEntries(state.panes.remote).map((entry) => entry.name)).toEqual(['a', 'b']);
    const unmarked = run([{ type: 'toggleMark' }], state);
    expect(unmarked.panes.remote.marked).toEqual(['a']);
  });

  it('without marks, the selection is the entry under the cursor, never ..', () => {
    expect(selectedEntries(base.panes.remote).map((entry) => entry.name)).toEqual(['d']);
    const inside = run(listRemote('d', [file('x')]), base);
    expect(selectedEntries(inside.panes.remote)).toEqual([]);
    expect(run([{ type: 'toggleMark' }], inside).panes.remote.marked).toEqual([]);
  });

  it('marks all, then none', () => {
    const all = run([{ type: 'markAll' }], base);
    expect(all.panes.remote.marked).toEqual(['d', 'a', 'b']);
    expect(run([{ type: 'markAll' }], all).panes.remote.marked).toEqual([]);
  });

  it('filters as you type, case-insensitively, and Esc clears marks and filter', () => {
    const typing = run(
      [
        { type: 'setMode', mode: { kind: 'filter' } },
        { type: 'move', delta: 2 },
        { type: 'editInput', value: 'B' },
      ],
      base,
    );
    expect(names(typing, 'remote')).toEqual(['b']);
    expect(typing.panes.remote.cursor).toBe(0);
    const cleared = run(
      [{ type: 'closeMode' }, { type: 'toggleMark' }, { type: 'clearSelection' }],
      typing,
    );
    expect(cleared.panes.remote.filter).toBe('');
    expect(cleared.panes.remote.marked).toEqual([]);
  });

  it('edits the value of a prompt', () => {
    const state = run(
      [
        {
          type: 'setMode',
          mode: {
            kind: 'prompt',
            purpose: 'mkdir',
            side: 'remote',
            folder: '',
            original: undefined,
            value: '',
          },
        },
        { type: 'editInput', value: 'new' },
      ],
      base,
    );
    expect(state.mode).toMatchObject({ kind: 'prompt', value: 'new' });
    expect(state.panes.remote.filter).toBe('');
  });
});

describe('focus and queue', () => {
  const item = (id: number): TransferItem => ({
    id,
    direction: 'get',
    kind: 'file',
    source: `f${id}`,
    target: `/tmp/f${id}`,
    name: `f${id}`,
    size: 1,
    destination: { side: 'local', folder: '/tmp' },
    state: 'queued',
    bytes: 0,
    total: 1,
    rate: 0,
    files: 0,
    totalFiles: undefined,
    error: undefined,
    interrupted: false,
    attempts: 0,
  });

  it('Tab switches between the panes, and back from the queue to the last pane', () => {
    const start = initialState('/', connected);
    expect(start.focus).toBe('local');
    const remote = run([{ type: 'switchPane' }], start);
    expect(remote.focus).toBe('remote');
    expect(run([{ type: 'switchPane' }], remote).focus).toBe('local');
    const queue = run([{ type: 'focus', focus: 'queue' }], remote);
    expect(queue.focus).toBe('queue');
    expect(run([{ type: 'switchPane' }], queue).focus).toBe('remote');
  });

  it('moves the queue cursor and keeps it inside the list', () => {
    const state = run([
      { type: 'transfers', items: [item(1), item(2), item(3)] },
      { type: 'focus', focus: 'queue' },
      { type: 'move', delta: 5 },
    ]);
    expect(state.queueCursor).toBe(2);
    expect(run([{ type: 'transfers', items: [item(1)] }], state).queueCursor).toBe(0);
  });

  it('remembers that it was connected once', () => {
    const idle: ConnectionStatus = {
      phase: 'idle',
      host: undefined,
      port: undefined,
      error: undefined,
    };
    const start = initialState('/', idle);
    expect(start.everConnected).toBe(false);
    const lost = run(
      [
        { type: 'connection', status: connected },
        { type: 'connection', status: { ...connected, phase: 'disconnected' } },
      ],
      start,
    );
    expect(lost.everConnected).toBe(true);
    expect(lost.connection.phase).toBe('disconnected');
  });
});
