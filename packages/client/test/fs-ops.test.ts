// File operations through the client engine against the real server (docs/protocol.md §6.6).
import { lstat, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rejectionOf, useFixture } from './helpers.js';

const fx = useFixture();

describe('docs/protocol.md §6.6 file operations', () => {
  it('stat describes files, folders, symlinks and the root', async () => {
    const { port, root } = await fx.startServer();
    await writeFile(join(root, 'a.txt'), 'hello');
    await mkdir(join(root, 'dir'));
    await symlink('a.txt', join(root, 'link'));
    const client = await fx.connect(port);
    expect(await client.stat('a.txt')).toMatchObject({ name: 'a.txt', type: 'file', size: 5 });
    expect(await client.stat('dir')).toMatchObject({ name: 'dir', type: 'dir', size: 0 });
    expect(await client.stat('link')).toMatchObject({ name: 'link', type: 'symlink' });
    expect(await client.stat('')).toMatchObject({ name: '.', type: 'dir' });
    expect((await rejectionOf(client.stat('nope'))).code).toBe('ENOENT');
    expect((await rejectionOf(client.stat('../x'))).code).toBe('EBADNAME');
  });

  it('mkdir creates one folder; EEXIST and ENOENT otherwise', async () => {
    const { port, root } = await fx.startServer();
    const client = await fx.connect(port);
    await client.mkdir('new');
    await client.mkdir('new/inner');
    expect((await lstat(join(root, 'new', 'inner'))).isDirectory()).toBe(true);
    expect((await rejectionOf(client.mkdir('new'))).code).toBe('EEXIST');
    expect((await rejectionOf(client.mkdir('missing/x'))).code).toBe('ENOENT');
    expect((await rejectionOf(client.mkdir(''))).code).toBe('EEXIST');
  });

  it('rmdir removes empty folders only, never the root', async () => {
    const { port, root } = await fx.startServer();
    await mkdir(join(root, 'empty'));
    await mkdir(join(root, 'full'));
    await writeFile(join(root, 'full', 'x'), 'x');
    await writeFile(join(root, 'file'), 'x');
    const client = await fx.connect(port);
    await client.rmdir('empty');
    expect((await rejectionOf(client.rmdir('full'))).code).toBe('ENOTEMPTY');
    expect((await rejectionOf(client.rmdir('file'))).code).toBe('ENOTDIR');
    expect((await rejectionOf(client.rmdir(''))).code).toBe('EACCES');
    expect((await readdir(root)).sort()).toEqual(['file', 'full']);
  });

  it('delete removes files and links (not their targets), and refuses folders', async () => {
    const { port, root } = await fx.startServer();
    await writeFile(join(root, 'a.txt'), 'keep me');
    await writeFile(join(root, 'b.txt'), 'x');
    await symlink('a.txt', join(root, 'link'));
    await mkdir(join(root, 'dir'));
    const client = await fx.connect(port);
    await client.delete('b.txt');
    await client.delete('link');
    expect((await rejectionOf(client.delete('dir'))).code).toBe('EISDIR');
    expect((await rejectionOf(client.delete('b.txt'))).code).toBe('ENOENT');
    expect((await readdir(root)).sort()).toEqual(['a.txt', 'dir']);
    expect(await readFile(join(root, 'a.txt'), 'utf8')).toBe('keep me');
  });

  it('rename moves entries and never replaces an existing target', async () => {
    const { port, root } = await fx.startServer();
    await writeFile(join(root, 'a.txt'), 'A');
    await writeFile(join(root, 'b.txt'), 'B');
    await mkdir(join(root, 'dir'));
    const client = await fx.connect(port);
    await client.rename('a.txt', 'dir/moved.txt');
    expect(await readFile(join(root, 'dir', 'moved.txt'), 'utf8')).toBe('A');
    expect((await rejectionOf(client.rename('b.txt', 'dir/moved.txt'))).code).toBe('EEXIST');
    expect((await rejectionOf(client.rename('gone', 'x'))).code).toBe('ENOENT');
    expect((await rejectionOf(client.rename('', 'x'))).code).toBe('EACCES');
    expect((await rejectionOf(client.rename('b.txt', '../out'))).code).toBe('EBADNAME');
    expect(await readFile(join(root, 'b.txt'), 'utf8')).toBe('B');
  });

  it('hides temporary files from every operation (§8)', async () => {
    const { port, root } = await fx.startServer();
    const temp = '.up.bin.cftp-0123456789abcdef.part';
    await writeFile(join(root, temp), 'in progress');
    const client = await fx.connect(port);
    expect((await rejectionOf(client.stat(temp))).code).toBe('ENOENT');
    expect((await rejectionOf(client.delete(temp))).code).toBe('ENOENT');
    expect((await rejectionOf(client.rename(temp, 'x'))).code).toBe('ENOENT');
    expect((await rejectionOf(client.get(temp, join(await fx.tempDir(), 'x')))).code).toBe(
      'ENOENT',
    );
    expect(await client.list()).toEqual([]);
  });
});
