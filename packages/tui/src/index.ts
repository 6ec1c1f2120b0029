// @cftp/tui: the terminal UI for CFTP, built with Ink. For now, only the status bar.
export {
  type ConnectionState,
  formatAddress,
  StatusBar,
  type StatusBarProps,
} from './StatusBar.js';
