// Folder trees through the engine (getTree/putTree): nested folders, empty folders,
// non-ASCII names, digests and mtimes, and many small files on one session.
import { mkdir, readdir, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eachLimit } from '../src/index.js';
import { sha256File, useFixture, writeRandom } from './helpers.js';

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

describe('getTree / putTree', () => {
  it('round-trips a tree with nested and empty folders and non-ASCII names', async () => {
    const { port, root } = await fx.startServer();
    const source = await fx.tempDir();
    await makeTree(source);
    await symlink('top.bin', join(source, 'link'));
    const client = await fx.connect(port);
    await client.mkdir('up');
    const up = await client.putTree(source, 'up');
    expect(up).toMatchObject({ files: 4, folders: 5, skipped: ['link'] });
    const back = await fx.tempDir();
    const down = await client.getTree('up', join(back, 'copy'));
    expect(down).toMatchObject({ files: 4, folders: 5, bytes: 370_010 });
    const { files, folders } = await snapshot(source);
    expect(await snapshot(join(root, 'up'))).toEqual({ files, folders });
    expect(await snapshot(join(back, 'copy'))).toEqual({ files, folders });
    const deep = join('docs', 'résumé', 'deep', '日本.bin');
    const mtime = new Date('2021-03-04T05:06:07.000Z').getTime();
    expect((await stat(join(root, 'up', deep))).mtimeMs).toBe(mtime);
    expect((await stat(join(back, 'copy', deep))).mtimeMs).toBe(mtime);
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

  it('moves many small files on one session, reporting progress per file', async () => {
    const { port } = await fx.startServer();
    const source = await fx.tempDir();
    await eachLimit(
      Array.from({ length: 200 }, (_, i) => i),
      16,
      async (i) => {
        await writeRandom(join(source, `f${i}.bin`), 4096);
      },
    );
    const client = await fx.connect(port);
    const seen: number[] = [];
    const result = await client.putTree(source, '', {
      onProgress: (p) => {
        seen.push(p.files);
        expect(p.totalFiles).toBe(200);
      },
    });
    expect(result.files).toBe(200);
    expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect((await client.list()).length).toBe(200);
  });
});

describe('eachLimit', () => {
  it('never runs more than the limit at once, and stops at the first failure', async () => {
    let live = 0;
    let most = 0;
    const ran: number[] = [];
    await expect(
      eachLimit([1, 2, 3, 4, 5, 6, 7, 8], 3, async (n) => {
        live++;
        most = Math.max(most, live);
        await new Promise((r) => setImmediate(r));
        live--;
        ran.push(n);
        if (n === 4) throw new Error('four');
      }),
    ).rejects.toThrow('four');
    expect(most).toBe(3);
    expect(ran).not.toContain(8);
  });
});
