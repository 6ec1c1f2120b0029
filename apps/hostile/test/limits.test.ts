// Limits and timeouts against a real `cftp server` (docs/protocol.md §12, docs/security.md
// "Limits"): session caps overall and per address, the frame size, slowloris connections,
// idle sessions, and clients that never read (server memory must stay bounded).
import { open, writeFile } from 'node:fs/promises';
import { connect as netConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { encodeMessage } from '@cftp/protocol';
import { processUsage, runCftp, startServer } from '@cftp/testkit';
import { Control, frameHeader, openData, rawFrame } from '@cftp/wire-test';
import { describe, expect, it } from 'vitest';
import { MiB, until, useHostile } from './support.js';

const hostile = useHostile('limits');

function connectRaw(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: '127.0.0.1', port });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => {});
      resolve(socket);
    });
  });
}

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) resolve();
    else socket.once('close', () => resolve());
  });
}

describe('session limits (EBUSY)', () => {
  it('--max-sessions: the next client is refused with EBUSY, cftp client says so', async () => {
    const root = await hostile.tempDir();
    const server = hostile.server(await startServer(root, ['--max-sessions', '3']));
    const held = await Promise.all([1, 2, 3].map(() => Control.ready(server.port)));
    const refused = await Control.open(server.port);
    expect(await refused.next()).toMatchObject({ type: 'error', id: null, code: 'EBUSY' });
    await refused.closed;
    const cli = await runCftp(['client', '127.0.0.1', String(server.port)], {
      cwd: root,
      input: 'ls\n',
    });
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toContain('EBUSY');
    await server.waitForLog((line) => line.msg === 'session refused', 'a refusal log line');
    held[0]!.close();
    await server.waitForLog((line) => line.msg === 'session close', 'a session close');
    const again = await Control.ready(server.port);
    expect(again.isOpen).toBe(true);
    for (const control of [...held, again]) control.close();
  });

  it('--max-sessions-per-address: the same address is refused, another is not', async () => {
    const root = await hostile.tempDir();
    const server = hostile.server(await startServer(root, ['--max-sessions-per-address', '2']));
    const held = await Promise.all([1, 2].map(() => Control.ready(server.port)));
    const third = await Control.open(server.port);
    expect(await third.next()).toMatchObject({ type: 'error', id: null, code: 'EBUSY' });
    const other = await Control.open(server.port, '127.0.0.1', '127.0.0.2');
    expect((await other.hello()).type).toBe('welcome');
    for (const control of [...held, third, other]) control.close();
  });
});

describe('frames (§2)', () => {
  it('--max-frame-size: a longer frame is EFRAMESIZE and closes, one that fits is fine', async () => {
    const root = await hostile.tempDir();
    const server = hostile.server(await startServer(root, ['--max-frame-size', '1024']));
    const big = await Control.ready(server.port);
    big.sendRaw(frameHeader(1025)); // refused on the header, before any payload
    expect(await big.next()).toMatchObject({ type: 'error', code: 'EFRAMESIZE' });
    await big.closed;
    const fits = await Control.ready(server.port);
    const pad = 'x'.repeat(
      1024 - JSON.stringify({ type: 'stat', id: 7, path: '', pad: '' }).length,
    );
    fits.sendRaw(rawFrame(JSON.stringify({ type: 'stat', id: 7, path: '', pad })));
    expect((await fits.reply(7)).type).toBe('ok');
    fits.close();
  });
});

describe('slowloris', () => {
  const CONNECTIONS = 200;

  it(`${CONNECTIONS} connections dribbling a byte at a time are cut off; memory stays bounded`, async () => {
    const root = await hostile.tempDir();
    const server = hostile.server(
      await startServer(root, ['--quiet', '--handshake-timeout', '1s', '--idle-timeout', '1s']),
    );
    const before = processUsage(server.pid);
    // Half never finish a hello; half say hello, then dribble a frame that never completes.
    const sockets = await Promise.all(
      Array.from({ length: CONNECTIONS }, async (_, i) => {
        const socket = await connectRaw(server.port);
        if (i % 2 === 1) {
          socket.write(encodeMessage({ type: 'hello', id: 1, version: 1, features: ['sha256'] }));
        }
        socket.write(frameHeader(60_000));
        return socket;
      }),
    );
    const started = performance.now();
    const ends = sockets.map((socket) => closed(socket).then(() => performance.now() - started));
    let peakRssKiB = before.rssKiB;
    let held = CONNECTIONS;
    const good = await hostile.client(server.port);
    const goodLatencies: number[] = [];
    while (held > 0 && performance.now() - started < 5000) {
      for (const socket of sockets) if (!socket.destroyed) socket.write('x');
      peakRssKiB = Math.max(peakRssKiB, processUsage(server.pid).rssKiB);
      const t = performance.now();
      await good.stat('');
      goodLatencies.push(performance.now() - t);
      await delay(100); // the dribble rate: one byte per connection per 100 ms
      held = sockets.filter((socket) => !socket.destroyed).length;
    }
    // Cut at the timeout (FIN); a peer that does not read its FIN is destroyed 1 s later.
    const heldForMs = Math.max(...(await Promise.all(ends)));
    hostile.figures.slowlorisConnections = CONNECTIONS;
    hostile.figures.slowlorisCutAfterMs = Math.round(heldForMs);
    hostile.figures.slowlorisRssBeforeKiB = before.rssKiB;
    hostile.figures.slowlorisRssPeakKiB = peakRssKiB;
    hostile.figures.slowlorisGoodSessionMaxLatencyMs = Math.round(Math.max(...goodLatencies));
    expect(heldForMs).toBeLessThan(4000);
    // Each connection buffers at most one frame (≤ 60 000 bytes here, far fewer dribbled).
    expect(peakRssKiB - before.rssKiB).toBeLessThan(64 * 1024);
    expect(server.isRunning()).toBe(true);
  });
});

describe('idle sessions (§10)', () => {
  it('--idle-timeout: a session that says nothing is told ETIMEDOUT and closed', async () => {
    const root = await hostile.tempDir();
    const server = hostile.server(await startServer(root, ['--idle-timeout', '300ms']));
    const control = await Control.ready(server.port);
    expect(await control.next()).toMatchObject({ type: 'error', id: null, code: 'ETIMEDOUT' });
    await control.closed;
    const line = await server.waitForLog((l) => l.msg === 'session close', 'session close');
    expect(line.reason).toBe('idle timeout');
  });
});

describe('clients that never read (backpressure)', () => {
  it('pipelined requests whose replies are never read: the server stops reading, RSS bounded', async () => {
    const root = await hostile.tempDir();
    const server = hostile.server(await startServer(root, ['--quiet']));
    const before = processUsage(server.pid).rssKiB;
    const socket = await connectRaw(server.port);
    socket.pause(); // never read a reply
    socket.write(encodeMessage({ type: 'hello', id: 1, version: 1, features: ['sha256'] }));
    // 64 MiB of requests, each answered by a longer reply; written as fast as the server takes them.
    const request = (id: number) => encodeMessage({ type: 'stat', id, path: '' });
    let sent = 0;
    let id = 2;
    // An outer bound on the loop, not a measure: the server stops reading long before 64 MiB.
    const deadline = performance.now() + 30_000;
    let blockedSince: number | undefined;
    while (sent < 64 * MiB && performance.now() < deadline) {
      const batch = Buffer.concat(Array.from({ length: 1000 }, () => request(id++)));
      sent += batch.byteLength;
      if (!socket.write(batch)) {
        const drained = await Promise.race([
          new Promise<boolean>((resolve) => socket.once('drain', () => resolve(true))),
          delay(1000).then(() => false),
        ]);
        if (!drained) {
          blockedSince = performance.now();
          break; // the server has stopped reading us
        }
      }
    }
    const peak = processUsage(server.pid).rssKiB;
    hostile.figures.neverReadRequestsSentMiB = Math.round(sent / MiB);
    hostile.figures.neverReadRssGrowthKiB = peak - before;
    expect(blockedSince).toBeDefined();
    expect(sent).toBeLessThan(64 * MiB);
    expect(peak - before).toBeLessThan(96 * 1024);
    // A well-behaved session is still served.
    const good = await hostile.client(server.port);
    expect((await good.stat('')).type).toBe('dir');
    socket.destroy();
  });

  it('a download never read: bounded memory, then --stall-timeout fails it with ETIMEDOUT', async () => {
    const root = await hostile.tempDir();
    const big = await open(join(root, 'huge.bin'), 'w');
    await big.truncate(1024 * MiB); // a sparse 1 GiB file
    await big.close();
    await writeFile(join(root, 'small.txt'), 'small');
    const server = hostile.server(await startServer(root, ['--quiet', '--stall-timeout', '1s']));
    const before = processUsage(server.pid).rssKiB;
    const control = await Control.ready(server.port);
    const ids = [1, 2, 3, 4];
    for (const id of ids) control.send({ type: 'get', id, path: 'huge.bin' });
    const sockets: Socket[] = [];
    for (const id of ids) {
      const ready = await control.expect(id, 'ready');
      const data = await openData(ready.port, ready.token);
      data.pause(); // never read
      sockets.push(data);
    }
    let peak = before;
    const watching = (async () => {
      while (control.log.filter((m) => m.type === 'error').length < ids.length) {
        peak = Math.max(peak, processUsage(server.pid).rssKiB);
        await delay(50);
      }
    })();
    for (const id of ids) expect(await control.finalErrorCode(id)).toBe('ETIMEDOUT');
    await watching;
    hostile.figures.stalledDownloads = ids.length;
    hostile.figures.stalledDownloadRssGrowthKiB = peak - before;
    expect(peak - before).toBeLessThan(96 * 1024);
    control.send({ type: 'stat', id: 9, path: 'small.txt' });
    expect((await control.reply(9)).type).toBe('ok');
    for (const socket of sockets) socket.destroy();
    control.close();
    await until(
      () => processUsage(server.pid).fds,
      (fds) => fds < 40,
      'descriptors after the stalled downloads',
    );
  });
});
