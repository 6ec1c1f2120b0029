// Cancelling requests (docs/protocol.md §6.4): by `abort`, or by destroying the data
// connection. Either way the request fails once, temp files go, and the session goes on.
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Control, firstChunk, openData, readAll, tryConnect } from '@cftp/wire-test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nextOperation, partFiles, randomData, useFixture } from './fixture.js';

const fx = useFixture();
const BIG = 32 * 1024 * 1024;

// A failure inside the engine that nobody awaits would crash a real server process.
let unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeEach(() => {
  unhandled = [];
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

/** The session still serves: a list of the root completes with `done`. */
async function expectUsable(control: Control): Promise<void> {
  const id = control.newId();
  control.send({ type: 'list', id });
  const ready = await control.expect(id, 'ready');
  await readAll(fx.track(await openData(ready.port, ready.token)));
  await control.expect(id, 'done');
}

describe('docs/protocol.md §6.4 abort', () => {
  it('cancels a large get that is streaming with ECANCELED; the session goes on', async () => {
    const { port, root } = await fx.start();
    await writeFile(join(root, 'big.bin'), randomData(BIG));
    const control = await fx.control(port);
    control.send({ type: 'get', id: 1, path: 'big.bin' });
    const ready = await control.expect(1, 'ready');
    const data = fx.track(await openData(ready.port, ready.token));
    expect(await firstChunk(data)).not.toBeNull(); // streaming, now paused by us
    control.send({ type: 'abort', id: 1 });
    expect(await control.errorCode(1)).toBe('ECANCELED');
    const rest = readAll(data);
    data.resume();
    expect((await rest).byteLength).toBeLessThan(BIG); // cut off, not finished
    await expectUsable(control);
    expect(control.log.filter((m) => m.id === 1).map((m) => m.type)).toEqual(['ready', 'error']);
  });

  it('cancels a get whose data channel is not connected yet', async () => {
    const { port, root } = await fx.start();
    await writeFile(join(root, 'f.txt'), 'x');
    const control = await fx.control(port);
    control.send({ type: 'get', id: 1, path: 'f.txt' });
    const ready = await control.expect(1, 'ready');
    control.send({ type: 'abort', id: 1 });
    expect(await control.errorCode(1)).toBe('ECANCELED');
    // The listener is gone with it: a late connection gets nothing.
    const late = await tryConnect(ready.port);
    expect(late.refused).toBe(true);
  });

  it('cancels a put and removes its temp file', async () => {
    const { server, port, root } = await fx.start();
    const control = await fx.control(port);
    control.send({ type: 'put', id: 1, path: 'up.bin', size: 10 * 1024 * 1024 });
    const ready = await control.expect(1, 'ready');
    expect(await partFiles(root)).toHaveLength(1);
    const data = fx.track(await openData(ready.port, ready.token));
    data.write(randomData(1024 * 1024));
    const finished = nextOperation(server, (event) => event.operation === 'put');
    control.send({ type: 'abort', id: 1 });
    expect(await control.errorCode(1)).toBe('ECANCELED');
    expect((await finished).outcome).toBe('ECANCELED');
    expect(await readdir(root)).toEqual([]);
    await expectUsable(control);
  });

  it('cancels a put whose data has ended while it waits for done', async () => {
    const { port, root } = await fx.start();
    const control = await fx.control(port);
    control.send({ type: 'put', id: 1, path: 'up.txt', size: 3 });
    const ready = await control.expect(1, 'ready');
    const data = fx.track(await openData(ready.port, ready.token));
    data.end('abc');
    await readAll(data); // the server has read it all and closed its side
    control.send({ type: 'abort', id: 1 });
    expect(await control.errorCode(1)).toBe('ECANCELED');
    expect(await readdir(root)).toEqual([]);
  });

  it('fails a get with EDATA when the client destroys the data connection mid-stream', async () => {
    const { port, root } = await fx.start();
    await writeFile(join(root, 'big.bin'), randomData(BIG));
    const control = await fx.control(port);
    control.send({ type: 'get', id: 1, path: 'big.bin' });
    const ready = await control.expect(1, 'ready');
    const data = fx.track(await openData(ready.port, ready.token));
    expect(await firstChunk(data)).not.toBeNull();
    data.destroy();
    expect(await control.errorCode(1)).toBe('EDATA');
    await expectUsable(control);
  });

  it('fails a put with EDATA when the client destroys the data connection, leaving no temp file', async () => {
    const { server, port, root } = await fx.start();
    const control = await fx.control(port);
    control.send({ type: 'put', id: 1, path: 'up.bin', size: 4 * 1024 * 1024 });
    const ready = await control.expect(1, 'ready');
    const data = fx.track(await openData(ready.port, ready.token));
    const finished = nextOperation(server, (event) => event.operation === 'put');
    data.write(randomData(1024 * 1024), () => data.resetAndDestroy());
    expect(await control.errorCode(1)).toBe('EDATA');
    expect((await finished).outcome).toBe('EDATA');
    expect(await readdir(root)).toEqual([]);
    await expectUsable(control);
  });

  it('ignores an abort for an id that is not in flight (no reply at all)', async () => {
    const { port } = await fx.start();
    const control = await fx.control(port);
    control.send({ type: 'abort', id: 999 });
    control.send({ type: 'list', id: 5 });
    const ready = await control.next((message) => message.type !== 'welcome');
    expect(ready).toMatchObject({ type: 'ready', id: 5 });
    if (ready.type !== 'ready') return;
    await readAll(fx.track(await openData(ready.port, ready.token)));
    await control.expect(5, 'done');
    control.send({ type: 'abort', id: 5 }); // finished already: ignored too
    await expectUsable(control);
    expect(control.log.filter((m) => m.id === 999 || m.type === 'error')).toEqual([]);
  });
});
