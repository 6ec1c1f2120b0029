// The `ftp>` prompt as a person meets it, in a pseudo-terminal (@lydell/node-pty, 80×24)
// read through a headless xterm (issue 14): the banner that says whom you are connected to,
// `clear`, Ctrl-D leaving the shell's prompt on a fresh line, and the progress line of a
// file with a long name keeping its percent, rate and ETA at 80 columns.

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { type IPty, spawn } from '@lydell/node-pty';
import xterm from '@xterm/headless';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  CLI,
  cliArgs,
  MiB,
  makeTempDir,
  type RunningServer,
  removeTempDirs,
  sha256File,
  startServer,
  writeRandomFile,
} from './helpers.js';

/** An outer bound on one awaited event, generous for a machine at 4x load. */
const DEADLINE_MS = 60_000;
const COLS = 80;
const ROWS = 24;

/** `cftp client …` in a pty, with the screen as xterm shows it and every byte it wrote. */
class PromptSession {
  readonly terminal = new xterm.Terminal({ cols: COLS, rows: ROWS, allowProposedApi: true });
  readonly pty: IPty;
  raw = '';
  readonly exited: Promise<{ exitCode: number }>;
  private waiters: { check: () => boolean; resolve: () => void }[] = [];

  constructor(args: string[], cwd: string) {
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(process.env)) {
      // CI set would make a program think it has no person to talk to.
      if (value !== undefined && name !== 'CI') env[name] = value;
    }
    this.pty = spawn(process.execPath, [CLI, ...cliArgs(['client', ...args])], {
      name: 'xterm-256color',
      cols: COLS,
      rows: ROWS,
      cwd,
      env: { ...env, TERM: 'xterm-256color' },
    });
    this.pty.onData((data) => {
      this.raw += data;
      this.terminal.write(data, () => this.settle());
    });
    this.exited = new Promise((resolve) => this.pty.onExit(resolve));
  }

  screen(): string {
    const buffer = this.terminal.buffer.active;
    const lines: string[] = [];
    for (let row = 0; row < ROWS; row++) {
      lines.push(buffer.getLine(buffer.viewportY + row)?.translateToString(true) ?? '');
    }
    return lines.join('\n');
  }

  private settle(): void {
    const ready = this.waiters.filter((waiter) => waiter.check());
    this.waiters = this.waiters.filter((waiter) => !ready.includes(waiter));
    for (const waiter of ready) waiter.resolve();
  }

  /** Resolves when `check` holds, checked after every write reaches the terminal. */
  until(check: () => boolean, what: string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`waited for ${what}; the screen:\n${this.screen()}`));
      }, DEADLINE_MS);
      this.waiters.push({
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  shows(what: RegExp): Promise<void> {
    return this.until(() => what.test(this.screen()), `the screen to show ${what}`);
  }

  /** Resolves when what the program wrote, without escape sequences, matches `what`. */
  wrote(what: RegExp): Promise<void> {
    return this.until(() => what.test(stripVTControlCharacters(this.raw)), `output ${what}`);
  }

  /** Everything written so far has reached the terminal's buffer. */
  drained(): Promise<void> {
    return new Promise((resolve) => this.terminal.write('', resolve));
  }

  stop(): void {
    try {
      this.pty.kill();
    } catch {
      // already gone
    }
  }
}

let sessions: PromptSession[] = [];
let servers: RunningServer[] = [];

async function serve(root: string): Promise<RunningServer> {
  const running = await startServer(root);
  servers.push(running);
  return running;
}

function prompt(port: number, cwd: string): PromptSession {
  const session = new PromptSession(['127.0.0.1', String(port)], cwd);
  sessions.push(session);
  return session;
}

afterEach(async () => {
  for (const session of sessions) session.stop();
  await Promise.all(servers.map((running) => running.stop()));
  sessions = [];
  servers = [];
});
afterAll(removeTempDirs);

describe('the ftp> prompt in a terminal (issue 14)', () => {
  it('says whom it is connected to, clears the screen, and ends Ctrl-D on a new line', async () => {
    const root = await makeTempDir();
    const cwd = await makeTempDir();
    const server = await serve(root);
    const session = prompt(server.port, cwd);
    await session.shows(
      new RegExp(`^connected to \\S+ at 127\\.0\\.0\\.1:${server.port} over TLS$`, 'm'),
    );
    await session.shows(/^server certificate SHA256:\S+$/m);
    await session.shows(/^ftp> $/m);
    session.pty.write('clear\r');
    // The banner and the command are gone: the fresh prompt is on the first row.
    await session.until(() => session.screen().split('\n')[0] === 'ftp> ', 'a cleared screen');
    expect(session.screen()).not.toContain('connected to');
    session.pty.write('\x04'); // Ctrl-D at an empty prompt: end of input
    const { exitCode } = await session.exited;
    await session.drained();
    expect(exitCode).toBe(0);
    // The shell's prompt will start at column 0 of the row after `ftp> `.
    const buffer = session.terminal.buffer.active;
    expect(buffer.cursorX).toBe(0);
    expect(buffer.getLine(buffer.baseY + buffer.cursorY - 1)?.translateToString(true)).toBe(
      'ftp> ',
    );
  });

  it('keeps percent, rate and ETA on the progress line at 80 columns with a long name', async () => {
    const root = await makeTempDir();
    const cwd = await makeTempDir();
    const folder = join(root, 'a-folder-with-a-rather-long-name', 'and-another-level-below-it');
    await mkdir(folder, { recursive: true });
    const name = `the-file-with-the-long-descriptive-name-${'x'.repeat(40)}.bin`;
    const size = 8 * MiB; // many chunks: the first drawn line is mid-transfer
    const digest = await writeRandomFile(join(folder, name), size);
    const server = await serve(root);
    const session = prompt(server.port, cwd);
    await session.shows(/^ftp> $/m);
    const remote = `a-folder-with-a-rather-long-name/and-another-level-below-it/${name}`;
    session.pty.write(`get ${remote}\r`);
    await session.wrote(new RegExp(`get ${name}: ${size} bytes in `));
    // Each redraw starts with a cursor move to column 1 (CSI 1 G).
    const drawn = session.raw
      .split('\x1b[1G')
      .map((part) => stripVTControlCharacters(part).replace(/\r?\n[\s\S]*$/, ''))
      .filter((line) => line.startsWith('get ') && line.includes('%'));
    expect(drawn.length).toBeGreaterThan(0);
    for (const line of drawn) {
      expect([...line].length).toBeLessThanOrEqual(COLS - 1);
      expect(line).toMatch(/^get \/a-folder.*….*\.bin {2}/); // shortened in the middle
      expect(line).toMatch(/ \d+% .*\d (?:B|[KMG]iB)\/s/);
    }
    // The first line is drawn at the first bytes, long before the end: it has an ETA.
    expect(drawn[0]).toMatch(/ \d+% .*\/s {2}ETA \d+:\d\d/);
    session.pty.write('quit\r');
    expect((await session.exited).exitCode).toBe(0);
    expect(await sha256File(join(cwd, name))).toBe(digest);
  });
});
