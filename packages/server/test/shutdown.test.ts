// Ending sessions (docs/protocol.md §6.5 quit, §10 server shutdown).
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { firstChunk, openData, readAll, sha256, tryConnect } from '@cftp/wire-test';
import { describe, expect, it } from 'vitest';
import { nextOperation, randomData, useFixture } from './fixture.js';

const fx = useFixture();

describe('docs/protocol.md §6.5 quit', () => {
  it('answers quit with ok and closes the connection', async () => {
    const { server, port } = await fx.start();
    const control = await fx.control(port);
    const closed = new Promise<string>((resolve) =>
      server.once('sessionClose', (_session, reason) => resolve(reason)),
    );
    control.send({ type: 'quit', id: 9 });
    expect(await control.reply(9)).toEqual({ type: 'ok', id: 9 });
    await control.closed;
    expect(await closed).toBe('quit');
    expect(server.sessionCount).toBe(0);
  });

  it('aborts an upload in flight on quit and removes its temp file', async () => {
    const { server, port, root } = await fx.start();
    const control = await fx.control(port);
    control.send({ type: 'put', id: 1, path: 'up.bin', size: 1000 });
    await control.expect(1, 'ready');
    const finished = nextOperation(server);
    control.send({ type: 'quit', id: 2 });
    await control.expect(2, 'ok');
    await control.closed;
    expect((await finished).outcome).toBe('ECANCELED');
    expect(await readdir(root)).toEqual([]);
  });

  it('aborts requests in flight when the client just drops the connection', async () => {
    const { server, port, root } = await fx.start();
    const control = await fx.control(port);
    control.send({ type: 'put', id: 1, path: 'up.bin', size: 1000 });
    await control.expect(1, 'ready');
    const finished = nextOperation(server);
    control.close();
    expect((await finished).outcome).toBe('ECANCELED');
    expect(await readdir(root)).toEqual([]);
  });
});

describe('docs/protocol.md §10 server close()', () => {
  it('resolves promptly with no sessions and stops accepting', async () => {
    const { server, port } = await fx.start({ shutdownDeadlineMs: 5000 });
    const started = performance.now();
    await server.close();
    expect(performance.now() - started).toBeLessThan(1000);
    expect((await tryConnect(port)).refused).toBe(true);
  });

  it('closes idle sessions promptly', async () => {
    const { server, port } = await fx.start({ shutdownDeadlineMs: 5000 });
    const control = await fx.control(port);
    const idleBeforeHello = await fx.rawControl(port);
    const started = performance.now();
    await server.close();
    await control.closed;
    await idleBeforeHello.closed;
    expect(performance.now() - started).toBeLessThan(2000);
    // §11: an idle session learns why its connection ends.
    expect(control.log.at(-1)).toMatchObject({ type: 'error', id: null, code: 'ESHUTDOWN' });
  });

  it('lets a transfer in flight finish before the deadline', async () => {
    const { server, port, root } = await fx.start();
    const content = randomData(2 * 1024 * 1024);
    await writeFile(join(root, 'f.bin'), content);
    const control = await fx.control(port);
    control.send({ type: 'get', id: 1, path: 'f.bin' });
    const ready = await control.expect(1, 'ready');
    const data = fx.track(await openData(ready.port, ready.token));
    const head = await firstChunk(data);
    const closing = server.close(10_000);
    const rest = readAll(data);
    data.resume();
    const bytes = Buffer.concat([head ?? Buffer.alloc(0), await rest]);
    expect(bytes.equals(content)).toBe(true);
    expect(await control.expect(1, 'done')).toMatchObject({ sha256: sha256(content) });
    await closing;
    await control.closed;
  });

  it('refuses new requests on a session once shutdown has begun', async () => {
    const { server, port, root } = await fx.start();
    await writeFile(join(root, 'f.bin'), randomData(8 * 1024 * 1024));
    const control = await fx.control(port);
    control.send({ type: 'get', id: 1, path: 'f.bin' });
    const ready = await control.expect(1, 'ready');
    const data = fx.track(await openData(ready.port, ready.token));
    await firstChunk(data);
    const closing = server.close(300);
    control.send({ type: 'list', id: 2 });
    expect(await control.errorCode(2)).toBe('ESHUTDOWN');
    data.destroy();
    await closing;
  });

  it('aborts a stalled get with ESHUTDOWN at the deadline and resolves', async () => {
    const { server, port, root } = await fx.start();
    await writeFile(join(root, 'big.bin'), randomData(32 * 1024 * 1024));
    const control = await fx.control(port);
    control.send({ type: 'get', id: 1, path: 'big.bin' });
    const ready = await control.expect(1, 'ready');
    const data = fx.track(await openData(ready.port, ready.token));
    expect(await firstChunk(data)).not.toBeNull(); // then we stop reading: the get stalls
    const started = performance.now();
    await server.close(200);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(3000);
    expect(await control.errorCode(1)).toBe('ESHUTDOWN');
    await control.closed;
    expect(server.sessionCount).toBe(0);
  });
});
