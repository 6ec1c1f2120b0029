// `cftp tui` at 80×24 in a real pseudo-terminal (@lydell/node-pty, CI removed from the
// environment so Ink draws as on a person's terminal), fed to a headless xterm: with 8 files
// queued (one at a time), the running transfer is on screen in every frame, the hidden items
// are counted (`+N more`), and the footer keeps `t queue` (issue 14).
import { readdir } from 'node:fs/promises';
import { type IPty, spawn } from '@lydell/node-pty';
import xterm from '@xterm/headless';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  CLI,
  cliArgs,
  makeTempDir,
  type RunningServer,
  removeTempDirs,
  startServer,
  writeRandomFile,
} from './helpers.js';

/** An outer bound on one screen appearing, generous for a machine at 4x load. */
const SCREEN_DEADLINE_MS = 60_000;
const COLUMNS = 80;
const ROWS = 24;

let ptys: IPty[] = [];
let servers: RunningServer[] = [];
afterEach(async () => {
  for (const pty of ptys) {
    try {
      pty.kill();
    } catch {
      // already gone
    }
  }
  await Promise.all(servers.map((running) => running.stop()));
  ptys = [];
  servers = [];
});
afterAll(removeTempDirs);

describe('cftp tui queue at 80×24', () => {
  it('keeps the running transfer on screen with 8 items queued', async () => {
    const root = await makeTempDir();
    const local = await makeTempDir();
    for (let i = 1; i <= 8; i++) await writeRandomFile(`${root}/f${i}.bin`, 12 * 1024 * 1024);
    const running = await startServer(root);
    servers.push(running);

    const terminal = new xterm.Terminal({ cols: COLUMNS, rows: ROWS, allowProposedApi: true });
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(process.env)) {
      if (value !== undefined && name !== 'CI') env[name] = value;
    }
    const args = ['tui', '127.0.0.1', String(running.port), '--concurrency', '1'];
    const pty = spawn(process.execPath, [CLI, ...cliArgs(args)], {
      name: 'xterm-256color',
      cols: COLUMNS,
      rows: ROWS,
      cwd: local,
      env: { ...env, TERM: 'xterm-256color' },
    });
    ptys.push(pty);

    const screen = () => {
      const buffer = terminal.buffer.active;
      const lines: string[] = [];
      for (let row = 0; row < ROWS; row++) {
        lines.push(buffer.getLine(buffer.viewportY + row)?.translateToString(true) ?? '');
      }
      return lines.join('\n');
    };
    // Every frame is checked: while the summary says a transfer runs, its row is shown.
    const hidden: string[] = [];
    let seenLate = false;
    let seenMore = false;
    let waiter: { check: () => boolean; resolve: () => void } | undefined;
    pty.onData((data) =>
      terminal.write(data, () => {
        const now = screen();
        if (/Transfers {2}1 running/.test(now) && !/│ get f\d\.bin .* running/.test(now)) {
          hidden.push(now);
        }
        if (/│ get f[5-8]\.bin .* running/.test(now)) seenLate = true;
        if (/\+\d+ more/.test(now)) seenMore = true;
        if (waiter?.check() === true) waiter.resolve();
      }),
    );
    const shows = (what: RegExp) =>
      new Promise<void>((resolve, reject) => {
        if (what.test(screen())) return resolve();
        const timer = setTimeout(
          () => reject(new Error(`waited for ${what}; the screen:\n${screen()}`)),
          SCREEN_DEADLINE_MS,
        );
        waiter = {
          check: () => what.test(screen()),
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
      });

    await shows(/│ {3}f8\.bin/);
    // The footer keeps the way to the queue at 80 columns. A frame can reach the pty in
    // several writes, so wait for the footer rather than reading the screen mid-frame.
    await shows(/t queue/);
    // The remote pane, every file marked, copied down.
    pty.write('2');
    await shows(/║> {2}f1\.bin/);
    pty.write('a');
    await shows(/8 marked/);
    pty.write('c');
    await shows(/Transfers {2}8 done/);
    expect(hidden, `a frame hid the running transfer:\n${hidden[0] ?? ''}`).toEqual([]);
    expect(seenLate).toBe(true);
    expect(seenMore).toBe(true);
    expect((await readdir(local)).sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((i) => `f${i}.bin`));
    pty.write('q');
  });
});
