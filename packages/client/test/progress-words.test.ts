// Issue 14 in the engine: a tree walk reports the folders it has scanned (`onScan`), a
// resumed transfer reports its prefix apart (`resumed`) so that no rate counts it, `-n`'s
// `skipExisting: 'any'` leaves out every target that is there, and a data channel's
// failure is said in words: local storage errors as local, network ones without raw codes.
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataFailure } from '../src/data-channel.js';
import type { Progress } from '../src/index.js';
import { useFixture, writeRandom } from './helpers.js';

const fx = useFixture();
const MiB = 1024 * 1024;

async function makeTree(dir: string): Promise<void> {
  for (const folder of ['a', 'a/b', 'c']) await mkdir(join(dir, folder), { recursive: true });
  for (const file of ['top.txt', 'a/one.txt', 'a/b/two.txt', 'c/three.txt']) {
    await writeFile(join(dir, file), `${file}\n`);
  }
}

describe('onScan', () => {
  it('counts the folders walked, one by one, both ways, before any file moves', async () => {
    const { port, root } = await fx.startServer();
    const local = await fx.tempDir();
    await makeTree(join(root, 'tree'));
    await makeTree(join(local, 'up'));
    const client = await fx.connect(port);
    for (const run of [
      (options: object) => client.getTree('tree', join(local, 'down'), options),
      (options: object) => client.putTree(join(local, 'up'), 'up', options),
    ]) {
      const scans: number[] = [];
      let movedBeforeScanEnded = false;
      await run({
        onScan: (folders: number) => scans.push(folders),
        onProgress: () => {
          if (scans.length < 4) movedBeforeScanEnded = true;
        },
      });
      expect(scans).toEqual([1, 2, 3, 4]); // the top, a, a/b, c
      expect(movedBeforeScanEnded).toBe(false);
    }
  });
});

describe('resumed bytes in progress', () => {
  it('are reported apart, and the rate leaves them out', async () => {
    const { port, root } = await fx.startServer();
    const local = await fx.tempDir();
    const source = await writeRandom(join(root, 'big.bin'), 8 * MiB);
    const client = await fx.connect(port);
    // An interrupted download: the first 3 MiB already here as the resumable partial.
    const key = createHash('sha256').update('big.bin').digest('hex').slice(0, 16);
    await writeFile(join(local, `.big.bin.cftp-resume-${key}.part`), source.subarray(0, 3 * MiB));
    const reports: Progress[] = [];
    const result = await client.get('big.bin', join(local, 'big.bin'), {
      resume: true,
      onProgress: (p) => reports.push(p),
    });
    expect(result.resumedFrom).toBe(3 * MiB);
    const last = reports.at(-1)!;
    expect(last.bytes).toBe(8 * MiB);
    expect(last.resumed).toBe(result.resumedFrom);
    for (const p of reports) expect(p.resumed).toBeLessThanOrEqual(p.bytes);
  });
});

describe("skipExisting: 'any' (-n)", () => {
  it('leaves out every target that is there, whatever its content, both ways', async () => {
    const { port, root } = await fx.startServer();
    const local = await fx.tempDir();
    await writeFile(join(root, 'same.txt'), 'remote\n');
    await writeFile(join(root, 'only-remote.txt'), 'r\n');
    await writeFile(join(local, 'same.txt'), 'local, longer\n');
    const client = await fx.connect(port);
    const items = ['same.txt', 'only-remote.txt'].map((name) => ({
      remote: name,
      local: join(local, name),
      size: 0,
      mtime: 0,
    }));
    const got = await client.getFiles(items, { skipExisting: 'any' });
    expect(got).toMatchObject({ files: 1, unchanged: 1 });
    expect(await readFile(join(local, 'same.txt'), 'utf8')).toBe('local, longer\n');
    const put = await client.putFiles(items, { skipExisting: 'any' });
    expect(put).toMatchObject({ files: 0, unchanged: 2 });
    expect(await readFile(join(root, 'same.txt'), 'utf8')).toBe('remote\n');
  });
});

describe('dataFailure', () => {
  const osError = (code: string, message: string) => Object.assign(new Error(message), { code });

  it('says a local storage error as local, with its own code, never EDATA', () => {
    expect(dataFailure(osError('ENOSPC', 'ENOSPC: no space left on device, write'))).toMatchObject({
      code: 'ENOSPC',
      message: 'local no space left on device',
    });
  });
  it('says a network error in words, without its raw code', () => {
    expect(dataFailure(osError('ECONNRESET', 'read ECONNRESET'))).toMatchObject({
      code: 'EDATA',
      message: 'data connection failed: connection reset by the other side',
    });
  });
});
