// What the screen asks of the Controller: listing a folder, reconnecting, copying, deleting,
// renaming and making folders. Each starts the work and returns at once; the outcome comes
// back as actions and messages, so nothing here waits on the network while keys arrive.
import type { Entry } from '@cftp/client';
import { useCallback } from 'react';
import type { Controller } from './controller.js';
import { describeError } from './errors.js';
import { plural } from './format.js';
import { baseName, displayPath, joinPath, otherSide, parentPath, type Side } from './paths.js';
import { type Mode, selectedEntries } from './state.js';
import type { ScreenState } from './use-screen-state.js';

export interface FileOperations {
  /** Lists `path` into the pane of `side`, putting the cursor on `select` if given. */
  load: (side: Side, path: string, select?: string) => void;
  reconnect: () => void;
  goParent: (side: Side) => void;
  copySelection: (side: Side) => void;
  deleteEntries: (side: Side, folder: string, entries: Entry[]) => Promise<void>;
  /** Renames or makes the folder the prompt asked for. */
  submitPrompt: (mode: Extract<Mode, { kind: 'prompt' }>) => void;
  /** Lists both panes again, or reconnects when the connection was lost. */
  refresh: () => void;
}

export function useFileOperations(
  controller: Controller,
  { current, dispatch, message }: ScreenState,
): FileOperations {
  const load = useCallback(
    (side: Side, path: string, select?: string) => {
      dispatch({ type: 'loading', side, path });
      controller.list(side, path).then(
        (entries) => dispatch({ type: 'listed', side, path, entries, select }),
        (error: unknown) =>
          dispatch({ type: 'listFailed', side, path, error: describeError(error) }),
      );
    },
    [controller, dispatch],
  );

  const reconnect = useCallback(() => {
    message('Reconnecting…');
    controller.reconnect().then((ok) => {
      if (ok) message('Reconnected; the queue goes on.');
      else {
        const reason = controller.status.error;
        message(`reconnect failed: ${reason?.message ?? 'unknown error'} (R tries again)`, 'error');
      }
    });
  }, [controller, message]);

  function goParent(side: Side) {
    const pane = current.current.panes[side];
    const parent = parentPath(side, pane.path);
    if (parent !== undefined) load(side, parent, baseName(side, pane.path));
  }

  function copySelection(side: Side) {
    const state = current.current;
    const pane = state.panes[side];
    const entries = selectedEntries(pane);
    if (entries.length === 0) {
      message('Nothing to copy: move to an entry or mark some with Space.', 'error');
      return;
    }
    const target = state.panes[otherSide(side)];
    dispatch({ type: 'clearMarks', side });
    controller.copy(side, pane.path, entries, target.path, { askOverwrite: true }).then(
      ({ queued, skipped, existing }) => {
        const where = displayPath(target.side, target.path);
        const text = `Queued ${plural(queued.length, 'transfer')} to ${where}`;
        // When everything asked for already exists, the question alone says what happens.
        const onlyAsking = skipped.length === 0 && queued.length === 0 && existing.length > 0;
        if (skipped.length === 0) {
          if (!onlyAsking) message(`${text}.`);
        } else message(`${text}; skipped (not a file or folder): ${skipped.join(', ')}`, 'error');
        // Never a silent overwrite: each existing target is asked about (yes/no/all/none).
        if (existing.length > 0) {
          dispatch({ type: 'setMode', mode: { kind: 'confirmOverwrite', pending: existing } });
        }
      },
      (error: unknown) => message(describeError(error), 'error'),
    );
  }

  async function deleteEntries(side: Side, folder: string, entries: Entry[]) {
    const failures: string[] = [];
    for (const entry of entries) {
      try {
        await controller.remove(side, joinPath(side, folder, entry.name), entry.type);
      } catch (error) {
        failures.push(describeError(error));
      }
    }
    dispatch({ type: 'clearMarks', side });
    if (current.current.panes[side].path === folder) load(side, folder);
    if (failures.length === 0) {
      const first = entries[0];
      message(
        entries.length === 1 && first !== undefined
          ? `Deleted "${first.name}".`
          : `Deleted ${plural(entries.length, 'entry', 'entries')}.`,
      );
    } else {
      const more = failures.length > 1 ? ` (and ${failures.length - 1} more failed)` : '';
      message(`${failures[0]}${more}`, 'error');
    }
  }

  function submitPrompt(mode: Extract<Mode, { kind: 'prompt' }>) {
    dispatch({ type: 'closeMode' });
    const name = mode.value.trim();
    if (name === '' || name === mode.original) return;
    if (name.includes('/') || name === '.' || name === '..') {
      message(`"${name}" is not a name (no "/", "." or "..")`, 'error');
      return;
    }
    const target = joinPath(mode.side, mode.folder, name);
    const done = () => {
      if (current.current.panes[mode.side].path === mode.folder) load(mode.side, mode.folder, name);
    };
    const fail = (error: unknown) => message(describeError(error), 'error');
    if (mode.purpose === 'rename' && mode.original !== undefined) {
      const from = joinPath(mode.side, mode.folder, mode.original);
      controller.rename(mode.side, from, target).then(() => {
        message(`Renamed "${mode.original}" to "${name}".`);
        done();
      }, fail);
    } else {
      controller.mkdir(mode.side, target).then(() => {
        message(`Created folder "${name}".`);
        done();
      }, fail);
    }
  }

  function refresh() {
    const state = current.current;
    load('local', state.panes.local.path);
    if (state.connection.phase === 'connected') load('remote', state.panes.remote.path);
    else if (state.connection.phase === 'disconnected') reconnect();
  }

  return { load, reconnect, goParent, copySelection, deleteEntries, submitPrompt, refresh };
}
