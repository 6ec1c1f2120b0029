// The full screen: status bar, the local and remote panes, a message or input line, the
// transfer queue and the help line. State lives in one reducer (state.ts, via
// useScreenState); keys go through the key table (keys.ts) to commands (useKeys,
// useCommands), and commands go to the Controller (useFileOperations), which does the work
// in the background and reports back with actions (useControllerEvents). Nothing here
// waits on the network.

import { Box, useApp, useWindowSize } from 'ink';
import { ConfirmDialog } from './ConfirmDialog.js';
import { ConnectForm } from './ConnectForm.js';
import type { ConnectionStatus, Controller } from './controller.js';
import { dialogFor } from './dialogs.js';
import { FilePane } from './FilePane.js';
import { HelpLine } from './HelpLine.js';
import { HelpOverlay } from './HelpOverlay.js';
import { type Binding, DEFAULT_BINDINGS, keysFor } from './keys.js';
import { layoutFor } from './layout.js';
import { displayPath } from './paths.js';
import { type ConnectionState, StatusBar } from './StatusBar.js';
import { InputLine, Toast } from './Toast.js';
import { TransferQueue } from './TransferQueue.js';
import { useCommands } from './use-commands.js';
import { useControllerEvents } from './use-controller-events.js';
import { useFileOperations } from './use-file-operations.js';
import { useKeys } from './use-keys.js';
import { useScreenState } from './use-screen-state.js';

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

const PHASE_STATES: Record<ConnectionStatus['phase'], ConnectionState> = {
  idle: 'disconnected',
  connecting: 'connecting',
  connected: 'connected',
  disconnected: 'disconnected',
};

export function App({ controller, localDir, bindings = DEFAULT_BINDINGS, size, now }: AppProps) {
  const { exit } = useApp();
  const windowSize = useWindowSize();
  const { columns, rows } = size ?? windowSize;
  const layout = layoutFor(columns, rows);
  const screen = useScreenState(controller, localDir);
  const { state } = screen;
  const operations = useFileOperations(controller, screen);
  useControllerEvents(controller, localDir, screen, operations);
  const commands = useCommands(controller, screen, operations, layout);

  const showForm = !state.everConnected && state.connection.phase !== 'connected';
  useKeys(bindings, screen, operations, commands, !showForm);

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
          bindings={bindings}
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
                keys={{
                  yes: keysFor(bindings, dialog.answers?.yes ?? 'yes'),
                  no: keysFor(bindings, dialog.answers?.no ?? 'no'),
                }}
                extra={dialog.answers?.extra.map(({ command, label }) => ({
                  keys: keysFor(bindings, command),
                  label,
                }))}
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
