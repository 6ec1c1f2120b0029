// Batches on the wire (docs/protocol.md §6.7): many files over one data channel, each
// verified on its own, committed only when every one is intact.
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openData, readAll, sendAndEnd, sha256 } from '@cftp/wire-test';
import { describe, expect, it } from 'vitest';
import { partFiles, randomData, useFixture } from './fixture.js';

const fx = useFixture();

describe('docs/protocol.md §6.7 putmany', () => {
  it('commits every file, with its mtime, after per-file digests match', async () => {
    const { port, root } = await fx.start();
    const files = [randomData(5000), Buffer.alloc(0), randomData(70_000)];
    const names = ['a.bin', 'empty', 'c d.bin'];
    const control = await fx.control(port);
    const id = control.newId();
    control.send({
      type: 'putmany',
      id,
      files: files.map((data, i) => ({
        path: names[i]!,
        size: data.byteLength,
        mtime: 1_600_000_000_000 + i,
      })),
    });
    const ready = await control.expect(id, 'ready');
    const all = Buffer.concat(files);
    await sendAndEnd(fx.track(await openData(ready.port, ready.token)), all);
    control.send({
      type: 'done',
      id,
      size: all.byteLength,
      sha256: sha256(all),
      files: files.map((f) => sha256(f)),
    });
    expect(await control.expect(id, 'ok')).toMatchObject({ size: all.byteLength, count: 3 });
    for (const [i, data] of files.entries()) {
      expect(await readFile(join(root, names[i]!))).toEqual(data);
      expect((await stat(join(root, names[i]!))).mtimeMs).toBe(1_600_000_000_000 + i);
    }
    expect(await partFiles(root)).toEqual([]);
  });

  it('commits nothing when one file’s digest differs (EINTEGRITY)', async () => {
    const { port, root } = await fx.start();
    const files = [randomData(1000), randomData(1000)];
    const control = await fx.control(port);
    const id = control.newId();
    control.send({
      type: 'putmany',
      id,
      files: [
        { path: 'x', size: 1000 },
        { path: 'y', size: 1000 },
      ],
    });
    const ready = await control.expect(id, 'ready');
    const all = Buffer.concat(files);
    await sendAndEnd(fx.track(await openData(ready.port, ready.token)), all);
    const wrong = [sha256(files[0]!), sha256(files[0]!)];
    control.send({ type: 'done', id, size: all.byteLength, sha256: sha256(all), files: wrong });
    expect(await control.expect(id, 'error')).toMatchObject({ code: 'EINTEGRITY' });
    expect(await readdir(root)).toEqual([]);
  });

  it('refuses data beyond the declared sizes at once (EINTEGRITY), leaving nothing', async () => {
    const { port, root } = await fx.start();
    const control = await fx.control(port);
    const id = control.newId();
    control.send({
      type: 'putmany',
      id,
      files: [
        { path: 'x', size: 10 },
        { path: 'y', size: 10 },
      ],
    });
    const ready = await control.expect(id, 'ready');
    await sendAndEnd(fx.track(await openData(ready.port, ready.token)), randomData(100_000)).catch(
      () => {},
    );
    expect(await control.expect(id, 'error')).toMatchObject({ code: 'EINTEGRITY' });
    expect(await readdir(root)).toEqual([]);
  });

  it('refuses the whole batch when one path is bad, before any data channel', async () => {
    const { port, root } = await fx.start();
    const control = await fx.control(port);
    const id = control.newId();
    control.send({
      type: 'putmany',
      id,
      files: [
        { path: 'ok', size: 1 },
        { path: '../evil', size: 1 },
      ],
    });
    expect(await control.expect(id, 'error')).toMatchObject({ code: 'EBADNAME' });
    expect(await readdir(root)).toEqual([]);
  });
});

describe('docs/protocol.md §6.7 getmany', () => {
  it('sends the files back to back with per-file sizes, mtimes and digests', async () => {
    const { port, root } = await fx.start();
    const files = [randomData(3000), Buffer.alloc(0), randomData(200_000)];
    for (const [i, data] of files.entries()) await writeFile(join(root, `f${i}`), data);
    const control = await fx.control(port);
    const id = control.newId();
    control.send({ type: 'getmany', id, paths: ['f0', 'f1', 'f2'] });
    const ready = await control.expect(id, 'ready');
    expect(ready.files?.map((f) => f.size)).toEqual([3000, 0, 200_000]);
    const received = await readAll(fx.track(await openData(ready.port, ready.token)));
    const all = Buffer.concat(files);
    expect(received).toEqual(all);
    expect(await control.expect(id, 'done')).toMatchObject({
      size: all.byteLength,
      sha256: sha256(all),
      files: files.map((f) => sha256(f)),
    });
  });

  it('fails the whole batch when one file is missing (ENOENT)', async () => {
    const { port, root } = await fx.start();
    await writeFile(join(root, 'here'), 'x');
    const control = await fx.control(port);
    const id = control.newId();
    control.send({ type: 'getmany', id, paths: ['here', 'gone'] });
    expect(await control.expect(id, 'error')).toMatchObject({ code: 'ENOENT' });
  });
});
