// A program in a real pseudo-terminal (@lydell/node-pty), its output fed to a headless xterm
// so a test reads the screen a person would see, and keeps every byte the program wrote
// (escape sequences included). The one pty runner of the e2e and hostile suites. Test code.
//
// Waits are on events: every check runs when a write has reached the terminal's buffer, with a
// generous outer bound. A check never sees half a frame: Ink brackets each frame in
// "synchronized output" (DEC mode 2026, `ESC[?2026h` … `ESC[?2026l`), and the pty may deliver
// one frame in several reads; checks wait for the bracket to close, as a terminal that
// supports the mode would before it paints. (Output without the brackets, e.g. Ink with CI
// set, or the ftp> prompt, is checked after every write.)
import { stripVTControlCharacters } from 'node:util';
import { type IPty, spawn } from '@lydell/node-pty';
import xterm from '@xterm/headless';
import { CFTP_CLI } from './launch.js';

/** How long one awaited screen may take to appear: an outer bound for a machine at 4x load. */
export const SCREEN_DEADLINE_MS = 60_000;

const BEGIN_SYNC = '\u001b[?2026h';
const END_SYNC = '\u001b[?2026l';

export interface TerminalOptions {
  cwd: string;
  cols?: number;
  rows?: number;
  /** Added to (and overriding) the inherited environment. */
  env?: Record<string, string>;
  /**
   * Inherited variables left out. Default: CI (Ink would draw only the last frame, and a
   * program would think no person is there), NO_COLOR and FORCE_COLOR (they change the stream).
   */
  dropEnv?: readonly string[];
}

interface Waiter {
  check: () => boolean;
  resolve: () => void;
}

/** `node FILE ARGS` running in a pty of `cols`×`rows` (default 100×30), TERM xterm-256color. */
export class TerminalRun {
  readonly terminal: xterm.Terminal;
  readonly pty: IPty;
  /** Everything the program wrote, escape sequences included. */
  raw = '';
  readonly exited: Promise<{ exitCode: number; signal?: number | undefined }>;
  private waiters: Waiter[] = [];
  private frameListeners: ((screen: string) => void)[] = [];
  private running = true;
  /** Inside a synchronized update, as of the last byte received. */
  private inFrame = false;
  /** The last bytes received, so a bracket split across two reads is still seen. */
  private tail = '';

  constructor(file: string, args: readonly string[], options: TerminalOptions) {
    const cols = options.cols ?? 100;
    const rows = options.rows ?? 30;
    this.terminal = new xterm.Terminal({ cols, rows, allowProposedApi: true });
    const dropped = options.dropEnv ?? ['CI', 'NO_COLOR', 'FORCE_COLOR'];
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(process.env)) {
      if (value !== undefined && !dropped.includes(name)) env[name] = value;
    }
    this.pty = spawn(process.execPath, [file, ...args], {
      name: 'xterm-256color',
      cols,
      rows,
      cwd: options.cwd,
      env: { ...env, TERM: 'xterm-256color', ...options.env },
    });
    this.pty.onData((data) => {
      this.raw += data;
      const complete = this.track(data);
      this.terminal.write(data, () => {
        if (complete) this.settle();
      });
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

  /** Resolves with the screen once it shows `what`. */
  shows(what: string | RegExp, deadlineMs = SCREEN_DEADLINE_MS): Promise<string> {
    const check = () =>
      typeof what === 'string' ? this.screen().includes(what) : what.test(this.screen());
    return this.until(check, `the screen to show ${String(what)}`, deadlineMs);
  }

  /** Resolves once what the program wrote, escape sequences removed, matches `what`. */
  wrote(what: RegExp, deadlineMs = SCREEN_DEADLINE_MS): Promise<string> {
    const plain = () => stripVTControlCharacters(this.raw);
    return this.until(() => what.test(plain()), `output ${what}`, deadlineMs);
  }

  /** Resolves with the first match of `pattern` in what the program wrote (raw, as sent). */
  async output(pattern: RegExp, deadlineMs = SCREEN_DEADLINE_MS): Promise<RegExpExecArray> {
    const found: RegExpExecArray[] = [];
    const check = () => {
      const match = pattern.exec(this.raw);
      if (match !== null) found.push(match);
      return match !== null;
    };
    await this.until(check, `output ${pattern}`, deadlineMs);
    const [match] = found;
    if (match === undefined) throw new Error(`no ${pattern} in the output`); // until() saw one
    return match;
  }

  /** Resolves with the screen once `check()` holds (checked on whole frames). */
  until(check: () => boolean, what: string, deadlineMs = SCREEN_DEADLINE_MS): Promise<string> {
    if (!this.inFrame && check()) return Promise.resolve(this.screen());
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

  /** Calls `listener` with every whole frame (every settled screen) from now on. */
  onFrame(listener: (screen: string) => void): void {
    this.frameListeners.push(listener);
  }

  /** Everything received so far has reached the terminal's buffer. */
  drained(): Promise<void> {
    return new Promise((resolve) => this.terminal.write('', resolve));
  }

  press(...keys: string[]): void {
    for (const key of keys) this.pty.write(key);
  }

  resize(cols: number, rows: number): void {
    this.terminal.resize(cols, rows);
    this.pty.resize(cols, rows);
  }

  /** Sends `signal` to the program if it still runs. */
  kill(signal?: string): void {
    if (!this.running) return; // its pid may already belong to someone else
    try {
      this.pty.kill(signal);
    } catch {
      // already gone
    }
  }

  /** Stops the program if it still runs (SIGHUP, then SIGKILL) and waits until it is gone. */
  async stop(): Promise<void> {
    if (!this.running) return;
    const gone = this.exited.then(() => true);
    this.kill('SIGHUP');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), 5_000);
    });
    if (!(await Promise.race([gone, late]))) {
      this.kill('SIGKILL');
      await gone;
    }
    clearTimeout(timer);
  }

  /** Follows the synchronized-update brackets; true when `data` leaves no frame open. */
  private track(data: string): boolean {
    const seen = this.tail + data;
    const begin = seen.lastIndexOf(BEGIN_SYNC);
    const end = seen.lastIndexOf(END_SYNC);
    if (begin > end) this.inFrame = true;
    else if (end > begin) this.inFrame = false;
    this.tail = seen.slice(-(BEGIN_SYNC.length - 1));
    return !this.inFrame;
  }

  private settle(): void {
    if (this.frameListeners.length > 0) {
      const now = this.screen();
      for (const listener of this.frameListeners) listener(now);
    }
    const ready = this.waiters.filter((waiter) => waiter.check());
    this.waiters = this.waiters.filter((waiter) => !ready.includes(waiter));
    for (const waiter of ready) waiter.resolve();
  }
}

/** `cftp ARGS` (the built apps/cli) in a pty; see TerminalRun. */
export function cftpInTerminal(args: readonly string[], options: TerminalOptions): TerminalRun {
  return new TerminalRun(CFTP_CLI, args, options);
}
