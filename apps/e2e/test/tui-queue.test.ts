// `cftp tui` at 80×24 in a real pseudo-terminal (testkit's runner: CI removed from the
// environment so Ink draws as on a person's terminal, whole frames, a headless xterm): with
// 8 files queued (one at a time), the running transfer is on screen in every frame, the hidden items
// are counted (`+N more`), and the footer keeps `t queue` (issue 14).
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { makeTempDir, useTerminals, writeRandomFile } from './helpers.js';

const COLUMNS = 80;
const ROWS = 24;

const terminals = useTerminals();

describe('cftp tui queue at 80×24', () => {
  it('keeps the running transfer on screen with 8 items queued', async () => {
    const root = await makeTempDir();
    const local = await makeTempDir();
    for (let i = 1; i <= 8; i++) await writeRandomFile(`${root}/f${i}.bin`, 12 * 1024 * 1024);
    const running = await terminals.server(root);

    const args = ['tui', '127.0.0.1', String(running.port), '--concurrency', '1'];
    const session = terminals.cftp(args, { cwd: local, cols: COLUMNS, rows: ROWS });

    // Every whole frame is checked: while the summary says a transfer runs, its row is shown.
    const hidden: string[] = [];
    let seenLate = false;
    let seenMore = false;
    session.onFrame((now) => {
      if (/Transfers {2}1 running/.test(now) && !/│ get f\d\.bin .* running/.test(now)) {
        hidden.push(now);
      }
      if (/│ get f[5-8]\.bin .* running/.test(now)) seenLate = true;
      if (/\+\d+ more/.test(now)) seenMore = true;
    });
    const shows = (what: RegExp) => session.shows(what);

    // The footer keeps the way to the queue at 80 columns (in the same, whole frame).
    expect(await shows(/│ {3}f8\.bin/)).toContain('t queue');
    // The remote pane, every file marked, copied down.
    session.press('2');
    await shows(/║> {2}f1\.bin/);
    session.press('a');
    await shows(/8 marked/);
    session.press('c');
    await shows(/Transfers {2}8 done/);
    expect(hidden, `a frame hid the running transfer:\n${hidden[0] ?? ''}`).toEqual([]);
    expect(seenLate).toBe(true);
    expect(seenMore).toBe(true);
    expect((await readdir(local)).sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((i) => `f${i}.bin`));
    session.press('q');
  });
});
