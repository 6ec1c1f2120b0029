// `put` over a real data channel (docs/protocol.md §6.3, §7, §8): nothing appears under
// the real name until the client's `done` is verified; mismatches leave no trace.
import { access, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { EMPTY_SHA256 } from '@cftp/protocol';
import { type Control, openData, sendAndEnd, sha256 } from '@cftp/wire-test';
import { describe, expect, it } from 'vitest';
import { partFiles, randomData, useFixture } from './fixture.js';

const fx = useFixture();

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Sends `put`, waits for `ready`, streams `data` and half-closes the data channel. */
async function upload(control: Control, path: string, data: Buffer, size?: number) {
  const id = control.newId();
  control.send({ type: 'put', id, path, size: size ?? data.byteLength });
  const ready = await control.expect(id, 'ready');
  const socket = fx.track(await openData(ready.port, ready.token));
  await sendAndEnd(socket, data);
  return { id, ready };
}

describe('docs/protocol.md §6.3 put', () => {
  it('commits only after done is verified, then answers ok with size and digest', async () => {
    const { port, root } = await fx.start();
    const target = join(root, 'upload.bin');
    const data = randomData(2 * 1024 * 1024 + 3);
    const control = await fx.control(port);
    const id = control.newId();
    control.send({ type: 'put', id, path: 'upload.bin', size: data.byteLength });
    const ready = await control.expect(id, 'ready');
    expect(ready.size).toBeUndefined();
    expect(await partFiles(root)).toHaveLength(1); // the temp file exists from the start (§8)

    const socket = fx.track(await openData(ready.port, ready.token));
    socket.write(data.subarray(0, 1024 * 1024));
    expect(await exists(target)).toBe(false); // while streaming
    // The server's side ends only once it has read our FIN, i.e. after every byte.
    await sendAndEnd(socket, data.subarray(1024 * 1024));
    expect(await exists(target)).toBe(false); // all data in, no done yet
    expect(control.log.filter((m) => m.id === id).map((m) => m.type)).toEqual(['ready']);

    control.send({ type: 'done', id, size: data.byteLength, sha256: sha256(data) });
    const ok = await control.expect(id, 'ok');
    expect(ok).toMatchObject({ size: data.byteLength, sha256: sha256(data) });
    expect((await readFile(target)).equals(data)).toBe(true);
    expect(await partFiles(root)).toEqual([]);
  });

  it('accepts done sent before the data has ended', async () => {
    const { port, root } = await fx.start();
    const data = Buffer.from('early done');
    const control = await fx.control(port);
    const id = control.newId();
    control.send({ type: 'put', id, path: 'early.txt', size: data.byteLength });
    const ready = await control.expect(id, 'ready');
    control.send({ type: 'done', id, size: data.byteLength, sha256: sha256(data) });
    await sendAndEnd(fx.track(await openData(ready.port, ready.token)), data);
    await control.expect(id, 'ok');
    expect(await readFile(join(root, 'early.txt'), 'utf8')).toBe('early done');
  });

  it('uploads an empty file', async () => {
    const { port, root } = await fx.start();
    const control = await fx.control(port);
    const { id } = await upload(control, 'empty', Buffer.alloc(0));
    control.send({ type: 'done', id, size: 0, sha256: EMPTY_SHA256 });
    expect(await control.expect(id, 'ok')).toMatchObject({ size: 0, sha256: EMPTY_SHA256 });
    expect((await stat(join(root, 'empty'))).size).toBe(0);
  });

  it('refuses a wrong digest with EINTEGRITY and leaves neither target nor temp file', async () => {
    const { port, root } = await fx.start();
    const data = randomData(100_000);
    const control = await fx.control(port);
    const { id } = await upload(control, 'bad.bin', data);
    control.send({ type: 'done', id, size: data.byteLength, sha256: sha256(Buffer.from('other')) });
    expect(await control.errorCode(id)).toBe('EINTEGRITY');
    expect(await readdir(root)).toEqual([]);
  });

  it('refuses fewer bytes than declared with EINTEGRITY', async () => {
    const { port, root } = await fx.start();
    const data = Buffer.from('short');
    const control = await fx.control(port);
    const { id } = await upload(control, 'short.txt', data, 10);
    control.send({ type: 'done', id, size: data.byteLength, sha256: sha256(data) });
    expect(await control.errorCode(id)).toBe('EINTEGRITY');
    expect(await readdir(root)).toEqual([]);
  });

  it('refuses more bytes than declared with EINTEGRITY', async () => {
    const { port, root } = await fx.start();
    const data = Buffer.from('longer than declared');
    const control = await fx.control(port);
    const { id } = await upload(control, 'long.txt', data, 4);
    control.send({ type: 'done', id, size: data.byteLength, sha256: sha256(data) });
    expect(await control.errorCode(id)).toBe('EINTEGRITY');
    expect(await readdir(root)).toEqual([]);
  });

  it('refuses a done.size that differs from the bytes received with EINTEGRITY', async () => {
    const { port, root } = await fx.start();
    const data = Buffer.from('exact');
    const control = await fx.control(port);
    const { id } = await upload(control, 'x.txt', data);
    control.send({ type: 'done', id, size: data.byteLength + 1, sha256: sha256(data) });
    expect(await control.errorCode(id)).toBe('EINTEGRITY');
    expect(await readdir(root)).toEqual([]);
  });

  it('answers a missing folder with ENOENT and a folder name with EISDIR, before ready', async () => {
    const { port, root } = await fx.start();
    await mkdir(join(root, 'existing-dir'));
    await writeFile(join(root, 'file'), 'x');
    const control = await fx.control(port);
    const cases: Array<[string, string]> = [
      ['no-such-folder/a.txt', 'ENOENT'],
      ['existing-dir', 'EISDIR'],
      ['', 'EISDIR'],
      ['file/below.txt', 'ENOTDIR'],
      ['../escape.txt', 'EBADNAME'],
    ];
    for (const [path, code] of cases) {
      const id = control.newId();
      control.send({ type: 'put', id, path, size: 1 });
      expect(await control.errorCode(id), path).toBe(code);
    }
    expect(control.log.some((message) => message.type === 'ready')).toBe(false);
    expect((await readdir(root)).sort()).toEqual(['existing-dir', 'file']);
  });

  it('replaces an existing file whole', async () => {
    const { port, root } = await fx.start();
    const target = join(root, 'doc.txt');
    await writeFile(target, randomData(1024 * 1024));
    const data = Buffer.from('new, much shorter content');
    const control = await fx.control(port);
    const { id } = await upload(control, 'doc.txt', data);
    expect((await stat(target)).size).toBe(1024 * 1024); // old file intact until done
    control.send({ type: 'done', id, size: data.byteLength, sha256: sha256(data) });
    await control.expect(id, 'ok');
    expect((await readFile(target)).equals(data)).toBe(true);
    expect(await readdir(root)).toEqual(['doc.txt']);
  });

  it('keeps the old file when an overwrite fails its check', async () => {
    const { port, root } = await fx.start();
    const target = join(root, 'keep.txt');
    await writeFile(target, 'original');
    const data = Buffer.from('replacement');
    const control = await fx.control(port);
    const { id } = await upload(control, 'keep.txt', data);
    control.send({ type: 'done', id, size: data.byteLength, sha256: EMPTY_SHA256 });
    expect(await control.errorCode(id)).toBe('EINTEGRITY');
    expect(await readFile(target, 'utf8')).toBe('original');
    expect(await readdir(root)).toEqual(['keep.txt']);
  });

  it('does not time out an upload whose data takes longer than the accept timeout', async () => {
    // 1 s, so the data connection itself comes in time even on a loaded machine.
    const { port, root } = await fx.start({ dataAcceptTimeoutMs: 1000 });
    const data = randomData(64 * 1024);
    const control = await fx.control(port);
    const id = control.newId();
    control.send({ type: 'put', id, path: 'slow.bin', size: data.byteLength });
    const ready = await control.expect(id, 'ready');
    const socket = fx.track(await openData(ready.port, ready.token));
    socket.write(data.subarray(0, 1000));
    await delay(1500); // a slow sender: the data outlasts the accept timeout on purpose
    await sendAndEnd(socket, data.subarray(1000));
    control.send({ type: 'done', id, size: data.byteLength, sha256: sha256(data) });
    expect((await control.reply(id)).type).toBe('ok');
    expect((await readFile(join(root, 'slow.bin'))).equals(data)).toBe(true);
  });

  it('fails with ETIMEDOUT and cleans up when done never comes after the data', async () => {
    const { port, root } = await fx.start({ dataAcceptTimeoutMs: 200 });
    const control = await fx.control(port);
    const { id } = await upload(control, 'nodone.txt', Buffer.from('abc'));
    expect(await control.errorCode(id)).toBe('ETIMEDOUT');
    expect(await readdir(root)).toEqual([]);
  });

  it('lets the last of two concurrent uploads to one name win, whole', async () => {
    const { port, root } = await fx.start();
    const first = randomData(300_000);
    const second = randomData(200_000);
    const control = await fx.control(port);
    const a = await upload(control, 'same.bin', first);
    const b = await upload(control, 'same.bin', second);
    control.send({ type: 'done', id: a.id, size: first.byteLength, sha256: sha256(first) });
    await control.expect(a.id, 'ok');
    control.send({ type: 'done', id: b.id, size: second.byteLength, sha256: sha256(second) });
    await control.expect(b.id, 'ok');
    expect((await readFile(join(root, 'same.bin'))).equals(second)).toBe(true);
    expect(await readdir(root)).toEqual(['same.bin']);
  });
});
