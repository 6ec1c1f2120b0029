// A full local disk is an error, never a crash (issue 11, point 4; docs/protocol.md §6.2,
// §6.7, §8): the real `cftp` downloads into a REAL 2 MiB tmpfs (we run as root) through
// `get`, `get -r` and `mget` at the prompt. Each run must end with one plain line naming the
// file ("local disk full while writing … (ENOSPC)"), no stack trace, no `Unhandled 'error'
// event`, and no hidden partial files left on the small disk; the prompt goes on to the next
// command.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { MiB, useClientSuite } from '../src/client-suite.js';
import { makeSandbox, type Sandbox, TIMEOUT_FLAGS } from '../src/run-client.js';

const run = promisify(execFile);
const suite = useClientSuite();

/** Sandboxes whose target folder is a mounted tmpfs: unmounted after each case. */
const mounted: string[] = [];
afterEach(async () => {
  for (const dir of mounted.splice(0)) await run('umount', [dir]);
});

/** A sandbox whose working folder is a real tmpfs of 2 MiB. */
async function smallDisk(): Promise<Sandbox> {
  const sandbox = await makeSandbox();
  await run('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', sandbox.target]);
  mounted.push(sandbox.target);
  return sandbox;
}

/** What must never reach the terminal: a Node crash or a stack frame. */
const CRASH = [/Unhandled/, /^\s+at /m, /node:internal/];
const FULL = /local disk full while writing .*\(ENOSPC\)/;

const plain = (command: string, ...rest: string[]) => [
  command,
  '--insecure-plaintext',
  ...TIMEOUT_FLAGS,
  ...rest,
];

/** Everything under `dir` (the tmpfs), hidden partial files included. */
async function leftovers(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => e.name);
}

/** 3 MiB in 200 files of 16 KiB: twice what the disk holds, many sinks open at once. */
function manyFiles(prefix: string): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 200; i++)
    files[`${prefix}f${String(i).padStart(3, '0')}.bin`] = randomBytes(16 * 1024);
  return files;
}

describe('a full local disk (a real 2 MiB tmpfs)', () => {
  it('get: one plain ENOSPC line naming the file, no partial left', async () => {
    const server = await suite.hostile({ files: { 'big.bin': randomBytes(3 * MiB) } });
    const sandbox = await smallDisk();
    const { problems, story } = await suite.run(
      { args: plain('get', `127.0.0.1:${server.port}:/big.bin`), sandbox },
      {
        exit: 'failure',
        says: [FULL, /big\.bin/],
        never: CRASH,
        absent: ['big.bin'],
        partials: 'none',
      },
    );
    expect(problems, story).toEqual([]);
    expect(await leftovers(sandbox.target)).toEqual([]);
  });

  it('get -r: one plain ENOSPC line, no crash, no partials left', async () => {
    const server = await suite.hostile({ files: manyFiles('tree/') });
    const sandbox = await smallDisk();
    const { problems, story, result } = await suite.run(
      { args: plain('get', '-r', `127.0.0.1:${server.port}:/tree`), sandbox },
      { exit: 'failure', says: [FULL], never: CRASH, partials: 'none' },
    );
    expect(problems, story).toEqual([]);
    expect(result.stderr.trim().split('\n'), story).toHaveLength(1);
  });

  it('ftp> mget *: an ENOSPC error, and the session goes on to the next command', async () => {
    const server = await suite.hostile({ files: manyFiles('') });
    const sandbox = await smallDisk();
    const { problems, story } = await suite.run(
      { args: plain('client', '127.0.0.1', String(server.port)), sandbox, input: '-mget *\npwd\n' },
      // `pwd` answers after the failed mget (`-`: the batch goes on): the session survived it.
      { exit: 0, says: [FULL, /ftp> pwd\n\/\n/], never: CRASH, partials: 'none' },
    );
    expect(problems, story).toEqual([]);
  });
});
