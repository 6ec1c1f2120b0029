// `cftp tui` against a lying server, in a real pseudo-terminal (issue 11): names carrying
// escape sequences, C1 and bidi controls reach the screen escaped, never raw; a download
// that stalls mid-file fails with ETIMEDOUT within the timeout (plus a margin) and the TUI
// still answers keys; endless bytes past the announced size fail with EPROTO and never grow
// a file past that size; an error message with control characters is shown escaped. And a
// full local disk (a real 2 MiB tmpfs, under a real `cftp server`) is a plain "disk full"
// in the queue, never a crash, with no partial file left on the small disk.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  makeTempDir,
  removeTempDirs,
  type ServerProcess,
  startServer,
  writeRandom,
} from '@cftp/testkit';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { unsafeCharacters } from '../src/client-contract.js';
import { KiB, MiB, useClientSuite } from '../src/client-suite.js';
import { dirEntry, fileEntry } from '../src/hostile-server/index.js';
import {
  makeSandbox,
  OUTER_MARGIN_MS,
  recordSizes,
  type Sandbox,
  TIMEOUT_FLAGS,
  TIMEOUT_MS,
} from '../src/run-client.js';
import { TuiRun } from '../src/run-tui.js';

const run = promisify(execFile);
const suite = useClientSuite();

let tuis: TuiRun[] = [];
afterEach(async () => {
  // A TUI a failed case left running: gone before the next case (and before an unmount).
  await Promise.all(tuis.map((session) => session.stop()));
  tuis = [];
});

function tui(port: number, sandbox: Sandbox, extra: readonly string[] = []): TuiRun {
  const started = new TuiRun(
    ['--insecure-plaintext', ...TIMEOUT_FLAGS, ...extra, '127.0.0.1', String(port)],
    sandbox,
  );
  tuis.push(started);
  return started;
}

const KEY = { tab: '\t', enter: '\r' };

/** Payloads a terminal would act on; each must never reach the pty raw. */
const INJECTED = [
  '\u001b]0;title', // OSC: sets the window title
  '\u001b]52;', // OSC 52: writes the clipboard
  '\r\nerror: FAKE', // a forged error line
  '\u009b', // C1 CSI
  '\u0085', // C1 NEL
  '\u202e', // bidi: right-to-left override
  '\u2066', // bidi: left-to-right isolate
];

function rawPayloads(raw: string): string[] {
  return INJECTED.filter((payload) => raw.includes(payload)).map((p) => JSON.stringify(p));
}

/** A line of its own that starts with the forged text. */
const FORGED = /^[\s│║]*error: FAKE/m;
const CRASH = [/Unhandled/, /^\s+at /m, /node:internal/, /TypeError|RangeError/];

/** Files under `dir`, hidden ones included, as they are now. */
async function filesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
}

/** Quits with the quit key (nothing running: no question) and returns the exit code. */
async function quit(session: TuiRun): Promise<number> {
  session.press('q');
  return (await session.exited).exitCode;
}

/** The protocol path of a `list` without leading or trailing slashes (the root is ""). */
const folderOf = (path: string | undefined) => (path ?? '').replace(/^\/+|\/+$/g, '');

describe('cftp tui against a hostile server (a real pty)', () => {
  it('names with escape sequences, C1 and bidi controls: escaped on screen, never raw', async () => {
    const server = await suite.hostile({
      handlers: {
        list: (request, session) => {
          const folder = folderOf(request.path);
          // Refused names are skipped with a warning on the message line; the last one of a
          // listing stays there, so each folder ends with the one whose escape we look for.
          const entries =
            folder === 'bidi'
              ? [fileEntry('iso-\u2066x\u2069-y', 5), fileEntry('rlo-\u202eexe.txt', 5)]
              : [
                  dirEntry('bidi'),
                  fileEntry('good.txt', 5),
                  fileEntry('\r\nerror: FAKE', 5),
                  fileEntry('c1-\u009b31m-\u0085-x', 5),
                  fileEntry('\u001b]0;title\u0007', 5),
                ];
          void session.listing(request.id, entries);
        },
      },
    });
    const sandbox = await makeSandbox();
    const session = tui(server.port, sandbox);
    await session.shows(/│ {3}good\.txt/);
    await session.shows('\\x1b]0;title\\x07');
    session.press(KEY.tab);
    await session.shows(/║> {2}bidi\//);
    session.press(KEY.enter);
    await session.shows('Remote  /bidi');
    await session.shows('\\u202e');
    expect(session.screen()).not.toMatch(FORGED);
    expect(await quit(session)).toBe(0);
    expect(rawPayloads(session.raw)).toEqual([]);
    expect(unsafeCharacters(session.screen())).toEqual([]);
    expect(await filesIn(sandbox.target)).toEqual([]);
  });

  it('a download that stalls mid-file: ETIMEDOUT in the queue in time, the TUI still answers', async () => {
    const bytes = randomBytes(256 * KiB);
    const server = await suite.hostile({
      files: { 'stall.bin': bytes },
      handlers: {
        get: (request, session) =>
          void session.download(request.id, bytes, {
            plan: { kind: 'send', bytes: bytes.subarray(0, 100 * KiB), after: 'hold' },
            done: 'never',
          }),
      },
    });
    const sandbox = await makeSandbox();
    const session = tui(server.port, sandbox);
    await session.shows(/│ {3}stall\.bin/);
    session.press(KEY.tab);
    await session.shows(/║> {2}stall\.bin/);
    const started = performance.now();
    session.press('c');
    await session.shows(/get stall\.bin .* failed ETIMEDOUT/, TIMEOUT_MS + OUTER_MARGIN_MS);
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + OUTER_MARGIN_MS);
    // The message line says what it waited for.
    await session.shows(/error: get stall\.bin failed: .*\(ETIMEDOUT\)/);
    // Still answering: the queue takes the focus and shows the failed item's message.
    session.press('t');
    await session.shows(/║>get stall\.bin .* failed ETIMEDOUT/);
    expect(session.screen()).not.toMatch(/Unhandled|^\s+at /m);
    expect(await quit(session)).toBe(0);
    expect(await filesIn(sandbox.target)).not.toContain('stall.bin');
  });

  it('endless bytes past the announced size: EPROTO, no file ever larger than announced', async () => {
    const announced = 64 * KiB;
    const server = await suite.hostile({
      files: { 'endless.bin': Buffer.alloc(announced) },
      handlers: {
        get: (request, session) =>
          void session.download(request.id, Buffer.alloc(0), {
            size: announced,
            plan: { kind: 'endless' },
            done: 'never',
          }),
      },
    });
    const sandbox = await makeSandbox();
    const largest = new Map<string, number>();
    // Watches the local folder while the TUI runs: the largest size each file ever had.
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        await recordSizes(sandbox.target, largest);
        // A sampling pace for the monitor (as run-client.ts), not a wait for an event.
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    const session = tui(server.port, sandbox);
    try {
      await session.shows(/│ {3}endless\.bin/);
      session.press(KEY.tab);
      await session.shows(/║> {2}endless\.bin/);
      session.press('c');
      await session.shows(/get endless\.bin .* failed EPROTO/, TIMEOUT_MS + OUTER_MARGIN_MS);
      await session.shows(/error: get endless\.bin failed: .*more data than announced/);
      expect(await quit(session)).toBe(0);
    } finally {
      watching = false;
      await watcher;
    }
    await recordSizes(sandbox.target, largest);
    for (const [name, size] of largest) {
      expect(size, `${name} reached ${size} bytes`).toBeLessThanOrEqual(announced);
    }
    expect(await filesIn(sandbox.target)).toEqual([]);
  });

  it('an error code and message with control characters: shown escaped', async () => {
    const message =
      'cannot open "x/\u001b]0;title\u0007" nor "y/\r\nerror: FAKE" \u009b31m \u202eevil';
    const server = await suite.hostile({
      files: { 'x.bin': 'x' },
      handlers: {
        get: (request, session) =>
          session.error(request.id, 'ENOENT\u001b]52;c;ZXZpbA==\u0007', message),
      },
    });
    const sandbox = await makeSandbox();
    const session = tui(server.port, sandbox);
    await session.shows(/│ {3}x\.bin/);
    session.press(KEY.tab);
    await session.shows(/║> {2}x\.bin/);
    session.press('c');
    await session.shows(/get x\.bin .* failed/);
    await session.shows('x/\\x1b]0;title\\x07');
    // The queue's own line for the selected item shows the message escaped as well.
    session.press('t');
    await session.shows(/Transfers .*"y\/\\x0d\\x0aerror: FAKE" \\x9b31m \\u202e/);
    expect(session.screen()).not.toMatch(FORGED);
    expect(await quit(session)).toBe(0);
    expect(rawPayloads(session.raw)).toEqual([]);
    expect(unsafeCharacters(session.screen())).toEqual([]);
    expect(await filesIn(sandbox.target)).toEqual([]);
  });
});

describe('cftp tui with a full local disk (a real 2 MiB tmpfs)', () => {
  const mounted: string[] = [];
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop();
    for (const dir of mounted.splice(0)) await run('umount', [dir]);
    await removeTempDirs();
  });

  it('copying 4 MiB: a plain "disk full" in the queue, no crash, no partial, quits 0', async () => {
    const root = await makeTempDir('cftp-hostile-tui-root-');
    await writeRandom(join(root, 'big.bin'), 4 * MiB);
    server = await startServer(root, ['--quiet']);
    const sandbox = await makeSandbox();
    await run('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', sandbox.target]);
    mounted.push(sandbox.target);

    const session = tui(server.port, sandbox);
    await session.shows(/│ {3}big\.bin/);
    session.press(KEY.tab);
    await session.shows(/║> {2}big\.bin/);
    session.press('c');
    await session.shows(/get big\.bin .* failed ENOSPC/);
    // The line is cut at the screen's width; the queue's row carries the code.
    await session.shows(/^error: get big\.bin failed: local disk full while writing /m);
    // Still running and answering keys.
    session.press('t');
    await session.shows(/║>get big\.bin .* failed ENOSPC/);
    for (const crash of CRASH) expect(session.raw).not.toMatch(crash);
    expect(await quit(session)).toBe(0);
    expect(await filesIn(sandbox.target)).toEqual([]);
  });
});
