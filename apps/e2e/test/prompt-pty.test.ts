// The `ftp>` prompt as a person meets it, in a pseudo-terminal (@lydell/node-pty, 80×24)
// read through a headless xterm (issue 14): the banner that says whom you are connected to,
// `clear`, Ctrl-D leaving the shell's prompt on a fresh line, and the progress line of a
// file with a long name keeping its percent, rate and ETA at 80 columns.

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import type { TerminalRun } from '@cftp/testkit';
import { describe, expect, it } from 'vitest';
import { MiB, makeTempDir, sha256File, useTerminals, writeRandomFile } from './helpers.js';

const COLS = 80;
const ROWS = 24;

const terminals = useTerminals();
const serve = terminals.server;

/** `cftp client 127.0.0.1 PORT` in an 80×24 pty (testkit's runner, CI left out). */
function prompt(port: number, cwd: string): TerminalRun {
  const args = ['client', '127.0.0.1', String(port)];
  return terminals.cftp(args, { cwd, cols: COLS, rows: ROWS, dropEnv: ['CI'] });
}

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
    session.press('clear\r');
    // The banner and the command are gone: the fresh prompt is on the first row.
    await session.until(() => session.screen().split('\n')[0] === 'ftp> ', 'a cleared screen');
    expect(session.screen()).not.toContain('connected to');
    session.press('\x04'); // Ctrl-D at an empty prompt: end of input
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
    session.press(`get ${remote}\r`);
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
    session.press('quit\r');
    expect((await session.exited).exitCode).toBe(0);
    expect(await sha256File(join(cwd, name))).toBe(digest);
  });
});
