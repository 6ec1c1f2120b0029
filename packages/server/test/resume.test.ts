// Resume on the wire (docs/protocol.md §6.2, §6.3, §8): prefix checks, offsets, and the
// partial files the server keeps.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openData, readAll, sendAndEnd, sha256 } from '@cftp/wire-test';
import { describe, expect, it } from 'vitest';
import { partFiles, randomData, useFixture } from './fixture.js';

const fx = useFixture();

describe('docs/protocol.md §6.2 get with offset', () => {
  it('streams from the offset when the prefix digest matches; done covers the whole file', async () => {
    const { port, root } = await fx.start();
    const data = randomData(100_000);
    await writeFile(join(root, 'f.bin'), data);
    const control = await fx.control(port);
    const id = control.newId();
    const offset = 40_000;
    control.send({
      type: 'get',
      id,
      path: 'f.bin',
      offset,
      prefixSha256: sha256(data.subarray(0, offset)),
    });
    const ready = await control.expect(id, 'ready');
    expect(ready).toMatchObject({ size: data.byteLength, offset });
    const received = await readAll(fx.track(await openData(ready.port, ready.token)));
    expect(received).toEqual(data.subarray(offset));
    expect(await control.expect(id, 'done')).toMatchObject({
      size: data.byteLength,
      sha256: sha256(data),
    });
  });

  it('starts at 0 when the prefix digest differs', async () => {
    const { port, root } = await fx.start();
    const data = randomData(10_000);
    await writeFile(join(root, 'f.bin'), data);
    const control = await fx.control(port);
    const id = control.newId();
    control.send({
      type: 'get',
      id,
      path: 'f.bin',
      offset: 100,
      prefixSha256: sha256(Buffer.alloc(100)),
    });
    const ready = await control.expect(id, 'ready');
    expect(ready.offset).toBe(0);
    expect(await readAll(fx.track(await openData(ready.port, ready.token)))).toEqual(data);
    expect(await control.expect(id, 'done')).toMatchObject({
      size: data.byteLength,
      sha256: sha256(data),
    });
  });

  it('refuses an offset without a prefix digest (EPROTO)', async () => {
    const { port, root } = await fx.start();
    await writeFile(join(root, 'f.bin'), 'x');
    const control = await fx.control(port);
    const id = control.newId();
    control.send({ type: 'get', id, path: 'f.bin', offset: 1 });
    expect(await control.expect(id, 'error')).toMatchObject({ code: 'EPROTO' });
  });
});

describe('docs/protocol.md §6.3 resumable put', () => {
  it('refuses resume without the file digest (EPROTO)', async () => {
    const { port } = await fx.start();
    const control = await fx.control(port);
    const id = control.newId();
    control.send({ type: 'put', id, path: 'f.bin', size: 1, resume: true });
    expect(await control.expect(id, 'error')).toMatchObject({ code: 'EPROTO' });
  });

  it('announces the partial it has with its digest, and appends the rest', async () => {
    const { port, root } = await fx.start();
    const data = randomData(50_000);
    const digest = sha256(data);
    const partial = join(root, `.f.bin.cftp-resume-${digest.slice(0, 16)}.part`);
    await writeFile(partial, data.subarray(0, 20_000));
    const control = await fx.control(port);
    const id = control.newId();
    control.send({
      type: 'put',
      id,
      path: 'f.bin',
      size: data.byteLength,
      resume: true,
      sha256: digest,
    });
    const ready = await control.expect(id, 'ready');
    expect(ready).toMatchObject({ offset: 20_000, prefixSha256: sha256(data.subarray(0, 20_000)) });
    await sendAndEnd(fx.track(await openData(ready.port, ready.token)), data.subarray(20_000));
    control.send({ type: 'done', id, size: data.byteLength, sha256: digest });
    expect(await control.expect(id, 'ok')).toMatchObject({ size: data.byteLength, sha256: digest });
    expect(await partFiles(root)).toEqual([]);
  });

  it('lets one upload at a time write a resumable partial (EBUSY)', async () => {
    const { port } = await fx.start();
    const data = randomData(1000);
    const control = await fx.control(port);
    const first = control.newId();
    const put = {
      type: 'put',
      path: 'f.bin',
      size: 1000,
      resume: true,
      sha256: sha256(data),
    } as const;
    control.send({ ...put, id: first });
    await control.expect(first, 'ready');
    const second = control.newId();
    control.send({ ...put, id: second });
    expect(await control.expect(second, 'error')).toMatchObject({ code: 'EBUSY' });
  });

  it('removes the partial when the upload turns out corrupt (EINTEGRITY)', async () => {
    const { port, root } = await fx.start();
    const data = randomData(5000);
    const control = await fx.control(port);
    const id = control.newId();
    control.send({
      type: 'put',
      id,
      path: 'f.bin',
      size: 5000,
      resume: true,
      sha256: sha256(data),
    });
    const ready = await control.expect(id, 'ready');
    const corrupted = Buffer.from(data);
    corrupted[10] = (corrupted[10]! + 1) & 0xff;
    await sendAndEnd(fx.track(await openData(ready.port, ready.token)), corrupted);
    control.send({ type: 'done', id, size: 5000, sha256: sha256(corrupted) });
    expect(await control.expect(id, 'error')).toMatchObject({ code: 'EINTEGRITY' });
    expect(await partFiles(root)).toEqual([]);
  });
});
