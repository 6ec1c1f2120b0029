// The whole screen against a real server, driven by keys through ink-testing-library:
// browsing, marking, copying both ways, delete with confirmation, rename, mkdir, filter,
// help, the queue's cancel/retry/clear, a lost connection, resizing and quitting.
import { EventEmitter } from 'node:events';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { render as renderInk } from 'ink';
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../src/App.js';
import { createFixture, freeFixedPort, sha256File, writeRandom } from './fixture.js';

const fixture = createFixture();
afterEach(cleanup);

const KEY = {
  tab: '\t',
  enter: '\r',
  backspace: '\u007f',
  escape: '\u001b',
  f5: '\u001b[15~',
  f8: '\u001b[19~',
  ctrlU: '\u0015',
};

async function start(
  options: { columns?: number; rows?: number; concurrency?: number; port?: number } = {},
) {
  const server = await fixture.startServer({ port: options.port });
  const local = await fixture.tempDir();
  const controller = await fixture.controller(server.port, { concurrency: options.concurrency });
  const size = { columns: options.columns ?? 100, rows: options.rows ?? 30 };
  const ui = render(<App controller={controller} localDir={local} size={size} />);
  const screen = () => stripVTControlCharacters(ui.lastFrame() ?? '');
  /** Waits until the screen shows `what`; fails with the screen when it does not. */
  const shows = (what: string | RegExp) =>
    vi.waitFor(
      () => {
        const now = screen();
        if (typeof what === 'string' ? !now.includes(what) : !what.test(now)) {
          throw new Error(`screen does not show ${String(what)}:\n${now}`);
        }
      },
      { timeout: 5000, interval: 10 },
    );
  const press = (...keys: string[]) => {
    for (const key of keys) ui.stdin.write(key);
  };
  return { ...server, local, controller, ui, screen, shows, press, size };
}

describe('App: browsing', () => {
  it('shows both folders side by side, folders first, and Tab moves the focus', async () => {
    const t = await start();
    await writeFile(join(t.local, 'notes.txt'), 'n');
    await mkdir(join(t.root, 'photos'));
    await writeFile(join(t.root, 'readme.md'), 'r');
    t.press('R');
    await t.shows(/║Local {2}\/.*║│Remote {2}\/ /);
    await t.shows(/║> {2}\.\. .*║│ {3}photos\//);
    await t.shows('readme.md');
    expect(t.screen()).toContain('cftp  127.0.0.1:');
    expect(t.screen()).toContain('connected');
    t.press(KEY.tab);
    await t.shows(/│ {3}\.\. .*│║> {2}photos\//);
  });

  it('opens a folder with Enter and goes back up onto it with Backspace', async () => {
    const t = await start();
    await mkdir(join(t.root, 'photos'));
    await writeFile(join(t.root, 'photos', 'a.jpg'), 'a');
    await writeFile(join(t.root, 'zz.txt'), 'z');
    t.press('R');
    await t.shows('zz.txt');
    t.press(KEY.tab, KEY.enter);
    await t.shows('Remote  /photos');
    await t.shows(/║ {3}a\.jpg/);
    t.press(KEY.backspace);
    await t.shows(/║> {2}photos\//);
    t.press('l', 'j', 'h');
    await t.shows(/║> {2}photos\//);
  });

  it('filters as you type, Enter keeps the filter and Esc clears it', async () => {
    const t = await start();
    for (const name of ['apple.txt', 'banana.txt', 'cherry.txt']) {
      await writeFile(join(t.local, name), name);
    }
    t.press('R');
    await t.shows('cherry.txt');
    t.press('/', 'a', 'n');
    await t.shows('Filter: an█');
    await t.shows('filter "an"');
    expect(t.screen()).not.toContain('apple.txt');
    t.press(KEY.enter);
    await t.shows(/> {2}banana\.txt/);
    t.press(KEY.escape);
    await t.shows('apple.txt');
    expect(t.screen()).not.toContain('filter "an"');
  });

  it('? shows every key; any other key closes the help', async () => {
    const t = await start();
    t.press('?');
    await t.shows('any other key closes');
    await t.shows('copy the marked entries');
    t.press('x');
    await t.shows('Nothing queued.');
    expect(t.screen()).not.toContain('any other key closes');
  });
});

describe('App: transfers', () => {
  it('marks two files, copies them down, shows them done and writes them to disk', async () => {
    const t = await start();
    await mkdir(join(t.root, 'photos'));
    const a = await writeRandom(join(t.root, 'photos', 'a.jpg'), 200_000);
    await writeRandom(join(t.root, 'photos', 'b.jpg'), 1000);
    const c = await writeRandom(join(t.root, 'photos', 'c.jpg'), 300_000);
    t.press('R');
    await t.shows('photos/');
    t.press(KEY.tab, KEY.enter);
    await t.shows('c.jpg');
    t.press('j', ' ', 'j', ' ');
    await t.shows(/║>\* c\.jpg/);
    await t.shows('2 marked');
    t.press('c');
    await t.shows(/get a\.jpg .* 100% .* done/);
    await t.shows(/get c\.jpg .* 100% .* done/);
    await t.shows('Transfers  2 done');
    expect(await sha256File(join(t.local, 'a.jpg'))).toBe(a);
    expect(await sha256File(join(t.local, 'c.jpg'))).toBe(c);
    expect((await readdir(t.local)).sort()).toEqual(['a.jpg', 'c.jpg']);
    await t.shows(/│ {3}a\.jpg .*│║/); // the local pane was refreshed
  });

  it('uploads the file under the cursor with F5, into the remote folder shown', async () => {
    const t = await start();
    await mkdir(join(t.root, 'inbox'));
    const digest = await writeRandom(join(t.local, 'report.pdf'), 50_000);
    t.press('R');
    await t.shows('report.pdf');
    await t.shows('inbox/');
    t.press(KEY.tab, KEY.enter);
    await t.shows('Remote  /inbox');
    t.press(KEY.tab, 'j');
    await t.shows(/║> {2}report\.pdf/);
    t.press(KEY.f5);
    await t.shows(/put report\.pdf .* done/);
    expect(await sha256File(join(t.root, 'inbox', 'report.pdf'))).toBe(digest);
    await t.shows(/║│ {3}\.\. .*\n.*║│ {3}report\.pdf/);
  });

  it('copies a whole folder down with getTree', async () => {
    const t = await start();
    await mkdir(join(t.root, 'album', 'inner'), { recursive: true });
    const digest = await writeRandom(join(t.root, 'album', 'inner', 'x.bin'), 4000);
    t.press('R');
    await t.shows('album/');
    t.press(KEY.tab, 'c');
    await t.shows(/get album\/ 1\/1 files .* done/);
    expect(await sha256File(join(t.local, 'album', 'inner', 'x.bin'))).toBe(digest);
  });

  it('shows a failed transfer in the queue and as a message, and retries it', async () => {
    const t = await start();
    // Both files before the refresh: once the screen lists both, that is R's listing and no
    // earlier one (from connecting) can still arrive and move the cursor.
    await writeFile(join(t.root, 'soon.txt'), 'soon');
    await writeFile(join(t.root, 'other.txt'), 'x');
    t.press('R');
    await t.shows(/other\.txt[\s\S]*soon\.txt/);
    await import('node:fs/promises').then((fs) => fs.rm(join(t.root, 'soon.txt')));
    t.press(KEY.tab, 'j');
    await t.shows(/>\s+soon\.txt/);
    t.press('c');
    await t.shows(/get soon\.txt .* failed ENOENT/);
    await t.shows(/error: get soon\.txt failed: .*\(ENOENT\)/);
    await writeFile(join(t.root, 'soon.txt'), 'back');
    t.press('t');
    await t.shows('x cancel  r retry');
    t.press('r');
    await t.shows(/get soon\.txt .* done/);
    t.press('C');
    await t.shows('Nothing queued.');
  });
});

describe('App: file operations', () => {
  it('asks before deleting: n keeps the file, y deletes it', async () => {
    const t = await start();
    await writeFile(join(t.root, 'old.log'), 'old');
    t.press('R');
    await t.shows('old.log');
    t.press(KEY.tab, 'd');
    await t.shows('Delete "old.log" on the server?');
    await t.shows('y delete   n / Esc cancel');
    t.press('n');
    await vi.waitFor(() => expect(t.screen()).not.toContain('Delete "old.log"'));
    expect(await readdir(t.root)).toEqual(['old.log']);
    t.press(KEY.f8);
    await t.shows('Delete "old.log" on the server?');
    t.press('y');
    await t.shows('Deleted "old.log".');
    expect(await readdir(t.root)).toEqual([]);
    await t.shows('(empty folder)');
  });

  it('refuses to delete a folder that is not empty, and says so', async () => {
    const t = await start();
    await mkdir(join(t.root, 'full'));
    await writeFile(join(t.root, 'full', 'x'), 'x');
    t.press('R');
    await t.shows('full/');
    t.press(KEY.tab, 'd');
    await t.shows('Folders are deleted only when empty.');
    t.press('y');
    await t.shows('error: folder "/full" is not empty: delete what is inside it first (ENOTEMPTY)');
    expect(await readdir(join(t.root, 'full'))).toEqual(['x']);
  });

  it('renames inline and makes folders, on either side', async () => {
    const t = await start();
    await writeFile(join(t.root, 'draft.txt'), 'd');
    t.press('R');
    await t.shows('draft.txt');
    t.press(KEY.tab, 'r');
    await t.shows('Rename "draft.txt" to: draft.txt█');
    t.press(KEY.ctrlU, 'final.txt', KEY.enter);
    await t.shows(/║> {2}final\.txt/);
    expect(await readdir(t.root)).toEqual(['final.txt']);
    t.press('m');
    await t.shows('New folder name:');
    t.press('n', 'e', 'w', KEY.enter);
    await t.shows(/║> {2}new\//);
    t.press(KEY.tab, 'm', 'here', KEY.enter);
    await t.shows('Created folder "here".');
    expect(await readdir(t.local)).toEqual(['here']);
    t.press('m', 'x', KEY.escape);
    await vi.waitFor(() => expect(t.screen()).not.toContain('New folder name:'));
  });
});

describe('App: connection', () => {
  it('offers to reconnect when the connection is lost, and keeps the queue', async () => {
    // The server restarts on the same port: one outside the ephemeral range, so that no
    // port-0 listener of a parallel test takes it while it is closed.
    const t = await start({ port: await freeFixedPort() });
    await writeFile(join(t.root, 'a.txt'), 'a');
    await writeFile(join(t.root, 'b.txt'), 'b');
    t.press('R');
    await t.shows('b.txt');
    t.press(KEY.tab, 'c');
    await t.shows(/get a\.txt .* done/);
    await t.server.close(0);
    await t.shows('Connection lost');
    await t.shows('y reconnect');
    t.press('n');
    await t.shows('error: Not connected. R reconnects; the queue waits.');
    await t.shows('disconnected');
    // Queued while disconnected: the item waits, and can be cancelled.
    t.press('j', 'c');
    await t.shows(/get b\.txt .* queued/);
    t.press('t', 'j', 'x');
    await t.shows(/get b\.txt .* cancelled/);
    await fixture.startServer({ root: t.root, port: t.port });
    t.press('R');
    await t.shows('Reconnected; the queue goes on.');
    await t.shows(/127\.0\.0\.1:\d+ {2}connected/);
    t.press('r');
    await t.shows(/get b\.txt .* done/);
    await t.shows(/get a\.txt .* done/);
  });

  it('opens on the connect form when not connected, and connects from it', async () => {
    const { port, root } = await fixture.startServer();
    await writeFile(join(root, 'hello.txt'), 'hi');
    const local = await fixture.tempDir();
    const controller = await fixture.controller();
    const ui = render(
      <App controller={controller} localDir={local} size={{ columns: 100, rows: 30 }} />,
    );
    const screen = () => stripVTControlCharacters(ui.lastFrame() ?? '');
    expect(screen()).toContain('Connect to a CFTP server');
    ui.stdin.write(String(port));
    ui.stdin.write(KEY.enter);
    // An outer bound on the connect and the listing, for a machine at 4x load.
    await vi.waitFor(() => expect(screen()).toContain('hello.txt'), { timeout: 10_000 });
    expect(screen()).toContain('connected');
  });
});

describe('App: layout', () => {
  it('fits 80×24 and re-lays the screen when the terminal is resized', async () => {
    const t = await start({ columns: 80, rows: 24 });
    await writeFile(join(t.local, 'file.txt'), 'x');
    t.press('R');
    // Its size, not just its name: the listing made at start-up may have caught the file
    // created and still empty, and the refresh may still be loading.
    await t.shows(/file\.txt +1 /);
    const small = t.screen().split('\n');
    expect(small).toHaveLength(24);
    expect(Math.max(...small.map((line) => [...line].length))).toBe(80);
    expect(small[23]).toMatch(/^Space mark .* q quit$/);
    expect(small[1]).toMatch(/^╔═{38}╗┌─{38}┐$/);

    t.ui.rerender(
      <App controller={t.controller} localDir={t.local} size={{ columns: 160, rows: 50 }} />,
    );
    await vi.waitFor(() => expect(t.screen().split('\n')).toHaveLength(50));
    const large = t.screen().split('\n');
    expect(Math.max(...large.map((line) => [...line].length))).toBe(160);
    expect(large[1]).toMatch(/^╔═{78}╗┌─{78}┐$/);
    await t.shows(/file\.txt +1 \d{4}-\d\d-\d\d \d\d:\d\d/); // full dates when wide
  });
});

/** Ink's own render with TTY-like streams, to see the app exit (ink-testing-library cannot). */
function mount(element: React.ReactElement) {
  class Stdout extends EventEmitter {
    readonly isTTY = true;
    columns = 100;
    rows = 30;
    last = '';
    write = (frame: string, done?: () => void) => {
      if (frame !== '') this.last = frame;
      done?.();
      return true;
    };
  }
  class Stdin extends EventEmitter {
    readonly isTTY = true;
    private data: string | null = null;
    write(data: string) {
      this.data = data;
      this.emit('readable');
    }
    read = () => {
      const data = this.data;
      this.data = null;
      return data;
    };
    setEncoding() {}
    setRawMode() {}
    resume() {}
    pause() {}
    ref() {}
    unref() {}
  }
  const stdout = new Stdout();
  const stdin = new Stdin();
  const instance = renderInk(element, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  return { instance, stdin, screen: () => stripVTControlCharacters(stdout.last) };
}

describe('App: quitting', () => {
  it('q quits at once when nothing is running', async () => {
    const { port } = await fixture.startServer();
    const controller = await fixture.controller(port);
    const app = mount(<App controller={controller} localDir={await fixture.tempDir()} />);
    await vi.waitFor(() => expect(app.screen()).toContain('connected'));
    app.stdin.write('q');
    await app.instance.waitUntilExit();
  });

  it('q asks first while transfers are queued or running; n stays, y quits', async () => {
    const { port, server } = await fixture.startServer();
    const controller = await fixture.controller(port);
    const app = mount(<App controller={controller} localDir={await fixture.tempDir()} />);
    await vi.waitFor(() => expect(app.screen()).toContain('connected'));
    // With the server gone, a new transfer stays queued: there is one for sure.
    await server.close(0);
    await vi.waitFor(() => expect(app.screen()).toContain('Connection lost'));
    app.stdin.write('n');
    controller.transfers.add({
      direction: 'get',
      kind: 'file',
      source: 'x.txt',
      target: join(await fixture.tempDir(), 'x.txt'),
      name: 'x.txt',
      destination: { side: 'local', folder: '/' },
    });
    await vi.waitFor(() => expect(app.screen()).toMatch(/get x\.txt .* queued/));
    app.stdin.write('q');
    await vi.waitFor(() =>
      expect(app.screen()).toContain('1 transfer is still running or queued;'),
    );
    app.stdin.write('n');
    await vi.waitFor(() => expect(app.screen()).not.toContain('Quit?'));
    app.stdin.write('q');
    await vi.waitFor(() => expect(app.screen()).toContain('Quit?'));
    app.stdin.write('y');
    await app.instance.waitUntilExit();
  });
});
