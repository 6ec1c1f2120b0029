// `cftp tui` for real: the built command in a pseudo-terminal (@lydell/node-pty, 100×30),
// its output fed to a headless xterm so the test reads the screen a person would see. It
// browses into a folder, marks two files, copies them down, uploads one back and deletes
// it after confirming; plus the connect form, resizing, colour and NO_COLOR, CI set, and
// what happens without a terminal.
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TerminalRun } from '@cftp/testkit';
import { describe, expect, it } from 'vitest';
import { makeTempDir, runCli, sha256File, useTerminals, writeRandomFile } from './helpers.js';

const KEY = { tab: '\t', enter: '\r', backspace: '\u007f' };

/** SGR colour parameters (foreground, background, 256-colour): what NO_COLOR must remove. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching escape sequences
const COLOUR_SGR = /\u001b\[(?:\d+;)*(?:3[0-7]|4[0-7]|9[0-7]|38|48)(?:;\d+)*m/;

const terminals = useTerminals();

/** `cftp tui ARGS` in a 100×30 pty (testkit's runner: whole frames, a headless xterm). */
function tui(args: string[], options: { cwd: string; env?: Record<string, string> }): TerminalRun {
  return terminals.cftp(['tui', ...args], options);
}

const server = terminals.server;

describe('cftp tui in a terminal', () => {
  it('browses, copies two files down, uploads one back and deletes it after confirming', async () => {
    const root = await makeTempDir();
    const local = await makeTempDir();
    await mkdir(join(root, 'photos'));
    const a = await writeRandomFile(join(root, 'photos', 'a.bin'), 300 * 1024);
    const b = await writeRandomFile(join(root, 'photos', 'b.bin'), 2 * 1024 * 1024 + 5);
    await writeRandomFile(join(root, 'photos', 'c.bin'), 10);
    const { port } = await server(root);
    const session = tui(['127.0.0.1', String(port)], { cwd: local });

    await session.shows(`127.0.0.1:${port}  connected`);
    await session.shows(/│ {3}photos\/ /);
    expect(session.raw).toMatch(COLOUR_SGR); // colour by default on a colour terminal

    // Into the remote folder.
    session.press(KEY.tab);
    await session.shows(/║> {2}photos\//);
    session.press(KEY.enter);
    await session.shows('Remote  /photos');
    await session.shows(/║ {3}c\.bin/);

    // Mark a.bin and b.bin, copy them to the local folder.
    session.press('j');
    await session.shows(/║> {2}a\.bin/);
    session.press(' ');
    await session.shows(/║> {2}b\.bin/);
    session.press(' ');
    await session.shows('2 marked');
    session.press('c');
    await session.shows(/get a\.bin .* 100% .* done/);
    await session.shows(/get b\.bin .* 100% .* done/);
    await session.shows('Transfers  2 done');
    expect(await sha256File(join(local, 'a.bin'))).toBe(a);
    expect(await sha256File(join(local, 'b.bin'))).toBe(b);
    expect((await readdir(local)).sort()).toEqual(['a.bin', 'b.bin']);

    // Back to the server's root, then upload a.bin from the local pane.
    session.press(KEY.backspace);
    await session.shows(/║> {2}photos\//);
    session.press(KEY.tab);
    await session.shows(/║ {3}a\.bin .*║│/);
    session.press('j');
    await session.shows(/║> {2}a\.bin/);
    session.press('c');
    await session.shows(/put a\.bin .* 100% .* done/);
    await session.shows(/║│ {3}a\.bin/); // the remote pane shows it
    expect(await sha256File(join(root, 'a.bin'))).toBe(a);

    // Delete it on the server, after saying yes.
    session.press(KEY.tab, 'j');
    await session.shows(/│║> {2}a\.bin/);
    session.press('d');
    await session.shows('Delete "a.bin" on the server?');
    session.press('y');
    await session.shows('Deleted "a.bin".');
    expect((await readdir(root)).sort()).toEqual(['photos']);
    expect((await readdir(join(root, 'photos'))).sort()).toEqual(['a.bin', 'b.bin', 'c.bin']);

    session.press('q');
    expect((await session.exited).exitCode).toBe(0);
  });

  it('opens the connect form without an address, and connects from it', async () => {
    const root = await makeTempDir();
    await writeRandomFile(join(root, 'hello.bin'), 1);
    const { port } = await server(root);
    const session = tui([], { cwd: await makeTempDir() });
    await session.shows('Connect to a CFTP server');
    await session.shows('Host     [127.0.0.1');
    session.press(String(port), KEY.enter);
    await session.shows(`127.0.0.1:${port}  connected`);
    await session.shows('hello.bin');
    session.press('q');
    expect((await session.exited).exitCode).toBe(0);
  });

  it('logs in from the connect form: user, masked password (docs/security.md)', async () => {
    const root = await makeTempDir();
    await writeRandomFile(join(root, 'members.bin'), 1);
    const users = join(await makeTempDir(), 'users.json');
    const added = await runCli(['server', 'adduser', users, 'alice'], {
      env: { CFTP_PASSWORD: 'open sesame' },
    });
    expect(added.code).toBe(0);
    const { port } = await server(root, ['--users', users]);
    const session = tui([], { cwd: await makeTempDir() });
    await session.shows('Connect to a CFTP server');
    session.press(String(port), KEY.tab, 'alice', KEY.tab, 'open sesame');
    await session.shows('Password [•••••••••••');
    expect(session.screen()).not.toContain('open sesame');
    session.press(KEY.enter);
    await session.shows('members.bin');
    session.press('q');
    expect((await session.exited).exitCode).toBe(0);
  });

  it('re-lays the screen when the terminal is resized, and renders with CI set', async () => {
    const root = await makeTempDir();
    await writeRandomFile(join(root, 'data.bin'), 1);
    const { port } = await server(root);
    const session = tui(['127.0.0.1', String(port)], { cwd: root, env: { CI: 'true' } });
    await session.shows('data.bin');
    const lastRow = (screen: string) => screen.split('\n').at(-1) ?? '';
    // 100 columns: the long help line (the frame may still be drawing when data.bin shows).
    const wide = await session.until(
      () => lastRow(session.screen()).includes('Tab pane'),
      'the long help line',
    );
    expect(lastRow(wide)).toContain('Tab pane');
    session.resize(80, 24);
    const small = await session.until(() => {
      const rows = session.screen().split('\n');
      return rows[1] === `╔${'═'.repeat(38)}╗┌${'─'.repeat(38)}┐` && /q quit$/.test(rows[23] ?? '');
    }, 'the 80×24 layout');
    expect(small.split('\n').every((row) => row.length <= 80)).toBe(true);
    expect(lastRow(small)).not.toContain('Tab pane');
    session.press('q');
    expect((await session.exited).exitCode).toBe(0);
  });

  it('has no colour with NO_COLOR set, and still shows focus and marks', async () => {
    const root = await makeTempDir();
    await writeRandomFile(join(root, 'x.bin'), 1);
    const { port } = await server(root);
    const session = tui(['127.0.0.1', String(port)], { cwd: root, env: { NO_COLOR: '1' } });
    await session.shows(/║> {2}\.\. .*│ {3}x\.bin/);
    session.press(KEY.tab, ' ');
    await session.shows(/│║>\* x\.bin/);
    expect(session.raw).not.toMatch(COLOUR_SGR);
    session.press('q');
    expect((await session.exited).exitCode).toBe(0);
  });
});

describe('cftp tui without a terminal', () => {
  it('exits 2 and points to cftp client', async () => {
    const result = await runCli(['tui', '127.0.0.1', '2121']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('needs an interactive terminal');
    expect(result.stderr).toContain('cftp client <HOST> <PORT>');
  });
});
