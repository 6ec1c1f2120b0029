// Folder trees and many files: `put -r` / `get -r` round trip a tree with nested folders, an
// empty folder and non-ASCII names (compared by SHA-256, mtimes kept both ways), `-c` skips
// what an earlier run finished, and `mget` / `mput` take glob patterns.
import { lstat, mkdir, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  KiB,
  makeTempDir,
  partFiles,
  runClient,
  sha256File,
  useServer,
  writeRandomFile,
} from './helpers.js';

const cftp = useServer();
let base: string;

beforeEach(async () => {
  base = await makeTempDir();
});

interface Snapshot {
  /** Relative path → 'dir' or the file's SHA-256. */
  content: Record<string, string>;
  /** Relative path → mtime in whole milliseconds (files only). */
  mtimes: Record<string, number>;
}

/** Every folder and file under `dir`, files by digest and mtime. */
async function snapshot(dir: string): Promise<Snapshot> {
  const content: Record<string, string> = {};
  const mtimes: Record<string, number> = {};
  for (const entry of (await readdir(dir, { recursive: true })).sort()) {
    const path = join(dir, entry);
    const rel = relative(dir, path).split(sep).join('/');
    const info = await lstat(path);
    if (info.isDirectory()) content[rel] = 'dir';
    else {
      content[rel] = await sha256File(path);
      mtimes[rel] = Math.trunc(info.mtimeMs);
    }
  }
  return { content, mtimes };
}

/** A tree: nested folders, an empty one, non-ASCII names, sizes from 0 to 300 KiB. */
async function makeTree(dir: string): Promise<void> {
  const files: [string, number][] = [
    ['top.txt', 10],
    ['empty-file', 0],
    ['docs/report 2025.pdf', 300 * KiB],
    ['docs/résumé.txt'.normalize('NFC'), 2 * KiB],
    ['docs/deep/deeper/日本語.bin', 33 * KiB + 7],
    ['данные/file-1.csv', 1234],
  ];
  await mkdir(join(dir, 'empty folder'), { recursive: true });
  let when = Date.UTC(2021, 0, 2, 3, 4, 5, 678);
  for (const [rel, size] of files) {
    await mkdir(join(dir, rel, '..'), { recursive: true });
    await writeRandomFile(join(dir, rel), size);
    when += 86_400_000;
    await utimes(join(dir, rel), new Date(when), new Date(when));
  }
}

describe('put -r and get -r', () => {
  it('round trip a tree byte for byte, with its empty folder and names, keeping mtimes', async () => {
    const source = join(base, 'tree');
    await makeTree(source);
    const original = await snapshot(source);

    const put = await runClient(cftp.server.port, ['put -r tree'], base);
    expect(put.stderr).toBe('');
    expect(put.code).toBe(0);
    expect(put.stdout).toMatch(/^put -r .*tree -> \/tree: 6 files, 6 folders, \d+ bytes in /m);
    expect(await snapshot(join(cftp.root, 'tree'))).toEqual(original);

    const target = join(base, 'back');
    await mkdir(target);
    const get = await runClient(cftp.server.port, ['get -r tree copy'], target);
    expect(get.stderr).toBe('');
    expect(get.code).toBe(0);
    expect(get.stdout).toMatch(/^get -r \/tree -> .*copy: 6 files, 6 folders, \d+ bytes in /m);
    expect(await snapshot(join(target, 'copy'))).toEqual(original);
    // Folders get the server's mtimes too, after their files were written.
    const serverDocs = await stat(join(cftp.root, 'tree', 'docs'));
    const localDocs = await stat(join(target, 'copy', 'docs'));
    expect(Math.trunc(localDocs.mtimeMs)).toBe(Math.trunc(serverDocs.mtimeMs));

    expect(await partFiles(cftp.root)).toEqual([]);
    expect(await partFiles(target)).toEqual([]);
  });

  it('from a sub folder, into an existing tree (merged), and -c skips what is already there', async () => {
    const source = join(base, 'tree');
    await makeTree(source);
    await mkdir(join(cftp.root, 'backups', 'tree'), { recursive: true });
    const first = await runClient(cftp.server.port, ['cd backups', 'put -r tree'], base);
    expect(first.code).toBe(0);
    expect((await snapshot(join(cftp.root, 'backups', 'tree'))).content).toEqual(
      (await snapshot(source)).content,
    );

    await writeRandomFile(join(source, 'new.bin'), 5 * KiB);
    const again = await runClient(cftp.server.port, ['cd backups', 'put -r -c tree'], base);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/: 1 file, .*; 6 already complete$/m);
    expect(await snapshot(join(cftp.root, 'backups', 'tree'))).toEqual(await snapshot(source));
  });

  it('a file given to -r is copied as a file; a folder without -r is EISDIR', async () => {
    await writeFile(join(base, 'one.txt'), 'one');
    await mkdir(join(base, 'dir'));
    const ok = await runClient(cftp.server.port, ['put -r one.txt'], base);
    expect(ok.code).toBe(0);
    const refused = await runClient(cftp.server.port, ['put dir'], base);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/\(EISDIR\)\n$/);
    expect(await readdir(cftp.root)).toEqual(['one.txt']);
  });
});

describe('mget and mput with patterns', () => {
  it('mput uploads the local matches, mget downloads the remote ones', async () => {
    const out = join(base, 'out');
    const back = join(base, 'back');
    await mkdir(out);
    await mkdir(back);
    const digests = new Map<string, string>();
    for (const name of ['a.log', 'b.log', 'c.txt', 'ü.log'.normalize('NFC'), '.hidden.log']) {
      digests.set(name, await writeRandomFile(join(out, name), 1000 + name.length));
    }
    const put = await runClient(cftp.server.port, ['mkdir logs', 'cd logs', 'mput *.log c.*'], out);
    expect(put.stderr).toBe('');
    expect(put.code).toBe(0);
    expect(put.stdout).toMatch(/^mput \*\.log c\.\*: 4 files, /m);
    expect((await readdir(join(cftp.root, 'logs'))).sort()).toEqual([
      'a.log',
      'b.log',
      'c.txt',
      'ü.log',
    ]);

    const get = await runClient(cftp.server.port, ['mget logs/?.log logs/c.txt'], back);
    expect(get.stderr).toBe('');
    expect(get.code).toBe(0);
    expect(get.stdout).toMatch(/^mget logs\/\?\.log logs\/c\.txt: 4 files, /m);
    for (const name of ['a.log', 'b.log', 'c.txt', 'ü.log']) {
      expect(await sha256File(join(back, name)), name).toBe(digests.get(name));
    }
    expect(await partFiles(back)).toEqual([]);

    // -c leaves out what is already complete on the other side (same size and mtime).
    await writeRandomFile(join(out, 'd.log'), 10);
    const putAgain = await runClient(cftp.server.port, ['cd logs', 'mput -c *.log'], out);
    expect(putAgain.stdout).toMatch(/^mput \*\.log: 1 file, .*; 3 already complete$/m);
    const getAgain = await runClient(cftp.server.port, ['mget -c logs/*.log'], back);
    expect(getAgain.stdout).toMatch(/^mget logs\/\*\.log: 1 file, .*; 3 already complete$/m);
    expect(await sha256File(join(back, 'd.log'))).toBe(await sha256File(join(out, 'd.log')));
  });

  it('a pattern that matches nothing is ENOENT naming it, and nothing moves', async () => {
    await writeFile(join(cftp.root, 'a.txt'), 'a');
    const get = await runClient(cftp.server.port, ['mget *.pdf'], base);
    expect(get.code).toBe(1);
    expect(get.stderr).toBe('error: no remote file matches "*.pdf" (ENOENT)\n');
    const put = await runClient(cftp.server.port, ['mput *.pdf'], base);
    expect(put.code).toBe(1);
    expect(put.stderr).toBe('error: no local file matches "*.pdf" (ENOENT)\n');
    expect(await readdir(cftp.root)).toEqual(['a.txt']);
  });
});
