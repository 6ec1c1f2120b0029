// Data-channel theft (docs/protocol.md §5, docs/security.md "Data channels"), against a real
// `cftp server`: a wrong token, the right token from another address, a second or a late
// connection, no connection at all. Each attempt must fail with its own code, deliver no byte
// of the file and leave the port closed. And a flood of requests that never connect cannot
// pile up listening sockets beyond maxInFlight per session.
import { randomBytes } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import { connect as netConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import { listeningSockets, processUsage, type ServerProcess, startServer } from '@cftp/testkit';
import { Control, firstChunk, openData, readAll, tryConnect } from '@cftp/wire-test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MiB, sha256, until, useHostile } from './support.js';

const hostile = useHostile('data-channels');

const SECRET = randomBytes(4 * MiB);
const MAX_IN_FLIGHT = 16;
let root: string;
let server: ServerProcess;
const theft = { attempts: 0, succeeded: 0 };

beforeAll(async () => {
  root = await hostile.tempDir();
  await writeFile(join(root, 'secret.bin'), SECRET);
  server = hostile.server(
    await startServer(root, ['--quiet', '--data-timeout', '400ms', '--max-in-flight', '16']),
  );
});

afterAll(() => {
  hostile.figures.theftAttempts = theft.attempts;
  hostile.figures.theftSucceeded = theft.succeeded;
});

/** Records one attempt: stolen when the thief got any byte of the file or planted any. */
function record(stolenBytes: number): void {
  theft.attempts++;
  if (stolenBytes > 0) theft.succeeded++;
}

async function victimGet(control: Control) {
  const id = control.newId();
  control.send({ type: 'get', id, path: 'secret.bin' });
  const ready = await control.expect(id, 'ready');
  return { id, ready };
}

describe('stealing a download', () => {
  it('with a wrong token: EDATAAUTH, no byte, port closed', async () => {
    const victim = await Control.ready(server.port);
    const { id, ready } = await victimGet(victim);
    const thief = await openData(ready.port, randomBytes(32));
    const stolen = await readAll(thief);
    record(stolen.byteLength);
    expect(stolen.byteLength).toBe(0);
    expect(await victim.finalErrorCode(id)).toBe('EDATAAUTH');
    expect((await tryConnect(ready.port)).refused).toBe(true);
    victim.close();
  });

  it('with the right token from another address: EDATAAUTH, no byte', async () => {
    const victim = await Control.ready(server.port);
    const { id, ready } = await victimGet(victim);
    const thief = await openData(ready.port, ready.token, '127.0.0.2');
    const stolen = await readAll(thief);
    record(stolen.byteLength);
    expect(stolen.byteLength).toBe(0);
    expect(await victim.finalErrorCode(id)).toBe('EDATAAUTH');
    victim.close();
  });

  it('from another session guessing tokens, one connection per listener', async () => {
    const victim = await Control.ready(server.port);
    const intruder = await Control.ready(server.port);
    const { id, ready } = await victimGet(victim);
    const guesses = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const result = await tryConnect(ready.port);
        if (result.refused) return 0;
        result.socket.write(randomBytes(32));
        return (await readAll(result.socket)).byteLength;
      }),
    );
    for (const bytes of guesses) record(bytes);
    expect(guesses.every((bytes) => bytes === 0)).toBe(true);
    expect(await victim.finalErrorCode(id)).toBe('EDATAAUTH');
    expect(intruder.log.map((message) => message.type)).toEqual(['welcome']);
    victim.close();
    intruder.close();
  });

  it('by a second connection while the owner streams: refused, the owner gets every byte', async () => {
    const victim = await Control.ready(server.port);
    const { id, ready } = await victimGet(victim);
    const owner = await openData(ready.port, ready.token);
    const head = await firstChunk(owner); // accepted and authenticated
    const second = await tryConnect(ready.port);
    let stolen = 0;
    if (!second.refused) {
      second.socket.write(Buffer.from(ready.token, 'hex'));
      stolen = (await readAll(second.socket)).byteLength;
    }
    record(stolen);
    expect(stolen).toBe(0);
    const rest = await readAll(owner.resume());
    const received = Buffer.concat([head ?? Buffer.alloc(0), rest]);
    const done = await victim.expect(id, 'done');
    expect(sha256(received)).toBe(done.sha256);
    expect(done.sha256).toBe(sha256(SECRET));
    victim.close();
  });

  it('by a late connection with the right token after the transfer: refused', async () => {
    const victim = await Control.ready(server.port);
    const { id, ready } = await victimGet(victim);
    await readAll(await openData(ready.port, ready.token));
    await victim.expect(id, 'done');
    const late = await tryConnect(ready.port);
    let stolen = 0;
    if (!late.refused) {
      late.socket.write(Buffer.from(ready.token, 'hex'));
      stolen = (await readAll(late.socket)).byteLength;
    }
    record(stolen);
    expect(late.refused).toBe(true);
    victim.close();
  });

  it('when nobody connects within the accept timeout: ETIMEDOUT, then the port is closed', async () => {
    const victim = await Control.ready(server.port);
    const { id, ready } = await victimGet(victim);
    expect(await victim.finalErrorCode(id)).toBe('ETIMEDOUT');
    const late = await tryConnect(ready.port);
    record(late.refused ? 0 : (await readAll(late.socket)).byteLength);
    expect(late.refused).toBe(true);
    victim.close();
  });

  it('with a token cut short and then silence: ETIMEDOUT or EDATAAUTH, no byte', async () => {
    const victim = await Control.ready(server.port);
    const { id, ready } = await victimGet(victim);
    const thief = await openData(ready.port, Buffer.from(ready.token, 'hex').subarray(0, 16));
    const stolen = await readAll(thief);
    record(stolen.byteLength);
    expect(stolen.byteLength).toBe(0);
    expect(['ETIMEDOUT', 'EDATAAUTH']).toContain(await victim.finalErrorCode(id));
    victim.close();
  });
});

describe('hijacking an upload', () => {
  it('with a wrong token: the thief’s bytes are never committed', async () => {
    const victim = await Control.ready(server.port);
    const id = victim.newId();
    victim.send({ type: 'put', id, path: 'planted.txt', size: 5 });
    const ready = await victim.expect(id, 'ready');
    const thief = await openData(ready.port, randomBytes(32));
    thief.end(Buffer.from('evil!'));
    await readAll(thief);
    victim.send({ type: 'done', id, size: 5, sha256: sha256(Buffer.from('evil!')) });
    expect(await victim.finalErrorCode(id)).toBe('EDATAAUTH');
    const planted = (await readdir(root)).filter((name) => name.includes('planted'));
    record(planted.length);
    expect(planted).toEqual([]);
    victim.close();
  });
});

describe('finished data connections that the client never closes', () => {
  it('cannot pile up descriptors: at most maxInFlight linger per session', async () => {
    await writeFile(join(root, 'small.txt'), 'small');
    const control = await Control.ready(server.port);
    const baseline = processUsage(server.pid).fds;
    const kept: Socket[] = [];
    for (let i = 0; i < 60; i++) {
      const id = control.newId();
      control.send({ type: 'get', id, path: 'small.txt' });
      const ready = await control.expect(id, 'ready');
      // The token, then bytes that have no business on a download channel; and the client
      // never closes its side (a half-open socket that ignores the server's FIN).
      const data = netConnect({ host: '127.0.0.1', port: ready.port, allowHalfOpen: true });
      data.on('error', () => {});
      data.write(Buffer.concat([Buffer.from(ready.token, 'hex'), randomBytes(100)]));
      kept.push(data);
      await firstChunk(data);
      await control.expect(id, 'done');
    }
    const held = processUsage(server.pid).fds - baseline;
    hostile.figures.unclosedDataConnections = kept.length;
    hostile.figures.unclosedDataConnectionsHeldByServer = held;
    expect(held).toBeLessThanOrEqual(MAX_IN_FLIGHT + 1);
    control.close();
    await until(
      () => processUsage(server.pid).fds,
      (fds) => fds < baseline,
      'session close',
    );
    for (const socket of kept) socket.destroy();
  });
});

describe('a flood of data-channel requests that never connect', () => {
  it(`opens at most ${MAX_IN_FLIGHT} listeners per session, and none are left after`, async () => {
    const baseline = listeningSockets(server.pid);
    expect(baseline).toBe(1); // the control listener
    const sessions = await Promise.all(Array.from({ length: 4 }, () => Control.ready(server.port)));
    for (const session of sessions) {
      for (let i = 0; i < 200; i++) {
        session.send({ type: 'get', id: session.newId(), path: 'secret.bin' });
      }
    }
    // Every request is answered: `ready` for the first 16 of each session, EBUSY for the rest.
    for (const session of sessions) {
      await until(
        () => session.log.filter((m) => m.type === 'ready' || m.type === 'error').length,
        (n) => n >= 200,
        'replies to the flood',
      );
    }
    const during = listeningSockets(server.pid);
    const readies = sessions.map((s) => s.log.filter((m) => m.type === 'ready').length);
    const busy = sessions.map(
      (s) => s.log.filter((m) => m.type === 'error' && m.code === 'EBUSY').length,
    );
    hostile.figures.floodRequests = 4 * 200;
    hostile.figures.floodListenersPeak = during - baseline;
    expect(readies.every((n) => n <= MAX_IN_FLIGHT)).toBe(true);
    expect(busy.every((n) => n >= 200 - MAX_IN_FLIGHT)).toBe(true);
    expect(during - baseline).toBeLessThanOrEqual(4 * MAX_IN_FLIGHT);
    // The accept timeout closes them all.
    await until(
      () => listeningSockets(server.pid),
      (n) => n === baseline,
      'listeners closing',
    );
    for (const session of sessions) session.close();
  });
});
