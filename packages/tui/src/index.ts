// @cftp/tui: the full-screen terminal UI for CFTP, built with Ink on the client engine's
// public API. `runTui` is what `cftp tui` calls; the parts are exported for reuse and tests.
export { App, type AppProps, type Layout, layoutFor } from './App.js';
export { ConfirmDialog, type ConfirmDialogProps } from './ConfirmDialog.js';
export { ConnectForm, type ConnectFormProps, parsePort } from './ConnectForm.js';
export {
  type ConnectionPhase,
  type ConnectionStatus,
  Controller,
  type ControllerOptions,
  type CopyResult,
  type Credentials,
  type SecurityProvider,
} from './controller.js';
export { describeError, type ErrorInfo, errorInfo } from './errors.js';
export { entryRow, FilePane, type FilePaneProps, paneColumns } from './FilePane.js';
export * from './format.js';
export { fittingItems, HelpLine } from './HelpLine.js';
export { HelpOverlay, helpLines } from './HelpOverlay.js';
export {
  type Binding,
  type Command,
  commandFor,
  DEFAULT_BINDINGS,
  functionKeyName,
  helpLineItems,
  keyLabel,
  keyName,
  NO_KEY,
  remap,
  type Scope,
  splitKeys,
} from './keys.js';
export { listLocal } from './local-fs.js';
export * from './paths.js';
export {
  EXIT_NO_TERMINAL,
  EXIT_OK,
  NO_TERMINAL_MESSAGE,
  runTui,
  type TuiOptions,
} from './run.js';
export {
  type ConnectionState,
  formatActivity,
  formatAddress,
  StatusBar,
  type StatusBarProps,
} from './StatusBar.js';
export { scrollStart } from './scroll.js';
export {
  type Action,
  type AppState,
  entryAtCursor,
  type Focus,
  initialState,
  type Message,
  type Mode,
  newPane,
  PARENT_ENTRY,
  type PaneState,
  reducer,
  selectedEntries,
  sortEntries,
  visibleEntries,
} from './state.js';
export { InputLine, Toast } from './Toast.js';
export {
  etaSeconds,
  fractionDone,
  queueColumns,
  queueRow,
  stateLabel,
  TransferQueue,
  type TransferQueueProps,
} from './TransferQueue.js';
export { type EditResult, editText } from './text-input.js';
export {
  isFinished,
  type TransferDirection,
  type TransferItem,
  type TransferKind,
  type TransferRequest,
  type TransferState,
  Transfers,
  type TransfersEvents,
  type TransfersOptions,
} from './transfers.js';
