// The client engine against the real server: handshake (docs/protocol.md §4), list/get/put
// round trips (§6.1–§6.3) verified end to end (§7), progress, and pipelined operations (§3).
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Progress } from '../src/index.js';
import { blake3, partFiles, sha256, sha256File, useFixture, writeRandom } from './helpers.js';

const fx = useFixture();

const MiB = 1024 * 1024;

describe('docs/protocol.md §4 connect', () => {
  it('connects and reports what the server said in welcome', async () => {
    const { port } = await fx.startServer({ maxInFlight: 7, agent: 'test-server/1' });
    const client = await fx.connect(port);
    expect(client.server).toMatchObject({
      version: 1,
      agent: 'test-server/1',
      maxInFlight: 7,
      maxFrameSize: 65536,
    });
    expect(client.server?.features).toContain('sha256');
    expect(client.isClosed).toBe(false);
  });

  it('quits politely: the server sees the session end, the client emits close', async () => {
    const { server, port } = await fx.startServer();
    const client = await fx.connect(port);
    const ended = new Promise<string>((resolve) =>
      server.once('sessionClose', (_session, reason) => resolve(reason)),
    );
    const closed = new Promise<unknown>((resolve) => client.once('close', resolve));
    await client.quit();
    expect(await ended).toBe('quit');
    expect(await closed).toBeUndefined();
    expect(client.isClosed).toBe(true);
  });
});

describe('docs/protocol.md §6 list/get/put round trips', () => {
  it.each([
    ['an empty file', 'empty.bin', 0],
    ['a 1-byte file', 'one.bin', 1],
    ['a 1 MiB file', 'one-mib.bin', MiB],
    ['a 5 MiB random file', 'five-mib.bin', 5 * MiB + 123],
    ['a name with spaces', 'my file name.txt', 1000],
    ['a name with accents', 'résumé ü.txt', 2048],
    ['a CJK name', '日本語.bin', 4096],
  ])('puts, lists and gets back %s intact', async (_what, name, size) => {
    const { port, root } = await fx.startServer();
    const source = await fx.tempDir();
    const target = await fx.tempDir();
    const bytes = await writeRandom(join(source, name), size);
    const client = await fx.connect(port);

    const put = await client.put(join(source, name), name);
    expect(put).toMatchObject({ bytes: size, digest: blake3(bytes), algorithm: 'blake3' });
    expect((await readFile(join(root, name))).equals(bytes)).toBe(true);

    const entries = await client.list('');
    expect(entries).toEqual([expect.objectContaining({ name, type: 'file', size })]);

    const got = await client.get(name, join(target, name));
    expect(got).toMatchObject({ bytes: size, digest: blake3(bytes), algorithm: 'blake3' });
    expect(await sha256File(join(target, name))).toBe(sha256(bytes));
    expect(await readdir(target)).toEqual([name]);
    expect(await partFiles(root)).toEqual([]);
  });

  it('lists folders, files and symlinks with their types and sizes', async () => {
    const { port, root } = await fx.startServer();
    await mkdir(join(root, 'sub'));
    await writeFile(join(root, 'sub', 'inner.txt'), 'inner');
    await writeFile(join(root, 'top.txt'), 'top level');
    const client = await fx.connect(port);
    const entries = await client.list();
    expect(entries.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      expect.objectContaining({ name: 'sub', type: 'dir', size: 0 }),
      expect.objectContaining({ name: 'top.txt', type: 'file', size: 9 }),
    ]);
    expect(await client.list('sub')).toEqual([
      expect.objectContaining({ name: 'inner.txt', size: 5 }),
    ]);
  });

  it('puts into a sub-folder and overwrites an existing remote file whole', async () => {
    const { port, root } = await fx.startServer();
    await mkdir(join(root, 'docs'));
    await writeRandom(join(root, 'docs', 'a.bin'), 2 * MiB);
    const local = join(await fx.tempDir(), 'a.bin');
    const bytes = await writeRandom(local, 1000);
    const client = await fx.connect(port);
    await client.put(local, 'docs/a.bin');
    expect((await readFile(join(root, 'docs', 'a.bin'))).equals(bytes)).toBe(true);
    expect(await readdir(join(root, 'docs'))).toEqual(['a.bin']);
  });

  it('overwrites an existing local file on get', async () => {
    const { port, root } = await fx.startServer();
    const bytes = await writeRandom(join(root, 'f.bin'), 3000);
    const local = join(await fx.tempDir(), 'f.bin');
    await writeRandom(local, MiB);
    const client = await fx.connect(port);
    await client.get('f.bin', local);
    expect((await readFile(local)).equals(bytes)).toBe(true);
  });
});

describe('progress (onProgress)', () => {
  it('reports increasing byte counts on get, ending with the total', async () => {
    const { port, root } = await fx.startServer();
    const size = 5 * MiB + 7;
    await writeRandom(join(root, 'big.bin'), size);
    const client = await fx.connect(port);
    const reports: Progress[] = [];
    await client.get('big.bin', join(await fx.tempDir(), 'big.bin'), {
      onProgress: (progress) => reports.push({ ...progress }),
    });
    expectProgress(reports, size);
  });

  it('reports increasing byte counts on put, ending with the total', async () => {
    const { port } = await fx.startServer();
    const size = 5 * MiB + 7;
    const local = join(await fx.tempDir(), 'big.bin');
    await writeRandom(local, size);
    const client = await fx.connect(port);
    const reports: Progress[] = [];
    await client.put(local, 'big.bin', { onProgress: (progress) => reports.push({ ...progress }) });
    expectProgress(reports, size);
  });
});

function expectProgress(reports: Progress[], size: number): void {
  // At least one report while bytes were still moving (the first chunk reports at once),
  // and the last one with everything.
  expect(reports.length).toBeGreaterThanOrEqual(2);
  expect(reports[0]!.bytes).toBeGreaterThan(0);
  expect(reports[0]!.bytes).toBeLessThan(size);
  for (let i = 1; i < reports.length; i++) {
    expect(reports[i]!.bytes).toBeGreaterThanOrEqual(reports[i - 1]!.bytes);
  }
  const last = reports.at(-1)!;
  expect(last.bytes).toBe(size);
  expect(last.total).toBe(size);
  expect(last.rate).toBeGreaterThan(0);
  expect(reports.every((report) => report.total === size && report.bytes <= size)).toBe(true);
}

describe('docs/protocol.md §3 concurrent operations on one client', () => {
  it('runs five gets at once, each intact', async () => {
    const { port, root } = await fx.startServer();
    const sources = await Promise.all(
      Array.from({ length: 5 }, (_, i) => writeRandom(join(root, `f${i}.bin`), 200_000 + i)),
    );
    const target = await fx.tempDir();
    const client = await fx.connect(port);
    const results = await Promise.all(
      sources.map((_, i) => client.get(`f${i}.bin`, join(target, `f${i}.bin`))),
    );
    for (const [i, bytes] of sources.entries()) {
      expect(results[i]!.digest).toBe(blake3(bytes));
      expect((await readFile(join(target, `f${i}.bin`))).equals(bytes)).toBe(true);
    }
    expect((await readdir(target)).sort()).toEqual(sources.map((_, i) => `f${i}.bin`));
  });

  it('mixes list, get and put at once', async () => {
    const { port, root } = await fx.startServer();
    const remote = await writeRandom(join(root, 'remote.bin'), 100_000);
    const dir = await fx.tempDir();
    const local = await writeRandom(join(dir, 'local.bin'), 150_000);
    const client = await fx.connect(port);
    const [entries, got, put] = await Promise.all([
      client.list(),
      client.get('remote.bin', join(dir, 'copy.bin')),
      client.put(join(dir, 'local.bin'), 'uploaded.bin'),
    ]);
    expect(entries.map((entry) => entry.name)).toContain('remote.bin');
    expect(got.digest).toBe(blake3(remote));
    expect(put.digest).toBe(blake3(local));
    expect((await stat(join(root, 'uploaded.bin'))).size).toBe(150_000);
  });
});
