// Folder trees through the engine (getTree/putTree): nested folders, empty folders,
// non-ASCII and NFD names, digests and mtimes (the top folder's too), skipped symlinks, many
// small files on one session, byte-level progress, skipExisting, resume with batches, and
// mapError naming what failed.
import { mkdir, readdir, readFile, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import {
  type CftpClient,
  CftpError,
  eachLimit,
  type TransferFailure,
  type TreeProgress,
} from '../src/index.js';
import { partialPathFor } from '../src/transfer.js';
import { partFiles, rejectionOf, sha256File, useFixture, writeRandom } from './helpers.js';

const fx = useFixture();

/** Every file under `dir` with its digest, and every folder, as sorted relative paths. */
async function snapshot(
  dir: string,
): Promise<{ files: Record<string, string>; folders: string[] }> {
  const files: Record<string, string> = {};
  const folders: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const path = relative(dir, join(entry.parentPath, entry.name));
    if (entry.isDirectory()) folders.push(path);
    else if (entry.isFile()) files[path] = await sha256File(join(dir, path));
  }
  return { files, folders: folders.sort() };
}

async function makeTree(dir: string): Promise<void> {
  await mkdir(join(dir, 'docs', 'résumé', 'deep'), { recursive: true });
  await mkdir(join(dir, 'empty'));
  await mkdir(join(dir, 'данные'));
  await writeRandom(join(dir, 'top.bin'), 70_000);
  await writeRandom(join(dir, 'docs', 'a b.txt'), 10);
  await writeRandom(join(dir, 'docs', 'résumé', 'deep', '日本.bin'), 300_000);
  await writeFile(join(dir, 'данные', 'zero'), '');
  const when = new Date('2021-03-04T05:06:07.000Z');
  await utimes(join(dir, 'docs', 'résumé', 'deep', '日本.bin'), when, when);
}

/** Small files `f0.bin`… of `size` bytes in `dir`. */
async function smallFiles(dir: string, count: number, size = 4096): Promise<void> {
  await eachLimit(
    Array.from({ length: count }, (_, i) => i),
    16,
    async (i) => {
      await writeRandom(join(dir, `f${i}.bin`), size);
    },
  );
}

/** Collects the progress reports of a call. */
function recorder() {
  const reports: TreeProgress[] = [];
  return { reports, onProgress: (p: TreeProgress) => reports.push({ ...p }) };
}

/** Counts the requests of each kind a client makes for files. */
function spyTransfers(client: CftpClient) {
  return {
    get: vi.spyOn(client, 'get'),
    put: vi.spyOn(client, 'put'),
    getMany: vi.spyOn(client, 'getMany'),
    putMany: vi.spyOn(client, 'putMany'),
  };
}

describe('getTree / putTree', () => {
  it('round-trips a tree with nested and empty folders and non-ASCII names', async () => {
    const { port, root } = await fx.startServer();
    const source = await fx.tempDir();
    await makeTree(source);
    await symlink('top.bin', join(source, 'link'));
    const client = await fx.connect(port);
    await client.mkdir('up');
    const up = await client.putTree(source, 'up');
    expect(up).toMatchObject({ files: 4, folders: 5, unchanged: 0, failed: [] });
    // A local link is named with its text.
    expect(up.skipped).toEqual([{ name: 'link', type: 'symlink', target: 'top.bin' }]);
    const back = await fx.tempDir();
    const down = await client.getTree('up', join(back, 'copy'));
    expect(down).toMatchObject({ files: 4, folders: 5, bytes: 370_010, skipped: [] });
    const { files, folders } = await snapshot(source);
    expect(await snapshot(join(root, 'up'))).toEqual({ files, folders });
    expect(await snapshot(join(back, 'copy'))).toEqual({ files, folders });
    const deep = join('docs', 'résumé', 'deep', '日本.bin');
    const mtime = new Date('2021-03-04T05:06:07.000Z').getTime();
    expect((await stat(join(root, 'up', deep))).mtimeMs).toBe(mtime);
    expect((await stat(join(back, 'copy', deep))).mtimeMs).toBe(mtime);
    expect(await partFiles(join(back, 'copy'))).toEqual([]);
  });

  it('gives every folder the server’s mtime, the top one included, and skips remote symlinks', async () => {
    const { port, root } = await fx.startServer();
    await mkdir(join(root, 'top', 'sub'), { recursive: true });
    await writeFile(join(root, 'top', 'sub', 'a.txt'), 'a');
    await symlink('sub/a.txt', join(root, 'top', 'link'));
    const times = { top: Date.UTC(2020, 1, 2, 3, 4, 5), sub: Date.UTC(2019, 5, 6, 7, 8, 9) };
    await utimes(join(root, 'top', 'sub'), new Date(), new Date(times.sub));
    await utimes(join(root, 'top'), new Date(), new Date(times.top));
    const client = await fx.connect(port);
    const local = join(await fx.tempDir(), 'copy');
    const result = await client.getTree('top', local);
    expect(result).toMatchObject({
      files: 1,
      folders: 1,
      skipped: [{ name: 'link', type: 'symlink' }],
    });
    expect((await stat(local)).mtimeMs).toBe(times.top);
    expect((await stat(join(local, 'sub'))).mtimeMs).toBe(times.sub);
    expect((await readdir(local)).sort()).toEqual(['sub']);
  });

  it('reads local names as they are and sends them NFC', async () => {
    const { port, root } = await fx.startServer();
    const source = await fx.tempDir();
    const nfd = 'cafe\u0301';
    await mkdir(join(source, nfd));
    const data = await writeRandom(join(source, nfd, `${nfd}.txt`), 1000);
    await writeRandom(join(source, 'plain.txt'), 10);
    const client = await fx.connect(port);
    const result = await client.putTree(source, '');
    expect(result).toMatchObject({ files: 2, folders: 1, bytes: 1010 });
    const nfc = nfd.normalize('NFC');
    expect(await readdir(join(root, nfc))).toEqual([`${nfc}.txt`]);
    expect((await stat(join(root, nfc, `${nfc}.txt`))).size).toBe(data.byteLength);
  });

  it('merges into an existing remote folder, and refuses a file in a folder’s place', async () => {
    const { port, root } = await fx.startServer();
    const source = await fx.tempDir();
    await mkdir(join(source, 'sub'));
    await writeFile(join(source, 'sub', 'new.txt'), 'new');
    await mkdir(join(root, 'dest', 'sub'), { recursive: true });
    await writeFile(join(root, 'dest', 'sub', 'old.txt'), 'old');
    await writeFile(join(root, 'clash'), 'a file');
    const client = await fx.connect(port);
    await client.putTree(source, 'dest');
    expect((await readdir(join(root, 'dest', 'sub'))).sort()).toEqual(['new.txt', 'old.txt']);
    await expect(client.putTree(source, 'clash')).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it('moves many small files in batches, reporting files and bytes as they go', async () => {
    const { port } = await fx.startServer();
    const source = await fx.tempDir();
    await smallFiles(source, 200);
    const client = await fx.connect(port);
    const spies = spyTransfers(client);
    const { reports, onProgress } = recorder();
    const result = await client.putTree(source, '', { onProgress });
    expect(result).toMatchObject({ files: 200, bytes: 200 * 4096 });
    expect(spies.putMany).toHaveBeenCalled();
    expect(spies.putMany.mock.calls.length + spies.put.mock.calls.length).toBeLessThan(20);
    for (const report of reports) {
      expect(report).toMatchObject({ totalFiles: 200, totalBytes: 200 * 4096 });
    }
    const files = reports.map((r) => r.files);
    const bytes = reports.map((r) => r.bytes);
    expect([...files].sort((a, b) => a - b)).toEqual(files);
    expect([...bytes].sort((a, b) => a - b)).toEqual(bytes);
    expect(reports.at(-1)).toMatchObject({ files: 200, bytes: 200 * 4096 });
    expect((await client.list()).length).toBe(200);
  });

  it('reports the bytes of a big file while it moves, both ways', async () => {
    const { port } = await fx.startServer();
    const source = await fx.tempDir();
    const size = 6 * 1024 * 1024 + 5;
    await writeRandom(join(source, 'big.bin'), size);
    await writeRandom(join(source, 'small.txt'), 5);
    const client = await fx.connect(port);
    const during = (reports: TreeProgress[]) =>
      reports.filter((r) => r.current === 'big.bin' && r.bytes > 0 && r.bytes < size);
    const up = recorder();
    await client.putTree(source, 'up', { onProgress: up.onProgress });
    expect(during(up.reports).length).toBeGreaterThan(0);
    expect(up.reports[0]).toMatchObject({ files: 0, totalFiles: 2, totalBytes: size + 5 });
    expect(up.reports.at(-1)).toMatchObject({ files: 2, bytes: size + 5 });
    const down = recorder();
    await client.getTree('up', join(await fx.tempDir(), 'down'), { onProgress: down.onProgress });
    expect(during(down.reports).length).toBeGreaterThan(0);
    expect(down.reports.at(-1)).toMatchObject({ files: 2, bytes: size + 5, totalBytes: size + 5 });
  });

  it('skipExisting leaves out files of the same size and mtime, both ways', async () => {
    const { port, root } = await fx.startServer();
    const source = await fx.tempDir();
    await makeTree(source);
    const client = await fx.connect(port);
    await client.putTree(source, 'up');
    const again = recorder();
    const skip = { skipExisting: 'size-mtime', onProgress: again.onProgress } as const;
    expect(await client.putTree(source, 'up', skip)).toMatchObject({
      files: 0,
      bytes: 0,
      unchanged: 4,
    });
    expect(again.reports).toEqual([]);
    // A touched file and a new one go; the rest stay.
    await utimes(join(source, 'top.bin'), new Date(), new Date(Date.UTC(2024, 0, 1)));
    await writeRandom(join(source, 'docs', 'new.txt'), 33);
    expect(await client.putTree(source, 'up', skip)).toMatchObject({
      files: 2,
      bytes: 70_033,
      unchanged: 3,
    });
    expect(again.reports.at(-1)).toMatchObject({ files: 2, totalFiles: 2, totalBytes: 70_033 });
    expect(await snapshot(join(root, 'up'))).toEqual(await snapshot(source));

    const local = join(await fx.tempDir(), 'down');
    await client.getTree('up', local);
    await writeRandom(join(root, 'up', 'docs', 'a b.txt'), 11);
    const down = await client.getTree('up', local, { skipExisting: 'size-mtime' });
    expect(down).toMatchObject({ files: 1, bytes: 11, unchanged: 4 });
    expect(await snapshot(local)).toEqual(await snapshot(join(root, 'up')));
  });

  it('resume continues a partial download on its own and still batches the other files', async () => {
    const { port, root } = await fx.startServer();
    await mkdir(join(root, 'src'));
    await smallFiles(join(root, 'src'), 10, 50_000);
    const local = join(await fx.tempDir(), 'copy');
    await mkdir(local);
    // An earlier download of f3.bin stopped after 20 000 bytes.
    const f3 = join(root, 'src', 'f3.bin');
    const prefix = (await readFile(f3)).subarray(0, 20_000);
    await writeFile(partialPathFor(join(local, 'f3.bin'), 'src/f3.bin'), prefix);
    const client = await fx.connect(port);
    const spies = spyTransfers(client);
    const result = await client.getTree('src', local, { resume: true });
    expect(result).toMatchObject({ files: 10, bytes: 500_000 - 20_000 });
    expect(spies.get.mock.calls.map((call) => call[0])).toEqual(['src/f3.bin']);
    expect(spies.getMany).toHaveBeenCalled();
    expect(await sha256File(join(local, 'f3.bin'))).toBe(await sha256File(f3));
    expect(await partFiles(local)).toEqual([]);

    const spiesUp = spyTransfers(client);
    await client.putTree(local, 'again', { resume: true });
    expect(spiesUp.putMany).toHaveBeenCalled();
  });

  it('mapError hears what failed and decides what is thrown', async () => {
    const { port, root } = await fx.startServer();
    await writeFile(join(root, 'clash'), 'a file');
    const source = await fx.tempDir();
    await writeFile(join(source, 'x'), 'x');
    const client = await fx.connect(port);
    const seen: TransferFailure[] = [];
    const mapError = (error: unknown, failure: TransferFailure) => {
      seen.push(failure);
      const code = error instanceof CftpError ? error.code : 'EIO';
      return new CftpError(code, `mapped ${failure.step}`);
    };
    const missing = await rejectionOf(
      client.getTree('missing', join(source, 'copy'), { mapError }),
    );
    expect(missing).toMatchObject({ code: 'ENOENT', message: 'mapped list' });
    const clash = await rejectionOf(client.putTree(source, 'clash', { mapError }));
    expect(clash).toMatchObject({ code: 'ENOTDIR', message: 'mapped not-a-folder' });
    expect(seen).toEqual([
      { step: 'list', remote: 'missing' },
      { step: 'not-a-folder', remote: 'clash' },
    ]);
  });
});

describe('symlinks in trees (links option)', () => {
  it('recreate makes the links that stay inside the tree, both ways, and names the rest', async () => {
    const { port, root } = await fx.startServer();
    const source = await fx.tempDir();
    await mkdir(join(source, 'd'));
    await writeFile(join(source, 'a.txt'), 'a');
    await symlink('..', join(source, 'd', 'up'));
    await symlink('../a.txt', join(source, 'd', 'ok'));
    // Lexically inside (d/up/.. is d), really outside once `up` is a link to `..`.
    await symlink('up/..', join(source, 'd', 'chain'));
    await symlink('../../x', join(source, 'd', 'out'));
    const client = await fx.connect(port);
    const up = await client.putTree(source, 'up', { links: 'recreate' });
    expect(up).toMatchObject({ files: 1, links: 2, failed: [] });
    expect(up.skipped).toEqual([
      { name: 'd/chain', type: 'symlink', target: 'up/..', reason: 'outside-tree' },
      { name: 'd/out', type: 'symlink', target: '../../x', reason: 'outside-tree' },
    ]);
    expect((await readdir(join(root, 'up', 'd'))).sort()).toEqual(['ok', 'up']);
    const back = join(await fx.tempDir(), 'back');
    const down = await client.getTree('up', back, { links: 'recreate' });
    expect(down).toMatchObject({ files: 1, links: 2, skipped: [] });
    expect(await readFile(join(back, 'd', 'ok'), 'utf8')).toBe('a');
    expect((await readdir(join(back, 'd'))).sort()).toEqual(['ok', 'up']);
  });
});
