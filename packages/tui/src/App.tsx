// The full screen: status bar, the local and remote panes, a message or input line, the
// transfer queue and the help line. State lives in one reducer (state.ts); keys go through
// the key table (keys.ts) to commands, and commands go to the Controller, which does the
// work in the background and reports back with actions. Nothing here waits on the network.

import { EventEmitter } from 'node:events';
import type { Entry } from '@cftp/client';
import { Box, type Key, useApp, useInput, useStdin, useWindowSize } from 'ink';
import { useCallback, useEffect, useReducer, useRef } from 'react';
import { ConfirmDialog } from './ConfirmDialog.js';
import { ConnectForm } from './ConnectForm.js';
import type { ConnectionStatus, Controller } from './controller.js';
import { describeError } from './errors.js';
import { FilePane } from './FilePane.js';
import { HelpLine } from './HelpLine.js';
import { HelpOverlay } from './HelpOverlay.js';
import {
  type Binding,
  type Command,
  commandFor,
  DEFAULT_BINDINGS,
  functionKeyName,
  keyName,
  splitKeys,
} from './keys.js';
import { baseName, displayPath, joinPath, otherSide, parentPath, type Side } from './paths.js';
import { type ConnectionState, StatusBar } from './StatusBar.js';
import {
  type Action,
  type AppState,
  entryAtCursor,
  initialState,
  type Mode,
  PARENT_ENTRY,
  reducer,
  selectedEntries,
} from './state.js';
import { InputLine, Toast } from './Toast.js';
import { TransferQueue } from './TransferQueue.js';
import { editText } from './text-input.js';
import type { TransferItem } from './transfers.js';

export interface AppProps {
  controller: Controller;
  /** The local folder the left pane starts in. */
  localDir: string;
  bindings?: readonly Binding[] | undefined;
  /** A fixed screen size (tests); otherwise the terminal's, following resizes. */
  size?: { columns: number; rows: number } | undefined;
  /** For tests: the time that recent modification times are relative to. */
  now?: number | undefined;
}

export interface Layout {
  columns: number;
  rows: number;
  paneHeight: number;
  leftWidth: number;
  rightWidth: number;
  queueHeight: number;
  /** Entries visible in a pane (a page). */
  paneRows: number;
}

/** Sizes of the screen's parts: the queue gets about a fifth of the rows (3 to 10 items). */
export function layoutFor(columns: number, rows: number): Layout {
  const queueItems = Math.max(3, Math.min(10, Math.floor((rows - 3) / 5)));
  const queueHeight = queueItems + 3;
  // status bar, message line and help line take one row each
  const paneHeight = Math.max(5, rows - 3 - queueHeight);
  const leftWidth = Math.floor(columns / 2);
  return {
    columns,
    rows,
    paneHeight,
    leftWidth,
    rightWidth: columns - leftWidth,
    queueHeight,
    paneRows: Math.max(1, paneHeight - 3),
  };
}

const PHASE_STATES: Record<ConnectionStatus['phase'], ConnectionState> = {
  idle: 'disconnected',
  connecting: 'connecting',
  connected: 'connected',
  disconnected: 'disconnected',
};

/** Ink's stdin context carries the raw input events; function keys are read from there. */
function inputEvents(context: object): EventEmitter | undefined {
  if (!('internal_eventEmitter' in context)) return undefined;
  const emitter = context.internal_eventEmitter;
  return emitter instanceof EventEmitter ? emitter : undefined;
}

/** Calls `handler` with `f1`…`f12` for function keys (useInput reports them without a name). */
function useFunctionKeys(handler: (name: string) => void, active: boolean): void {
  const stdin = useStdin();
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => {
    const emitter = active ? inputEvents(stdin) : undefined;
    if (emitter === undefined) return;
    const onInput = (data: unknown) => {
      const name = typeof data === 'string' ? functionKeyName(data) : undefined;
      if (name !== undefined) latest.current(name);
    };
    emitter.on('input', onInput);
    return () => {
      emitter.off('input', onInput);
    };
  }, [stdin, active]);
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

function dialogFor(mode: Mode): { title: string; lines: string[]; yes: string } | undefined {
  switch (mode.kind) {
    case 'confirmDelete': {
      const where = mode.side === 'remote' ? 'on the server' : 'on this computer';
      const first = mode.entries[0];
      const what =
        mode.entries.length === 1 && first !== undefined
          ? `"${first.name}${first.type === 'dir' ? '/' : ''}"`
          : plural(mode.entries.length, 'entry', 'entries');
      const names = mode.entries
        .slice(0, 4)
        .map((entry) => `  ${entry.name}${entry.type === 'dir' ? '/' : ''}`);
      if (mode.entries.length > 4) names.push(`  … and ${mode.entries.length - 4} more`);
      const lines = mode.entries.length === 1 ? [] : names;
      lines.push(`in ${displayPath(mode.side, mode.folder)}`);
      if (mode.entries.some((entry) => entry.type === 'dir')) {
        lines.push('Folders are deleted only when empty.');
      }
      return { title: `Delete ${what} ${where}?`, lines, yes: 'delete' };
    }
    case 'confirmQuit':
      return {
        title: 'Quit?',
        lines: [
          `${plural(mode.active, 'transfer is', 'transfers are')} still running or queued;`,
          'quitting cancels them.',
        ],
        yes: 'quit',
      };
    case 'confirmReconnect':
      return {
        title: 'Connection lost',
        lines: [
          mode.reason,
          'The queue is kept: unfinished transfers continue after reconnecting.',
        ],
        yes: 'reconnect',
      };
    default:
      return undefined;
  }
}

export function App({ controller, localDir, bindings = DEFAULT_BINDINGS, size, now }: AppProps) {
  const { exit } = useApp();
  const windowSize = useWindowSize();
  const { columns, rows } = size ?? windowSize;
  const layout = layoutFor(columns, rows);
  const [state, reactDispatch] = useReducer(reducer, undefined, () =>
    initialState(localDir, controller.status, controller.transfers.snapshot()),
  );
  // The state with every action applied so far, also those React has not rendered yet: keys
  // that arrive together (Tab, then Enter) each see what the one before did.
  const current = useRef<AppState>(state);
  const dispatch = useCallback((action: Action) => {
    current.current = reducer(current.current, action);
    reactDispatch(action);
  }, []);

  const message = useCallback(
    (text: string, level: 'info' | 'error' = 'info') => dispatch({ type: 'message', text, level }),
    [dispatch],
  );

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

  // The local pane at start; the connection and the queue as they change.
  useEffect(() => {
    load('local', localDir);
  }, [load, localDir]);

  useEffect(() => {
    let lastPhase: ConnectionStatus['phase'] | undefined;
    const onConnection = (status: ConnectionStatus) => {
      const was = lastPhase;
      lastPhase = status.phase;
      dispatch({ type: 'connection', status });
      if (status.phase === 'connected' && was !== 'connected') {
        load('remote', current.current.panes.remote.path);
      } else if (status.phase === 'disconnected' && was === 'connected') {
        const reason = status.error === undefined ? 'closed' : `${status.error.message}`;
        dispatch({ type: 'setMode', mode: { kind: 'confirmReconnect', reason } });
      }
    };
    controller.on('connection', onConnection);
    onConnection(controller.status); // anything that happened before this effect ran
    return () => {
      controller.off('connection', onConnection);
    };
  }, [controller, load, dispatch]);

  useEffect(() => {
    const transfers = controller.transfers;
    const onChange = () => dispatch({ type: 'transfers', items: transfers.snapshot() });
    const onFinished = (item: TransferItem) => {
      const { side, folder } = item.destination;
      if (item.state === 'done') {
        const pane = current.current.panes[side];
        if (pane.path === folder) load(side, folder);
      } else if (item.state === 'failed' && item.error !== undefined) {
        message(
          `${item.direction} ${item.name} failed: ${item.error.message} (${item.error.code})`,
          'error',
        );
      }
    };
    transfers.on('change', onChange);
    transfers.on('finished', onFinished);
    onChange();
    return () => {
      transfers.off('change', onChange);
      transfers.off('finished', onFinished);
    };
  }, [controller, load, message, dispatch]);

  const focusOf = (of: AppState): Side | undefined => (of.focus === 'queue' ? undefined : of.focus);

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
    controller.copy(side, pane.path, entries, target.path).then(
      ({ queued, skipped }) => {
        const where = displayPath(target.side, target.path);
        const text = `Queued ${plural(queued.length, 'transfer')} to ${where}`;
        if (skipped.length === 0) message(`${text}.`);
        else message(`${text}; skipped (not a file or folder): ${skipped.join(', ')}`, 'error');
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

  function confirm(mode: Mode) {
    dispatch({ type: 'closeMode' });
    if (mode.kind === 'confirmDelete') void deleteEntries(mode.side, mode.folder, mode.entries);
    else if (mode.kind === 'confirmQuit') exit();
    else if (mode.kind === 'confirmReconnect') reconnect();
  }

  function refresh() {
    const state = current.current;
    load('local', state.panes.local.path);
    if (state.connection.phase === 'connected') load('remote', state.panes.remote.path);
    else if (state.connection.phase === 'disconnected') reconnect();
  }

  function run(command: Command) {
    const state = current.current;
    const side = focusOf(state);
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
    }
  }

  /** One key press: `name` from the key table's vocabulary, `key` when useInput saw it. */
  function handleKey(name: string | undefined, input: string, key: Key | undefined) {
    const state = current.current;
    const mode = state.mode;
    const focusedSide = focusOf(state);
    switch (mode.kind) {
      case 'help':
        if (name === 'up' || name === 'k') {
          dispatch({
            type: 'setMode',
            mode: { kind: 'help', scroll: Math.max(0, mode.scroll - 1) },
          });
        } else if (name === 'down' || name === 'j') {
          dispatch({ type: 'setMode', mode: { kind: 'help', scroll: mode.scroll + 1 } });
        } else if (name !== undefined) dispatch({ type: 'closeMode' });
        return;
      case 'confirmDelete':
      case 'confirmQuit':
      case 'confirmReconnect':
        if (name === 'y' || name === 'Y') confirm(mode);
        else if (name === 'n' || name === 'N' || name === 'escape' || name === 'ctrl-c') {
          dispatch({ type: 'closeMode' });
          if (mode.kind === 'confirmReconnect') {
            message('Not connected. R reconnects; the queue waits.', 'error');
          }
        }
        return;
      case 'prompt':
      case 'filter': {
        if (key === undefined) return;
        const pane = focusedSide === undefined ? undefined : state.panes[focusedSide];
        const value = mode.kind === 'prompt' ? mode.value : (pane?.filter ?? '');
        const result = editText(value, input, key);
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

  const showForm = !state.everConnected && state.connection.phase !== 'connected';
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
    { isActive: !showForm },
  );
  useFunctionKeys((name) => handleKey(name, '', undefined), !showForm);

  if (showForm) {
    return (
      <Box
        width={columns}
        height={rows}
        flexDirection="column"
        alignItems="center"
        justifyContent="center"
      >
        <ConnectForm
          host={state.connection.host ?? '127.0.0.1'}
          port={state.connection.port === undefined ? '' : String(state.connection.port)}
          connecting={state.connection.phase === 'connecting'}
          error={state.connection.error?.message}
          width={columns}
          onSubmit={(host, port, credentials) => void controller.connect(host, port, credentials)}
          onQuit={() => exit()}
        />
      </Box>
    );
  }

  const { local, remote } = state.panes;
  const running = state.transfers.filter((item) => item.state === 'running');
  const queued = state.transfers.filter((item) => item.state === 'queued').length;
  const throughput = running.reduce((sum, item) => sum + item.rate, 0);
  const phase = state.connection.phase;
  const dialog = dialogFor(state.mode);
  const dialogWidth = Math.min(columns - 4, 66);
  const mode = state.mode;

  let line = <Toast message={state.message} />;
  if (mode.kind === 'prompt') {
    const label =
      mode.purpose === 'rename' ? `Rename "${mode.original ?? ''}" to:` : 'New folder name:';
    line = <InputLine label={label} value={mode.value} />;
  } else if (mode.kind === 'filter' && state.focus !== 'queue') {
    line = <InputLine label="Filter:" value={state.panes[state.focus].filter} />;
  }

  return (
    <Box flexDirection="column" width={columns} height={rows}>
      <StatusBar
        host={state.connection.host ?? ''}
        port={state.connection.port ?? 0}
        state={PHASE_STATES[phase]}
        paths={{
          local: displayPath('local', local.path),
          remote: displayPath('remote', remote.path),
        }}
        transfers={{ running: running.length, queued, throughput }}
        width={columns}
      />
      {mode.kind === 'help' ? (
        <HelpOverlay
          bindings={bindings}
          width={columns}
          height={layout.paneHeight}
          scroll={mode.scroll}
        />
      ) : (
        <Box height={layout.paneHeight} width={columns}>
          <FilePane
            pane={local}
            title="Local"
            focused={state.focus === 'local'}
            width={layout.leftWidth}
            height={layout.paneHeight}
            now={now}
          />
          <FilePane
            pane={remote}
            title="Remote"
            focused={state.focus === 'remote'}
            width={layout.rightWidth}
            height={layout.paneHeight}
            note={phase === 'connected' ? undefined : phase}
            now={now}
          />
          {dialog !== undefined ? (
            <Box
              position="absolute"
              top={1}
              left={Math.max(0, Math.floor((columns - dialogWidth) / 2))}
            >
              <ConfirmDialog
                title={dialog.title}
                lines={dialog.lines}
                yes={dialog.yes}
                width={dialogWidth}
              />
            </Box>
          ) : null}
        </Box>
      )}
      {line}
      <TransferQueue
        items={state.transfers}
        cursor={state.queueCursor}
        focused={state.focus === 'queue'}
        width={columns}
        height={layout.queueHeight}
      />
      <HelpLine
        bindings={bindings}
        area={state.focus === 'queue' ? 'queue' : 'pane'}
        width={columns}
      />
    </Box>
  );
}
