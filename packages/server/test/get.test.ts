// `get` over a real data channel (docs/protocol.md §6.2, §7) and the path rules that guard
// it (§9): escapes, bad characters, symlinks out of the root, prefix-sibling folders.
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EMPTY_SHA256 } from '@cftp/protocol';
import { type Control, openData, readAll, sha256 } from '@cftp/wire-test';
import { describe, expect, it } from 'vitest';
import { randomData, useFixture } from './fixture.js';

const fx = useFixture();

/** Runs one get to completion; returns the `ready`, the bytes received and the `done`. */
async function get(control: Control, path: string) {
  const id = control.newId();
  control.send({ type: 'get', id, path });
  const ready = await control.expect(id, 'ready');
  const bytes = await readAll(fx.track(await openData(ready.port, ready.token)));
  const done = await control.expect(id, 'done');
  return { ready, bytes, done };
}

/** Sends a get and returns the code of its error reply (failing if anything else comes). */
async function getError(control: Control, path: string): Promise<string> {
  const id = control.newId();
  control.send({ type: 'get', id, path });
  return control.errorCode(id);
}

describe('docs/protocol.md §6.2 get', () => {
  it('streams the file: ready.size, bytes and done match the file on disk', async () => {
    const { port, root } = await fx.start();
    const content = randomData(3 * 1024 * 1024 + 17);
    await writeFile(join(root, 'big.bin'), content);
    const control = await fx.control(port);
    const { ready, bytes, done } = await get(control, 'big.bin');
    expect(ready.size).toBe(content.byteLength);
    expect(ready.token).toMatch(/^[0-9a-f]{64}$/);
    expect(bytes.equals(content)).toBe(true);
    expect(done).toMatchObject({ size: content.byteLength, sha256: sha256(content) });
  });

  it('streams an empty file with size 0 and the empty digest', async () => {
    const { port, root } = await fx.start();
    await writeFile(join(root, 'empty'), '');
    const control = await fx.control(port);
    const { ready, bytes, done } = await get(control, 'empty');
    expect(ready.size).toBe(0);
    expect(bytes.byteLength).toBe(0);
    expect(done).toMatchObject({ size: 0, sha256: EMPTY_SHA256 });
  });

  it('finds a file in a folder, and by its NFD spelling when stored as NFC', async () => {
    const { port, root } = await fx.start();
    await mkdir(join(root, 'docs'));
    await writeFile(join(root, 'docs', 'r\u00e9sum\u00e9.txt'), 'cv');
    const control = await fx.control(port);
    expect((await get(control, 'docs/r\u00e9sum\u00e9.txt')).bytes.toString()).toBe('cv');
    expect((await get(control, './docs/re\u0301sume\u0301.txt')).bytes.toString()).toBe('cv');
  });

  it('uses a fresh port and token for every request', async () => {
    const { port, root } = await fx.start();
    await writeFile(join(root, 'a'), 'a');
    const control = await fx.control(port);
    const first = await get(control, 'a');
    const second = await get(control, 'a');
    expect(second.ready.token).not.toBe(first.ready.token);
  });

  it('answers a folder with EISDIR and a missing file with ENOENT, before any ready', async () => {
    const { port, root } = await fx.start();
    await mkdir(join(root, 'folder'));
    await writeFile(join(root, 'file'), 'x');
    const control = await fx.control(port);
    expect(await getError(control, 'folder')).toBe('EISDIR');
    expect(await getError(control, '')).toBe('EISDIR');
    expect(await getError(control, 'missing.txt')).toBe('ENOENT');
    expect(await getError(control, 'folder/missing.txt')).toBe('ENOENT');
    expect(await getError(control, 'file/below')).toBe('ENOTDIR');
    expect(control.log.some((message) => message.type === 'ready')).toBe(false);
  });
});

describe('docs/protocol.md §9 paths (through get)', () => {
  it.each([
    ['a parent segment', '../x'],
    ['a parent segment inside', 'a/../../x'],
    ['an absolute path', '/etc/passwd'],
    ['a drive letter', 'C:/Windows/win.ini'],
    ['a backslash', 'a\\b'],
    ['a NUL', 'a\u0000b'],
    ['a control character', 'a\u001fb'],
    ['DEL', 'a\u007fb'],
    ['an empty segment', 'a//b'],
    ['a segment over 255 bytes', 'x'.repeat(256)],
    ['a path over 4096 bytes', Array.from({ length: 20 }, () => 'y'.repeat(250)).join('/')],
  ])('refuses %s with EBADNAME', async (_what, path) => {
    const { port } = await fx.start();
    const control = await fx.control(port);
    expect(await getError(control, path)).toBe('EBADNAME');
  });

  it('serves a symlink that stays inside the root', async () => {
    const { port, root } = await fx.start();
    await mkdir(join(root, 'real'));
    await writeFile(join(root, 'real', 'target.txt'), 'inside');
    await symlink(join('real', 'target.txt'), join(root, 'alias.txt'));
    await symlink('real', join(root, 'dir-alias'));
    const control = await fx.control(port);
    expect((await get(control, 'alias.txt')).bytes.toString()).toBe('inside');
    expect((await get(control, 'dir-alias/target.txt')).bytes.toString()).toBe('inside');
  });

  it('refuses a symlink to a file outside the root with EACCES and sends nothing', async () => {
    const outside = await fx.tempDir();
    await writeFile(join(outside, 'secret.txt'), 'TOP SECRET');
    const { port, root } = await fx.start();
    await symlink(join(outside, 'secret.txt'), join(root, 'leak.txt'));
    await symlink(outside, join(root, 'leak-dir'));
    const control = await fx.control(port);
    expect(await getError(control, 'leak.txt')).toBe('EACCES');
    expect(await getError(control, 'leak-dir/secret.txt')).toBe('EACCES');
    control.send({ type: 'list', id: 1, path: 'leak-dir' });
    expect(await control.errorCode(1)).toBe('EACCES');
    expect(control.log.some((message) => message.type === 'ready')).toBe(false);
  });

  it('refuses a prefix-sibling folder (root …/data, not …/data-other)', async () => {
    const base = await fx.tempDir();
    const root = join(base, 'data');
    const sibling = join(base, 'data-other');
    await mkdir(root);
    await mkdir(sibling);
    await writeFile(join(sibling, 'secret.txt'), 'SIBLING SECRET');
    await symlink(join('..', 'data-other', 'secret.txt'), join(root, 'peek.txt'));
    await symlink(join('..', 'data-other'), join(root, 'peek-dir'));
    await symlink(sibling, join(root, 'peek-abs'));
    const { port } = await fx.start({ root });
    const control = await fx.control(port);
    expect(await getError(control, 'peek.txt')).toBe('EACCES');
    expect(await getError(control, 'peek-dir/secret.txt')).toBe('EACCES');
    expect(await getError(control, 'peek-abs/secret.txt')).toBe('EACCES');
    expect(await getError(control, '../data-other/secret.txt')).toBe('EBADNAME');
    control.send({ type: 'list', id: 1, path: 'peek-dir' });
    expect(await control.errorCode(1)).toBe('EACCES');
    expect(control.log.some((message) => message.type === 'ready')).toBe(false);
  });

  it('serves a root that is itself reached through a symlink', async () => {
    const base = await fx.tempDir();
    await mkdir(join(base, 'real-root'));
    await writeFile(join(base, 'real-root', 'f.txt'), 'via link');
    await symlink(join(base, 'real-root'), join(base, 'root-link'));
    const { port } = await fx.start({ root: join(base, 'root-link') });
    const control = await fx.control(port);
    expect((await get(control, 'f.txt')).bytes.toString()).toBe('via link');
  });
});
