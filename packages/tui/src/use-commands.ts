// What each command of the key table does while browsing (move, open, mark, copy, delete,
// hidden files, partial downloads, focus, help, quit...), and the answers to the questions.
// Keys are turned into commands by useKeys; the work itself is in useFileOperations and the
// Controller.

import { join } from 'node:path';
import { useApp } from 'ink';
import type { Controller } from './controller.js';
import { describeError } from './errors.js';
import { formatBytes, plural } from './format.js';
import type { Command } from './keys.js';
import type { Layout } from './layout.js';
import { removeLocal } from './local-fs.js';
import { stalePartials } from './partials.js';
import { joinPath } from './paths.js';
import {
  entryAtCursor,
  type Mode,
  PARENT_ENTRY,
  type PartialFile,
  selectedEntries,
} from './state.js';
import type { FileOperations } from './use-file-operations.js';
import type { ScreenState } from './use-screen-state.js';

/** The modes that ask a yes/no question. */
export type QuestionMode = Extract<
  Mode,
  | { kind: 'confirmDelete' }
  | { kind: 'confirmPartials' }
  | { kind: 'confirmQuit' }
  | { kind: 'confirmReconnect' }
  | { kind: 'confirmSync' }
>;

export type OverwriteMode = Extract<Mode, { kind: 'confirmOverwrite' }>;

export interface Commands {
  /** Runs a browsing command (the mode commands are handled by useKeys). */
  run: (command: Command) => void;
  /** Answers the question `mode` asks. */
  answer: (mode: QuestionMode, yes: boolean) => void;
  /** Answers the overwrite question with one of the `overwrite` scope's commands. */
  answerOverwrite: (mode: OverwriteMode, command: Command) => void;
}

export function useCommands(
  controller: Controller,
  { current, dispatch, message }: ScreenState,
  operations: FileOperations,
  layout: Layout,
): Commands {
  const { exit } = useApp();
  const { load, goParent, copySelection, deleteEntries, refresh, reconnect } = operations;

  function answer(mode: QuestionMode, yes: boolean) {
    dispatch({ type: 'closeMode' });
    if (!yes) {
      if (mode.kind === 'confirmReconnect') {
        message('Not connected. R reconnects; the queue waits.', 'error');
      }
      return;
    }
    if (mode.kind === 'confirmDelete') void deleteEntries(mode.side, mode.folder, mode.entries);
    else if (mode.kind === 'confirmSync') {
      if (!mode.empty) runSync(mode);
    } else if (mode.kind === 'confirmPartials') void removePartials(mode.folder, mode.partials);
    else if (mode.kind === 'confirmQuit') exit();
    else reconnect();
  }

  function answerOverwrite(mode: OverwriteMode, command: Command) {
    const [first, ...rest] = mode.pending;
    if (first === undefined) return dispatch({ type: 'closeMode' });
    let next = rest;
    if (command === 'overwriteYes') controller.enqueue(first);
    else if (command === 'overwriteAll') {
      for (const request of mode.pending) controller.enqueue(request);
      next = [];
    } else if (command === 'overwriteNone') {
      message(`Skipped ${plural(mode.pending.length, 'existing file')}.`);
      next = [];
    } else if (command !== 'overwriteNo') return;
    if (next.length === 0) dispatch({ type: 'closeMode' });
    else dispatch({ type: 'setMode', mode: { kind: 'confirmOverwrite', pending: next } });
  }

  /** Plans a sync of the focused pane's folder onto the other pane's, and asks (dialog). */
  function offerSync(from: 'local' | 'remote') {
    const state = current.current;
    if (state.connection.phase !== 'connected') return message('Not connected.', 'error');
    const direction = from === 'local' ? 'put' : 'get';
    const local = state.panes.local.path;
    const remote = state.panes.remote.path;
    message('Comparing the two folders…');
    controller.sync({ direction, local, remote, dryRun: true }).then(
      (result) => {
        const { plan, summary } = result;
        const actions = [...plan.copy, ...plan.after].map(
          (item) => `${item.action} ${item.path} (${item.reason})`,
        );
        const text = `${summary.created} to create, ${summary.updated} to update, ${summary.unchanged} unchanged, ${formatBytes(summary.bytes)} to move`;
        dispatch({
          type: 'setMode',
          mode: {
            kind: 'confirmSync',
            direction,
            local,
            remote,
            summary: text,
            actions,
            empty: actions.length === 0,
          },
        });
      },
      (error: unknown) => message(describeError(error), 'error'),
    );
  }

  function runSync(mode: Extract<Mode, { kind: 'confirmSync' }>) {
    const { direction, local, remote } = mode;
    message('Syncing…');
    controller.sync({ direction, local, remote }).then(
      (result) => {
        const { summary } = result;
        message(
          `Synced: ${summary.created} created, ${summary.updated} updated, ${formatBytes(result.bytes)} moved.`,
        );
        refresh();
      },
      (error: unknown) => {
        message(describeError(error), 'error');
        refresh();
      },
    );
  }

  /** Looks for partial downloads no transfer will resume in the local pane's folder. */
  function offerPartials() {
    const state = current.current;
    const folder = state.panes.local.path;
    stalePartials(folder, state.transfers).then(
      (partials) => {
        if (partials.length === 0) message(`No partial downloads in ${folder}.`);
        else dispatch({ type: 'setMode', mode: { kind: 'confirmPartials', folder, partials } });
      },
      (error: unknown) => message(describeError(error), 'error'),
    );
  }

  async function removePartials(folder: string, partials: readonly PartialFile[]) {
    const failures: string[] = [];
    for (const partial of partials) {
      await removeLocal(join(folder, partial.name)).catch((error: unknown) => {
        failures.push(describeError(error));
      });
    }
    if (current.current.panes.local.path === folder) load('local', folder);
    const removed = partials.length - failures.length;
    if (failures.length === 0) message(`Removed ${plural(removed, 'partial download')}.`);
    else message(`Removed ${removed}; ${failures[0]}`, 'error');
  }

  function run(command: Command) {
    const state = current.current;
    const side = state.focus === 'queue' ? undefined : state.focus;
    const pane = side === undefined ? undefined : state.panes[side];
    const item = state.focus === 'queue' ? state.transfers[state.queueCursor] : undefined;
    switch (command) {
      case 'up':
        return dispatch({ type: 'move', delta: -1 });
      case 'down':
        return dispatch({ type: 'move', delta: 1 });
      case 'pageUp':
        return dispatch({ type: 'move', delta: -layout.paneRows });
      case 'pageDown':
        return dispatch({ type: 'move', delta: layout.paneRows });
      case 'top':
        return dispatch({ type: 'moveTo', where: 'top' });
      case 'bottom':
        return dispatch({ type: 'moveTo', where: 'bottom' });
      case 'open': {
        if (side === undefined || pane === undefined) return;
        const entry = entryAtCursor(pane);
        if (entry === PARENT_ENTRY) goParent(side);
        else if (entry?.type === 'dir') load(side, joinPath(side, pane.path, entry.name));
        else if (entry !== undefined) message(`"${entry.name}" is not a folder; c copies it.`);
        return;
      }
      case 'parent':
        if (side !== undefined) goParent(side);
        return;
      case 'mark':
        return dispatch({ type: 'toggleMark' });
      case 'markAll':
        return dispatch({ type: 'markAll' });
      case 'clear':
        return dispatch({ type: 'clearSelection' });
      case 'copy':
        if (side !== undefined) copySelection(side);
        return;
      case 'rename': {
        const entry = pane === undefined ? undefined : entryAtCursor(pane);
        if (side === undefined || pane === undefined || entry === undefined) return;
        if (entry === PARENT_ENTRY) return;
        const mode: Mode = {
          kind: 'prompt',
          purpose: 'rename',
          side,
          folder: pane.path,
          original: entry.name,
          value: entry.name,
        };
        return dispatch({ type: 'setMode', mode });
      }
      case 'delete': {
        if (side === undefined || pane === undefined) return;
        const entries = selectedEntries(pane);
        if (entries.length === 0) return;
        return dispatch({
          type: 'setMode',
          mode: { kind: 'confirmDelete', side, folder: pane.path, entries },
        });
      }
      case 'sync':
        if (side === undefined) return;
        return offerSync(side);
      case 'mkdir': {
        if (side === undefined || pane === undefined) return;
        const mode: Mode = {
          kind: 'prompt',
          purpose: 'mkdir',
          side,
          folder: pane.path,
          original: undefined,
          value: '',
        };
        return dispatch({ type: 'setMode', mode });
      }
      case 'filter':
        if (side !== undefined) dispatch({ type: 'setMode', mode: { kind: 'filter' } });
        return;
      case 'refresh':
        return refresh();
      case 'toggleHidden': {
        const shown = !(pane ?? state.panes.local).showHidden;
        dispatch({ type: 'toggleHidden' });
        return message(shown ? 'Showing hidden files.' : 'Hiding hidden files.');
      }
      case 'partials':
        return offerPartials();
      case 'cancel':
        if (item === undefined) return;
        if (item.state === 'queued' || item.state === 'running') {
          controller.transfers.cancel(item.id);
        } else controller.transfers.remove(item.id);
        return;
      case 'retry':
        if (item === undefined) return;
        if (!controller.transfers.retry(item.id)) {
          message('Only failed or cancelled transfers can be retried.', 'error');
        }
        return;
      case 'clearFinished':
        controller.transfers.clearFinished();
        return;
      case 'switchPane':
        return dispatch({ type: 'switchPane' });
      case 'focusLocal':
        return dispatch({ type: 'focus', focus: 'local' });
      case 'focusRemote':
        return dispatch({ type: 'focus', focus: 'remote' });
      case 'focusQueue':
        return dispatch({
          type: 'focus',
          focus: state.focus === 'queue' ? state.lastPane : 'queue',
        });
      case 'help':
        return dispatch({ type: 'setMode', mode: { kind: 'help', scroll: 0 } });
      case 'quit': {
        const active = controller.transfers.active;
        if (active === 0) exit();
        else dispatch({ type: 'setMode', mode: { kind: 'confirmQuit', active } });
        return;
      }
      default:
        // The mode commands (scrolling the help, answering, editing) never reach here.
        return;
    }
  }

  return { run, answer, answerOverwrite };
}
