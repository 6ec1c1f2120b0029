// Runs the real `cftp tui` (apps/cli/dist/main.js, under this Node) in a pseudo-terminal
// (100×30) inside a sandbox (HOME: `home/`, working folder: `target/`), through testkit's
// pty runner: the screen a person would see, and every byte the program wrote (escape
// sequences included) to check what reached the terminal raw. Test code.
import { SCREEN_DEADLINE_MS, TerminalRun } from '@cftp/testkit';
import { CFTP_CLI, type Sandbox } from './run-client.js';

export { SCREEN_DEADLINE_MS };

export const COLS = 100;
export const ROWS = 30;

/** `cftp tui ARGS` running in a pty in `sandbox.target`. */
export class TuiRun extends TerminalRun {
  constructor(args: readonly string[], sandbox: Sandbox) {
    super(CFTP_CLI, ['tui', ...args], {
      cwd: sandbox.target,
      cols: COLS,
      rows: ROWS,
      env: { HOME: sandbox.home },
      // CI would make Ink render only the last frame; colour settings would change the
      // stream; XDG_CONFIG_HOME would take the state out of the sandbox.
      dropEnv: ['CI', 'NO_COLOR', 'FORCE_COLOR', 'XDG_CONFIG_HOME'],
    });
  }
}
