// The questions issue 14 adds to the screen, against a real server: a copy onto an existing
// file asks (yes / no / all / none) before it overwrites, on both sides; `.` shows the dot
// files (partial downloads among them); `p` offers to remove stale partials; a get that
// stopped early says where its partial is kept.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../src/App.js';
import { partialNotice } from '../src/partials.js';
import type { TransferItem } from '../src/transfers.js';
import { createFixture } from './fixture.js';

const fixture = createFixture();
afterEach(cleanup);

const PARTIAL = '.big.bin.cftp-resume-0123456789abcdef.part';

async function start() {
  const server = await fixture.startServer();
  const local = await fixture.tempDir();
  const controller = await fixture.controller(server.port);
  const ui = render(
    <App controller={controller} localDir={local} size={{ columns: 100, rows: 30 }} />,
  );
  const screen = () => stripVTControlCharacters(ui.lastFrame() ?? '');
  const shows = (what: string | RegExp, not = false) =>
    vi.waitFor(
      () => {
        const now = screen();
        const found = typeof what === 'string' ? now.includes(what) : what.test(now);
        if (found === not) throw new Error(`screen ${not ? 'shows' : 'lacks'} ${what}:\n${now}`);
      },
      { timeout: 10_000, interval: 10 },
    );
  const press = (...keys: string[]) => {
    for (const key of keys) ui.stdin.write(key);
  };
  return { ...server, local, controller, screen, shows, press };
}

describe('overwrite question', () => {
  it('asks before a download replaces a local file: n keeps it, y replaces it', async () => {
    const t = await start();
    await writeFile(join(t.root, 'a.txt'), 'server');
    await writeFile(join(t.local, 'a.txt'), 'local');
    t.press('R');
    await t.shows(/│ {3}a\.txt/);
    t.press('2', 'c');
    await t.shows('"a.txt" already exists on this computer. Overwrite it?');
    await t.shows('y overwrite   n no   a all   N / Esc none');
    t.press('n');
    await t.shows('already exists', true);
    expect(await readFile(join(t.local, 'a.txt'), 'utf8')).toBe('local');
    expect(t.controller.transfers.snapshot()).toHaveLength(0);
    t.press('c');
    await t.shows('already exists on this computer');
    t.press('y');
    await vi.waitFor(
      async () => expect(await readFile(join(t.local, 'a.txt'), 'utf8')).toBe('server'),
      { timeout: 10_000 },
    );
  });

  it('asks before an upload replaces a remote file: all and none answer for the rest', async () => {
    const t = await start();
    for (const name of ['a', 'b', 'c']) {
      await writeFile(join(t.local, name), `new ${name}`);
      await writeFile(join(t.root, name), `old ${name}`);
    }
    await writeFile(join(t.local, 'd'), 'new d');
    t.press('R');
    await t.shows(/║ {3}d /);
    t.press('a', 'c');
    await t.shows('"a" already exists on the server. Overwrite it?');
    await t.shows('2 more existing files after this one.');
    t.press('n');
    await t.shows('"b" already exists on the server');
    t.press('N');
    await t.shows('Skipped 2 existing files.');
    await vi.waitFor(async () => expect(await readFile(join(t.root, 'd'), 'utf8')).toBe('new d'), {
      timeout: 10_000,
    });
    for (const name of ['a', 'b', 'c']) {
      expect(await readFile(join(t.root, name), 'utf8')).toBe(`old ${name}`);
    }
    await t.controller.transfers.idle();
    t.press('a', 'c');
    await t.shows('"a" already exists on the server');
    t.press('A');
    await t.shows('already exists', true);
    await vi.waitFor(
      async () => {
        for (const name of ['a', 'b', 'c', 'd']) {
          expect(await readFile(join(t.root, name), 'utf8')).toBe(`new ${name}`);
        }
      },
      { timeout: 10_000 },
    );
  });
});

describe('hidden files and partial downloads', () => {
  it('hides dot files until `.` shows them, partials included', async () => {
    const t = await start();
    await writeFile(join(t.local, 'big.bin'), 'x');
    await writeFile(join(t.local, PARTIAL), 'partial');
    await writeFile(join(t.local, '.profile'), 'p');
    t.press('R');
    await t.shows(/║ {3}big\.bin/);
    expect(t.screen()).not.toContain('.profile');
    expect(t.screen()).not.toContain('cftp-resume');
    t.press('.');
    await t.shows('.profile');
    await t.shows('.big.bin.cftp-resume-');
    await t.shows('Showing hidden files.');
    t.press('.');
    await t.shows('.profile', true);
  });

  it('offers to remove stale partials with p, and removes them after y', async () => {
    const t = await start();
    await mkdir(join(t.local, 'keep'));
    await writeFile(join(t.local, PARTIAL), Buffer.alloc(2048));
    t.press('R');
    await t.shows(/║ {3}keep\//);
    t.press('p');
    await t.shows('Remove 1 partial download (2.0 KiB)?');
    await t.shows(`${PARTIAL}  2.0 KiB`);
    t.press('n');
    await t.shows('Remove 1 partial', true);
    expect(await readdir(t.local)).toContain(PARTIAL);
    t.press('p');
    await t.shows('Remove 1 partial download');
    t.press('y');
    await t.shows('Removed 1 partial download.');
    expect(await readdir(t.local)).toEqual(['keep']);
    t.press('p');
    await t.shows(`No partial downloads in ${t.local}.`);
  });

  it('says where a stopped get kept its partial and how to resume', async () => {
    const local = await fixture.tempDir();
    await writeFile(join(local, PARTIAL), Buffer.alloc(3 * 1024 * 1024));
    const stopped: TransferItem = {
      id: 1,
      direction: 'get',
      kind: 'file',
      source: 'dl/big.bin',
      target: join(local, 'big.bin'),
      name: 'big.bin',
      size: 10 * 1024 * 1024,
      destination: { side: 'local', folder: local },
      state: 'cancelled',
      bytes: 3 * 1024 * 1024,
      total: 10 * 1024 * 1024,
      rate: 0,
      files: 0,
      totalFiles: undefined,
      error: undefined,
      interrupted: false,
      attempts: 1,
    };
    expect(await partialNotice(stopped)).toBe(
      `partial kept: 3.0 MiB in ${join(local, '.big.bin.cftp-resume-')}….part; ` +
        'r (retry) or "get -c dl/big.bin" resumes',
    );
    expect(await partialNotice({ ...stopped, state: 'done' })).toBeUndefined();
    expect(await partialNotice({ ...stopped, name: 'other.bin', target: join(local, 'o') })).toBe(
      undefined,
    );
  });
});
