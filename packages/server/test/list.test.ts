// `list` over a real data channel (docs/protocol.md §6.1, §7): entries, counts, digests,
// hidden upload temp files, and the errors before `ready`.
import { lstat, mkdir, readdir, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Entry, entrySchema } from '@cftp/protocol';
import { describe, expect, it } from 'vitest';
import { useFixture } from './fixture.js';
import { type Control, openData, readAll, sha256 } from './wire.js';

const fx = useFixture();

/** Runs one list to completion and returns the entries, the raw bytes and the `done`. */
async function list(control: Control, path?: string) {
  const id = control.newId();
  control.send(path === undefined ? { type: 'list', id } : { type: 'list', id, path });
  const ready = await control.expect(id, 'ready');
  const data = fx.track(await openData(ready.port, ready.token));
  const bytes = await readAll(data);
  const done = await control.expect(id, 'done');
  const text = bytes.toString('utf8');
  const lines = text === '' ? [] : text.split('\n');
  expect(lines.pop() ?? '').toBe(''); // every entry ends with \n
  const entries = lines.map((line): Entry => {
    const parsed = entrySchema.parse(JSON.parse(line));
    if (!parsed.ok) throw new Error(`bad listing line ${line}: ${parsed.error}`);
    return parsed.value;
  });
  return { entries, bytes, done };
}

function byName(entries: Entry[]): Map<string, Entry> {
  return new Map(entries.map((entry) => [entry.name, entry]));
}

describe('docs/protocol.md §6.1 list', () => {
  it('lists a file, a folder and a symlink with name, type, size and mtime', async () => {
    const { port, root } = await fx.start();
    await writeFile(join(root, 'report.pdf'), Buffer.alloc(48_213, 7));
    await mkdir(join(root, 'photos'));
    await writeFile(join(root, 'photos', 'inner.jpg'), 'not listed at the root');
    await symlink('report.pdf', join(root, 'latest'));
    const control = await fx.control(port);

    const { entries, bytes, done } = await list(control, '');

    const found = byName(entries);
    expect([...found.keys()].sort()).toEqual(['latest', 'photos', 'report.pdf']);
    const file = await lstat(join(root, 'report.pdf'));
    expect(found.get('report.pdf')).toEqual({
      name: 'report.pdf',
      type: 'file',
      size: 48_213,
      mtime: Math.trunc(file.mtimeMs),
      mode: file.mode & 0o777, // §6.8: files and folders carry their permission bits
    });
    const folder = await lstat(join(root, 'photos'));
    expect(found.get('photos')).toMatchObject({ type: 'dir', size: 0, mode: folder.mode & 0o777 });
    const link = await lstat(join(root, 'latest'));
    expect(found.get('latest')).toMatchObject({ type: 'symlink', size: link.size });
    expect(found.get('latest')).not.toHaveProperty('mode'); // absent for other types (§6.1)
    expect(await readlink(join(root, 'latest'))).toBe('report.pdf');

    expect(done.count).toBe(3);
    expect(done.size).toBe(bytes.byteLength);
    expect(done.sha256).toBe(sha256(bytes));
  });

  it('lists "." and an omitted path as the root, and a sub-folder by its path', async () => {
    const { port, root } = await fx.start();
    await mkdir(join(root, 'a', 'b'), { recursive: true });
    await writeFile(join(root, 'a', 'b', 'deep.txt'), 'deep');
    const control = await fx.control(port);

    expect((await list(control, '.')).entries.map((e) => e.name)).toEqual(['a']);
    expect((await list(control)).entries.map((e) => e.name)).toEqual(['a']);
    const deep = await list(control, 'a/./b');
    expect(deep.entries).toEqual([expect.objectContaining({ name: 'deep.txt', size: 4 })]);
  });

  it('sends an empty listing with count 0 and the empty digest', async () => {
    const { port } = await fx.start();
    const control = await fx.control(port);
    const { entries, bytes, done } = await list(control);
    expect(entries).toEqual([]);
    expect(bytes.byteLength).toBe(0);
    expect(done).toMatchObject({
      size: 0,
      count: 0,
      sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    });
  });

  it('does not list upload temp files (§8) but lists look-alikes', async () => {
    const { port, root } = await fx.start();
    await writeFile(join(root, '.x.cftp-0123456789abcdef.part'), 'temp');
    await writeFile(join(root, '.report.pdf.cftp-fedcba9876543210.part'), 'temp');
    await writeFile(join(root, 'x.cftp-0123456789abcdef.part'), 'no leading dot');
    await writeFile(join(root, '.x.cftp-0123.part'), 'too few digits');
    await writeFile(join(root, 'kept.txt'), 'kept');
    const control = await fx.control(port);
    const { entries, done } = await list(control);
    expect(entries.map((e) => e.name).sort()).toEqual([
      '.x.cftp-0123.part',
      'kept.txt',
      'x.cftp-0123456789abcdef.part',
    ]);
    expect(done.count).toBe(3);
    expect(await readdir(root)).toHaveLength(5);
  });

  it('streams a folder of a thousand entries with a matching count and digest', async () => {
    const { port, root } = await fx.start();
    await Promise.all(
      Array.from({ length: 1000 }, (_, i) => writeFile(join(root, `f${i}.txt`), `${i}`)),
    );
    const control = await fx.control(port);
    const { entries, bytes, done } = await list(control);
    expect(new Set(entries.map((e) => e.name)).size).toBe(1000);
    expect(done.count).toBe(1000);
    expect(done.size).toBe(bytes.byteLength);
    expect(done.sha256).toBe(sha256(bytes));
  });

  it('lists names in NFC', async () => {
    const { port, root } = await fx.start();
    await writeFile(join(root, 'cafe\u0301.txt'), 'decomposed on disk');
    const control = await fx.control(port);
    const { entries } = await list(control);
    expect(entries.map((e) => e.name)).toEqual(['caf\u00e9.txt']);
  });

  it('answers a missing folder with ENOENT and a file with ENOTDIR, before any ready', async () => {
    const { port, root } = await fx.start();
    await writeFile(join(root, 'plain.txt'), 'x');
    const control = await fx.control(port);
    control.send({ type: 'list', id: 1, path: 'nope' });
    expect(await control.errorCode(1)).toBe('ENOENT');
    control.send({ type: 'list', id: 2, path: 'plain.txt' });
    expect(await control.errorCode(2)).toBe('ENOTDIR');
    control.send({ type: 'list', id: 3, path: 'plain.txt/below' });
    expect(await control.errorCode(3)).toBe('ENOTDIR');
    control.send({ type: 'list', id: 4, path: '../' });
    expect(await control.errorCode(4)).toBe('EBADNAME');
    expect(control.log.some((message) => message.type === 'ready')).toBe(false);
  });
});
