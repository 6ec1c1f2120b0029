// Limits and timeouts for every resource a client can hold (docs/protocol.md §12,
// docs/security.md): sessions overall and per address, idle sessions, stalled data channels,
// and the read-only policy.
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Control, openData, sendAndEnd, sha256 } from '@cftp/wire-test';
import { describe, expect, it } from 'vitest';
import { type RefusedConnection, readOnly } from '../src/index.js';
import { nextOperation, partFiles, randomData, useFixture } from './fixture.js';

const fx = useFixture();

describe('maxSessions and maxSessionsPerAddress (EBUSY)', () => {
  it('refuses the session over the limit with EBUSY, and takes one again once a slot frees', async () => {
    const { server, port } = await fx.start({ maxSessions: 2 });
    const refused: RefusedConnection[] = [];
    server.on('refused', (connection) => refused.push(connection));
    const first = await fx.control(port);
    await fx.control(port);
    const third = await fx.rawControl(port);
    expect(await third.next()).toMatchObject({ type: 'error', id: null, code: 'EBUSY' });
    await third.closed;
    expect(refused).toMatchObject([{ reason: 'max sessions' }]);
    expect(server.sessionCount).toBe(2);

    const gone = new Promise((resolve) => server.once('sessionClose', resolve));
    first.close();
    await gone;
    const fourth = await fx.control(port);
    expect(fourth.isOpen).toBe(true);
  });

  it('counts sessions per remote address: another address still gets in', async () => {
    const { server, port } = await fx.start({ maxSessionsPerAddress: 1 });
    await fx.control(port);
    const again = await fx.rawControl(port);
    expect(await again.next()).toMatchObject({ type: 'error', id: null, code: 'EBUSY' });
    await again.closed;
    const other = await Control.open(port, '127.0.0.1', '127.0.0.2');
    fx.track(other.socket);
    const welcome = await other.hello();
    expect(welcome.type).toBe('welcome');
    expect(server.sessionCount).toBe(2);
  });
});

describe('idleTimeoutMs (§10)', () => {
  it('closes a ready session that sends nothing, telling it ETIMEDOUT', async () => {
    const { server, port } = await fx.start({ idleTimeoutMs: 150 });
    const control = await fx.control(port);
    const closed = new Promise<string>((resolve) =>
      server.once('sessionClose', (_s, reason) => resolve(reason)),
    );
    expect(await control.next()).toMatchObject({ type: 'error', id: null, code: 'ETIMEDOUT' });
    await control.closed;
    expect(await closed).toBe('idle timeout');
  });

  it('keeps a session that keeps sending requests, and one whose transfer runs', async () => {
    // Requests 50 ms apart against a 1 s timeout: a gap of 20 times that (a machine at
    // several times its load) is still activity, so the test does not hang on the speed.
    const { port } = await fx.start({ idleTimeoutMs: 1000 });
    const chatty = await fx.control(port);
    const busy = await fx.control(port);
    const content = randomData(64 * 1024);
    busy.send({ type: 'put', id: 1, path: 'slow.bin', size: content.length });
    const ready = await busy.expect(1, 'ready');
    const data = fx.track(await openData(ready.port, ready.token));
    // 3 s at least: three idle periods of chatty requests and of a trickling upload.
    for (let i = 0; i < 60; i++) {
      chatty.send({ type: 'stat', id: 100 + i, path: '' });
      await chatty.expect(100 + i, 'ok');
      data.write(content.subarray(i * 1024, (i + 1) * 1024));
      await delay(50);
    }
    await sendAndEnd(data, content.subarray(60 * 1024));
    busy.send({ type: 'done', id: 1, size: content.length, sha256: sha256(content) });
    await busy.expect(1, 'ok');
    expect(chatty.isOpen).toBe(true);
    expect(busy.isOpen).toBe(true);
  });
});

describe('dataStallTimeoutMs (§5)', () => {
  it('fails a download whose client never reads with ETIMEDOUT; the session goes on', async () => {
    const { server, port, root } = await fx.start({ dataStallTimeoutMs: 200 });
    await writeFile(join(root, 'big.bin'), randomData(32 * 1024 * 1024));
    const control = await fx.control(port);
    control.send({ type: 'get', id: 1, path: 'big.bin' });
    const ready = await control.expect(1, 'ready');
    const data = fx.track(await openData(ready.port, ready.token));
    data.pause(); // never read: the kernel buffers fill, then nothing moves
    const operation = nextOperation(server);
    expect(await control.finalErrorCode(1)).toBe('ETIMEDOUT');
    expect((await operation).outcome).toBe('ETIMEDOUT');
    control.send({ type: 'stat', id: 2, path: 'big.bin' });
    expect(await control.expect(2, 'ok')).toMatchObject({ entry: { size: 32 * 1024 * 1024 } });
  });

  it('fails an upload whose client stops sending with ETIMEDOUT and removes its temp file', async () => {
    const { port, root } = await fx.start({ dataStallTimeoutMs: 200 });
    const control = await fx.control(port);
    control.send({ type: 'put', id: 1, path: 'stalled.bin', size: 1000 });
    const ready = await control.expect(1, 'ready');
    const data = fx.track(await openData(ready.port, ready.token));
    data.write(Buffer.alloc(100)); // then nothing, and no FIN
    expect(await control.finalErrorCode(1)).toBe('ETIMEDOUT');
    expect(await partFiles(root)).toEqual([]);
    expect(await readdir(root)).toEqual([]);
  });
});

describe('readOnly authorize hook', () => {
  it('allows list, get and stat and refuses every change with EACCES', async () => {
    const { port, root } = await fx.start({ authorize: readOnly });
    await writeFile(join(root, 'f.txt'), 'read me');
    const control = await fx.control(port);
    control.send({ type: 'put', id: 1, path: 'new.txt', size: 1 });
    control.send({ type: 'mkdir', id: 2, path: 'dir' });
    control.send({ type: 'rmdir', id: 3, path: 'dir' });
    control.send({ type: 'delete', id: 4, path: 'f.txt' });
    control.send({ type: 'rename', id: 5, from: 'f.txt', to: 'g.txt' });
    for (const id of [1, 2, 3, 4, 5]) expect(await control.errorCode(id)).toBe('EACCES');
    control.send({ type: 'stat', id: 6, path: 'f.txt' });
    await control.expect(6, 'ok');
    control.send({ type: 'get', id: 7, path: 'f.txt' });
    await control.expect(7, 'ready');
    expect(await readdir(root)).toEqual(['f.txt']);
  });
});
