// Resumed transfers (docs/protocol.md §6.2, §6.3, §8): the part already there is checked
// against the other side's prefix, only the rest moves, and the whole file is verified.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blake3, partFiles, sha256, useFixture, writeRandom } from './helpers.js';

const fx = useFixture();
const MiB = 1024 * 1024;

/** §8: a client keeps an interrupted download as `.<name>.cftp-resume-<16 hex of sha256(remote)>.part`. */
function clientPartial(dir: string, name: string, remote: string): string {
  const key = createHash('sha256').update(remote).digest('hex').slice(0, 16);
  return join(dir, `.${name}.cftp-resume-${key}.part`);
}

/** §8, §7.1: the server keeps a resumable upload as `.<name>.cftp-resume-<16 hex of put.sha256>.part` (BLAKE3 here). */
function serverPartial(dir: string, name: string, bytes: Uint8Array): string {
  return join(dir, `.${name}.cftp-resume-${blake3(bytes).slice(0, 16)}.part`);
}

describe('docs/protocol.md §6.2 resumed get', () => {
  it('continues from a partial download whose prefix matches', async () => {
    const { port, root } = await fx.startServer();
    const source = await writeRandom(join(root, 'data.bin'), 3 * MiB + 17);
    const target = await fx.tempDir();
    await writeFile(clientPartial(target, 'data.bin', 'data.bin'), source.subarray(0, MiB));
    const client = await fx.connect(port);
    const result = await client.get('data.bin', join(target, 'data.bin'), { resume: true });
    expect(result.resumedFrom).toBe(MiB);
    expect(result.bytes).toBe(source.byteLength - MiB);
    expect(result.digest).toBe(blake3(source));
    expect(sha256(await readFile(join(target, 'data.bin')))).toBe(sha256(source));
    expect(await partFiles(target)).toEqual([]);
  });

  it.each([
    ['a different prefix', (source: Buffer) => Buffer.alloc(1000, 7).fill(source[0]! ^ 1, 0, 1)],
    ['a partial longer than the file', (source: Buffer) => Buffer.concat([source, source])],
  ])('starts over when the partial has %s', async (_, makePartial) => {
    const { port, root } = await fx.startServer();
    const source = await writeRandom(join(root, 'data.bin'), 256 * 1024);
    const target = await fx.tempDir();
    await writeFile(clientPartial(target, 'data.bin', 'data.bin'), makePartial(source));
    const client = await fx.connect(port);
    const result = await client.get('data.bin', join(target, 'data.bin'), { resume: true });
    expect(result.resumedFrom).toBe(0);
    expect(result.bytes).toBe(source.byteLength);
    expect(sha256(await readFile(join(target, 'data.bin')))).toBe(sha256(source));
    expect(await partFiles(target)).toEqual([]);
  });

  it('without `resume` ignores (and replaces) a partial', async () => {
    const { port, root } = await fx.startServer();
    const source = await writeRandom(join(root, 'data.bin'), 100_000);
    const target = await fx.tempDir();
    await writeFile(clientPartial(target, 'data.bin', 'data.bin'), source.subarray(0, 50_000));
    const client = await fx.connect(port);
    const result = await client.get('data.bin', join(target, 'data.bin'));
    expect(result.resumedFrom).toBe(0);
    expect(sha256(await readFile(join(target, 'data.bin')))).toBe(sha256(source));
    expect(await readdir(target)).toEqual(['data.bin']);
  });
});

describe('docs/protocol.md §6.3 resumed put', () => {
  it('continues the server partial whose prefix matches', async () => {
    const { port, root } = await fx.startServer();
    const local = await fx.tempDir();
    const source = await writeRandom(join(local, 'up.bin'), 2 * MiB + 5);
    await writeFile(serverPartial(root, 'up.bin', source), source.subarray(0, MiB));
    const client = await fx.connect(port);
    const result = await client.put(join(local, 'up.bin'), 'up.bin', { resume: true });
    expect(result.resumedFrom).toBe(MiB);
    expect(result.bytes).toBe(source.byteLength - MiB);
    expect(sha256(await readFile(join(root, 'up.bin')))).toBe(sha256(source));
    expect(await partFiles(root)).toEqual([]);
  });

  it('sends it all again when the server partial is not a prefix of the file', async () => {
    const { port, root } = await fx.startServer();
    const local = await fx.tempDir();
    const source = await writeRandom(join(local, 'up.bin'), 300_000);
    const stale = serverPartial(root, 'up.bin', source);
    await writeFile(stale, Buffer.alloc(1000, 0xaa));
    const client = await fx.connect(port);
    const result = await client.put(join(local, 'up.bin'), 'up.bin', { resume: true });
    expect(result.resumedFrom).toBe(0);
    expect(result.bytes).toBe(source.byteLength);
    expect(sha256(await readFile(join(root, 'up.bin')))).toBe(sha256(source));
  });

  it('keeps the partial of an interrupted resumable upload, and removes a corrupt one', async () => {
    const { server, port, root } = await fx.startServer();
    const local = await fx.tempDir();
    const source = await writeRandom(join(local, 'up.bin'), 16 * MiB);
    const client = await fx.connect(port);
    const serverDone = new Promise((resolve) => server.once('operation', resolve));
    const controller = new AbortController();
    await expect(
      client.put(join(local, 'up.bin'), 'up.bin', {
        resume: true,
        signal: controller.signal,
        onProgress: ({ bytes }) => {
          if (bytes > 0) controller.abort();
        },
      }),
    ).rejects.toMatchObject({ code: 'ECANCELED' });
    await serverDone; // the server has finished with the aborted upload (§6.4)
    const names = await readdir(root);
    expect(names.filter((n) => n === 'up.bin')).toEqual([]);
    // Resumable: whatever reached the server's disk stays under the marked name (§8).
    for (const name of names)
      expect(name).toBe(`.up.bin.cftp-resume-${blake3(source).slice(0, 16)}.part`);
    const result = await client.put(join(local, 'up.bin'), 'up.bin', { resume: true });
    expect(result.bytes + result.resumedFrom).toBe(source.byteLength);
    expect(sha256(await readFile(join(root, 'up.bin')))).toBe(sha256(source));
    expect(await partFiles(root)).toEqual([]);
  });
});

describe('docs/protocol.md §4 mtime feature', () => {
  it('gives a download the remote mtime and an upload the local mtime', async () => {
    const { port, root } = await fx.startServer();
    const local = await fx.tempDir();
    await writeRandom(join(root, 'old.bin'), 1000);
    const remoteTime = new Date('2020-02-02T10:20:30.000Z');
    await utimes(join(root, 'old.bin'), remoteTime, remoteTime);
    await writeRandom(join(local, 'mine.bin'), 1000);
    const localTime = new Date('2019-09-09T09:09:09.000Z');
    await utimes(join(local, 'mine.bin'), localTime, localTime);
    const client = await fx.connect(port);
    await client.get('old.bin', join(local, 'old.bin'));
    await client.put(join(local, 'mine.bin'), 'mine.bin');
    expect((await stat(join(local, 'old.bin'))).mtimeMs).toBe(remoteTime.getTime());
    expect((await stat(join(root, 'mine.bin'))).mtimeMs).toBe(localTime.getTime());
  });
});
