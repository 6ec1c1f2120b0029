// @cftp/tui: the full-screen terminal UI for CFTP, built with Ink on the client engine's
// public API. `runTui` is what `cftp tui` calls; the rest of the package is internal (its
// tests import the modules by path).
export type { Credentials, SecurityProvider } from './controller.js';
export type { Binding, BrowseCommand, Command, ModeCommand, Scope } from './keys.js';
// The exit codes runTui resolves with (the CLI's table pins them: apps/cli/test/errors.test.ts).
export { EXIT_NO_TERMINAL, EXIT_OK, runTui, type TuiOptions } from './run.js';
