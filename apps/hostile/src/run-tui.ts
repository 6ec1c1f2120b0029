// Runs the real `cftp tui` (apps/cli/dist/main.js, under this Node) in a pseudo-terminal
// (@lydell/node-pty, 100×30) inside a sandbox (HOME: `home/`, working folder: `target/`),
// its output fed to a headless xterm so a test reads the screen a person would see, and
// keeps every byte the program wrote (escape sequences included) to check what reached the
// terminal raw. Waits are on events (the screen changing), each with a generous outer bound.
// Test code.
import { type IPty, spawn } from '@lydell/node-pty';
import xterm from '@xterm/headless';
import { CFTP_CLI, type Sandbox } from './run-client.js';

/** How long one screen may take to appear (an outer bound for a machine at 4x load). */
export const SCREEN_DEADLINE_MS = 60_000;

export const COLS = 100;
export const ROWS = 30;

interface Waiter {
  check: () => boolean;
  resolve: () => void;
}

/** `cftp tui ARGS` running in a pty in `sandbox.target`. */
export class TuiRun {
  readonly terminal: xterm.Terminal;
  readonly pty: IPty;
  /** Everything the program wrote, escape sequences included. */
  raw = '';
  readonly exited: Promise<{ exitCode: number; signal?: number | undefined }>;
  private waiters: Waiter[] = [];
  private running = true;

  constructor(args: readonly string[], sandbox: Sandbox) {
    this.terminal = new xterm.Terminal({ cols: COLS, rows: ROWS, allowProposedApi: true });
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(process.env)) {
      // CI would make Ink render only the last frame; colour settings would change the stream.
      const dropped = ['CI', 'NO_COLOR', 'FORCE_COLOR', 'XDG_CONFIG_HOME'];
      if (value !== undefined && !dropped.includes(name)) env[name] = value;
    }
    this.pty = spawn(process.execPath, [CFTP_CLI, 'tui', ...args], {
      name: 'xterm-256color',
      cols: COLS,
      rows: ROWS,
      cwd: sandbox.target,
      env: { ...env, HOME: sandbox.home, TERM: 'xterm-256color' },
    });
    this.pty.onData((data) => {
      this.raw += data;
      this.terminal.write(data, () => this.settle());
    });
    this.exited = new Promise((resolve) =>
      this.pty.onExit((status) => {
        this.running = false;
        resolve(status);
      }),
    );
  }

  /** The screen as text, one line per row, trailing spaces removed. */
  screen(): string {
    const buffer = this.terminal.buffer.active;
    const lines: string[] = [];
    for (let row = 0; row < this.terminal.rows; row++) {
      lines.push(buffer.getLine(buffer.viewportY + row)?.translateToString(true) ?? '');
    }
    return lines.join('\n');
  }

  /** Resolves with the screen once it shows `what` (checked after every write). */
  shows(what: string | RegExp, deadlineMs = SCREEN_DEADLINE_MS): Promise<string> {
    const check = () =>
      typeof what === 'string' ? this.screen().includes(what) : what.test(this.screen());
    return this.until(check, `the screen to show ${String(what)}`, deadlineMs);
  }

  /** Resolves with the screen once `check()` holds. */
  until(check: () => boolean, what: string, deadlineMs = SCREEN_DEADLINE_MS): Promise<string> {
    if (check()) return Promise.resolve(this.screen());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter !== entry);
        reject(new Error(`waited ${deadlineMs} ms for ${what}; the screen:\n${this.screen()}`));
      }, deadlineMs);
      const entry: Waiter = {
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve(this.screen());
        },
      };
      this.waiters.push(entry);
    });
  }

  press(...keys: string[]): void {
    for (const key of keys) this.pty.write(key);
  }

  /** Kills the program if it still runs (SIGHUP, then SIGKILL) and waits until it is gone. */
  async stop(): Promise<void> {
    if (!this.running) return; // its pid may already belong to someone else
    const gone = this.exited.then(() => true);
    const kill = (signal: string) => {
      try {
        this.pty.kill(signal);
      } catch {
        // already gone
      }
    };
    kill('SIGHUP');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), 5_000);
    });
    if (!(await Promise.race([gone, late]))) {
      kill('SIGKILL');
      await gone;
    }
    clearTimeout(timer);
  }

  private settle(): void {
    const ready = this.waiters.filter((waiter) => waiter.check());
    this.waiters = this.waiters.filter((waiter) => !ready.includes(waiter));
    for (const waiter of ready) waiter.resolve();
  }
}
