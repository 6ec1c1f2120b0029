// The engine's policy hook and events: `authorize(session, op, path)` refuses with EACCES
// (docs/protocol.md §11), and 'session' / 'operation' / 'sessionClose' report what happened.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openData, readAll, sendAndEnd, sha256 } from '@cftp/wire-test';
import { describe, expect, it } from 'vitest';
import type { Operation, SessionInfo } from '../src/index.js';
import { collectOperations, useFixture } from './fixture.js';

const fx = useFixture();

describe('authorize hook (docs/protocol.md §11 EACCES)', () => {
  it('refuses list, get and put with EACCES when it returns false, before any ready', async () => {
    const { port, root } = await fx.start({ authorize: () => false });
    await writeFile(join(root, 'f.txt'), 'x');
    const control = await fx.control(port);
    control.send({ type: 'list', id: 1 });
    control.send({ type: 'get', id: 2, path: 'f.txt' });
    control.send({ type: 'put', id: 3, path: 'new.txt', size: 1 });
    expect(await control.errorCode(1)).toBe('EACCES');
    expect(await control.errorCode(2)).toBe('EACCES');
    expect(await control.errorCode(3)).toBe('EACCES');
    expect(control.log.some((message) => message.type === 'ready')).toBe(false);
    expect(await readdir(root)).toEqual(['f.txt']);
  });

  it('receives the session, the operation and the normalised path, and may be async', async () => {
    const calls: Array<{ session: SessionInfo; operation: Operation; path: string }> = [];
    const { port, root } = await fx.start({
      authorize: async (session, operation, path) => {
        calls.push({ session, operation, path });
        return path !== 'sub/secret.txt';
      },
    });
    await mkdir(join(root, 'sub'));
    await writeFile(join(root, 'sub', 'secret.txt'), 'no');
    await writeFile(join(root, 'sub', 'open.txt'), 'yes');
    const control = await fx.control(port);

    control.send({ type: 'get', id: 1, path: './sub/secret.txt' });
    expect(await control.errorCode(1)).toBe('EACCES');
    control.send({ type: 'get', id: 2, path: 'sub/open.txt' });
    const ready = await control.expect(2, 'ready');
    expect((await readAll(fx.track(await openData(ready.port, ready.token)))).toString()).toBe(
      'yes',
    );
    await control.expect(2, 'done');
    control.send({ type: 'list', id: 3, path: '' });
    await control.expect(3, 'ready');

    expect(calls.map(({ operation, path }) => [operation, path])).toEqual([
      ['get', 'sub/secret.txt'],
      ['get', 'sub/open.txt'],
      ['list', ''],
    ]);
    const session = calls[0]!.session;
    expect(session.remoteAddress).toBe('127.0.0.1');
    expect(session.remotePort).toBe(control.socket.localPort);
    expect(session.id).toBeGreaterThanOrEqual(1);
    expect(calls.every((call) => call.session === session)).toBe(true);
  });

  it('is not consulted for paths that §9 already refuses', async () => {
    let consulted = 0;
    const { port } = await fx.start({
      authorize: () => {
        consulted++;
        return true;
      },
    });
    const control = await fx.control(port);
    control.send({ type: 'get', id: 1, path: '../etc/passwd' });
    expect(await control.errorCode(1)).toBe('EBADNAME');
    expect(consulted).toBe(0);
  });

  it('turns a throwing hook into an error reply, not a crash', async () => {
    const { port } = await fx.start({
      authorize: () => {
        throw new Error('policy backend down');
      },
    });
    const control = await fx.control(port);
    control.send({ type: 'list', id: 1 });
    expect(await control.errorCode(1)).toBe('EIO');
    control.send({ type: 'quit', id: 2 });
    await control.expect(2, 'ok');
  });
});

describe('server events', () => {
  it("emits 'session', 'operation' per request, and 'sessionClose'", async () => {
    const { server, port, root } = await fx.start();
    await writeFile(join(root, 'f.txt'), 'twelve bytes');
    const sessions: SessionInfo[] = [];
    const operations = collectOperations(server);
    const closes: Array<{ session: SessionInfo; reason: string }> = [];
    server.on('session', (session) => sessions.push(session));
    const closed = new Promise<void>((resolve) =>
      server.on('sessionClose', (session, reason) => {
        closes.push({ session, reason });
        resolve();
      }),
    );

    const control = await fx.control(port);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({
      remoteAddress: '127.0.0.1',
      remotePort: control.socket.localPort,
    });

    control.send({ type: 'get', id: 1, path: 'f.txt' });
    const ready = await control.expect(1, 'ready');
    await readAll(fx.track(await openData(ready.port, ready.token)));
    await control.expect(1, 'done');

    control.send({ type: 'get', id: 2, path: 'missing.txt' });
    await control.errorCode(2);

    const data = Buffer.from('uploaded');
    control.send({ type: 'put', id: 3, path: 'up.txt', size: data.byteLength });
    const putReady = await control.expect(3, 'ready');
    await sendAndEnd(fx.track(await openData(putReady.port, putReady.token)), data);
    control.send({ type: 'done', id: 3, size: data.byteLength, sha256: sha256(data) });
    await control.expect(3, 'ok');

    control.send({ type: 'quit', id: 4 });
    await control.expect(4, 'ok');
    await closed;

    expect(await operations.first(3)).toEqual([
      expect.objectContaining({ operation: 'get', path: 'f.txt', bytes: 12, outcome: 'ok' }),
      expect.objectContaining({
        operation: 'get',
        path: 'missing.txt',
        bytes: 0,
        outcome: 'ENOENT',
      }),
      expect.objectContaining({ operation: 'put', path: 'up.txt', bytes: 8, outcome: 'ok' }),
    ]);
    for (const event of await operations.first(3)) {
      expect(event.session).toBe(sessions[0]);
      expect(event.durationMs).toBeGreaterThanOrEqual(0);
    }
    expect(closes).toEqual([{ session: sessions[0], reason: 'quit' }]);
  });

  it("reports a list's bytes and a failed transfer's code in 'operation'", async () => {
    // 1 s: the list's data connection must come in time even on a loaded machine.
    const { server, port, root } = await fx.start({ dataAcceptTimeoutMs: 1000 });
    await writeFile(join(root, 'a'), 'a');
    const operations = collectOperations(server);
    const control = await fx.control(port);
    control.send({ type: 'list', id: 1 });
    const ready = await control.expect(1, 'ready');
    const listing = await readAll(fx.track(await openData(ready.port, ready.token)));
    await control.expect(1, 'done');
    control.send({ type: 'get', id: 2, path: 'a' });
    expect(await control.finalErrorCode(2)).toBe('ETIMEDOUT');
    expect(await operations.first(2)).toEqual([
      expect.objectContaining({ operation: 'list', bytes: listing.byteLength, outcome: 'ok' }),
      expect.objectContaining({ operation: 'get', path: 'a', bytes: 0, outcome: 'ETIMEDOUT' }),
    ]);
  });
});
