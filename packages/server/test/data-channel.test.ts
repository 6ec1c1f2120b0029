// One-time data channels (docs/protocol.md §5): the token is the key, one connection per
// listener, and an accept timeout. Every refusal fails the request; nothing leaks.
import { randomBytes } from 'node:crypto';
import { readdir, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { firstChunk, openData, readAll, sha256, tryConnect } from '@cftp/wire-test';
import { describe, expect, it } from 'vitest';
import { randomData, useFixture } from './fixture.js';

const fx = useFixture();

describe('docs/protocol.md §5 data channels', () => {
  it('fails the request with EDATAAUTH on a wrong token and sends no data', async () => {
    const { port, root } = await fx.start();
    await writeFile(join(root, 'f.txt'), 'payload');
    const control = await fx.control(port);
    control.send({ type: 'get', id: 1, path: 'f.txt' });
    const ready = await control.expect(1, 'ready');
    const wrong = randomBytes(32);
    const data = fx.track(await openData(ready.port, wrong));
    const received = await readAll(data);
    expect(await control.errorCode(1)).toBe('EDATAAUTH');
    expect(received.byteLength).toBe(0);
    expect(wrong.toString('hex')).not.toBe(ready.token);
  });

  it('fails with EDATAAUTH when the token is cut short and the peer ends', async () => {
    const { port, root } = await fx.start();
    await writeFile(join(root, 'f.txt'), 'payload');
    const control = await fx.control(port);
    control.send({ type: 'get', id: 1, path: 'f.txt' });
    const ready = await control.expect(1, 'ready');
    const data = fx.track(
      await openData(ready.port, Buffer.from(ready.token, 'hex').subarray(0, 31)),
    );
    data.end();
    const received = await readAll(data);
    expect(await control.errorCode(1)).toBe('EDATAAUTH');
    expect(received.byteLength).toBe(0);
  });

  it('refuses a connection from another address even with the right token', async () => {
    const { port, root } = await fx.start();
    await writeFile(join(root, 'f.txt'), 'payload');
    const control = await fx.control(port);
    control.send({ type: 'get', id: 1, path: 'f.txt' });
    const ready = await control.expect(1, 'ready');
    // 127.0.0.2 is loopback too, but not the address of the control connection.
    const data = fx.track(await openData(ready.port, ready.token, '127.0.0.2'));
    const received = await readAll(data);
    expect(await control.errorCode(1)).toBe('EDATAAUTH');
    expect(received.byteLength).toBe(0);
  });

  it('refuses another session that connects to the port with a guessed token', async () => {
    const { port, root } = await fx.start();
    await writeFile(join(root, 'private.txt'), 'only for session A');
    const victim = await fx.control(port);
    const intruder = await fx.control(port);
    victim.send({ type: 'get', id: 1, path: 'private.txt' });
    const ready = await victim.expect(1, 'ready');
    const stolen = fx.track(await openData(ready.port, randomBytes(32)));
    const received = await readAll(stolen);
    expect(await victim.errorCode(1)).toBe('EDATAAUTH');
    expect(received.byteLength).toBe(0);
    // The intruder's own session got nothing beyond its welcome.
    expect(intruder.log.map((message) => message.type)).toEqual(['welcome']);
    // The victim's port is gone: even the right token is too late now.
    expect((await tryConnect(ready.port)).refused).toBe(true);
  });

  it('closes the listener after the first connection', async () => {
    const { port, root } = await fx.start();
    const content = randomData(8 * 1024 * 1024);
    await writeFile(join(root, 'f.bin'), content);
    const control = await fx.control(port);
    control.send({ type: 'get', id: 1, path: 'f.bin' });
    const ready = await control.expect(1, 'ready');
    const first = fx.track(await openData(ready.port, ready.token));
    const head = await firstChunk(first); // the server has accepted and authenticated it
    expect(head).not.toBeNull();

    const second = await tryConnect(ready.port);
    if (!second.refused) fx.track(second.socket);
    expect(second.refused).toBe(true);

    const restPromise = readAll(first);
    first.resume();
    const rest = await restPromise;
    const all = Buffer.concat([head ?? Buffer.alloc(0), rest]);
    expect(all.equals(content)).toBe(true);
    expect((await control.expect(1, 'done')).sha256).toBe(sha256(content));
  });

  it('fails with ETIMEDOUT when nobody connects within the accept timeout', async () => {
    const { port, root } = await fx.start({ dataAcceptTimeoutMs: 200 });
    await writeFile(join(root, 'f.txt'), 'x');
    const control = await fx.control(port);
    const started = performance.now();
    control.send({ type: 'get', id: 1, path: 'f.txt' });
    const ready = await control.expect(1, 'ready');
    expect(await control.errorCode(1)).toBe('ETIMEDOUT');
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
    expect((await tryConnect(ready.port)).refused).toBe(true);
    control.send({ type: 'list', id: 2 });
    expect((await control.reply(2)).type).toBe('ready');
  });

  it('fails with ETIMEDOUT when the token never completes', async () => {
    const { port, root } = await fx.start({ dataAcceptTimeoutMs: 200 });
    await writeFile(join(root, 'f.txt'), 'x');
    const control = await fx.control(port);
    control.send({ type: 'get', id: 1, path: 'f.txt' });
    const ready = await control.expect(1, 'ready');
    const data = fx.track(
      await openData(ready.port, Buffer.from(ready.token, 'hex').subarray(0, 5)),
    );
    const received = await readAll(data);
    expect(await control.errorCode(1)).toBe('ETIMEDOUT');
    expect(received.byteLength).toBe(0);
  });

  it('times out a put and a list the same way, leaving no temp file', async () => {
    const { port, root } = await fx.start({ dataAcceptTimeoutMs: 200 });
    const control = await fx.control(port);
    control.send({ type: 'put', id: 1, path: 'up.txt', size: 3 });
    control.send({ type: 'list', id: 2 });
    expect(await control.finalErrorCode(1)).toBe('ETIMEDOUT');
    expect(await control.finalErrorCode(2)).toBe('ETIMEDOUT');
    expect(await readdir(root)).toEqual([]);
  });

  it('accepts the token split over several writes', async () => {
    const { port, root } = await fx.start();
    await writeFile(join(root, 'f.txt'), 'split token');
    const control = await fx.control(port);
    control.send({ type: 'get', id: 1, path: 'f.txt' });
    const ready = await control.expect(1, 'ready');
    const token = Buffer.from(ready.token, 'hex');
    const data = fx.track(await openData(ready.port, token.subarray(0, 1)));
    data.write(token.subarray(1, 20));
    data.write(token.subarray(20));
    expect((await readAll(data)).toString()).toBe('split token');
    await control.expect(1, 'done');
  });

  it('releases the folder handle of a list whose data channel never came', async () => {
    const { port, root } = await fx.start({ dataAcceptTimeoutMs: 100 });
    const control = await fx.control(port);
    control.send({ type: 'list', id: 1 });
    expect(await control.finalErrorCode(1)).toBe('ETIMEDOUT');
    expect(await openDescriptorsTo(root)).toEqual([]);
  });
});

/** This process's open file descriptors that point at `path` (Linux /proc). */
async function openDescriptorsTo(path: string): Promise<string[]> {
  const fds = await readdir('/proc/self/fd');
  const targets = await Promise.all(
    fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')),
  );
  return targets.filter((target) => target === path);
}
