// FileReceiver.receiveSocket: an accepted socket (the server's side of an upload), plain or
// wrapped in TLS, read straight into the receiver's blocks (readInto) rather than through a
// Buffer per read; bytes the socket read before (behind the token) come first; the byte
// limit and the process-wide bound hold as on the other paths. Real loopback sockets, real
// TLS, real files.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { open, readFile } from 'node:fs/promises';
import { createServer, connect as netConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  FileReceiver,
  FileSink,
  readInto,
  receiveProcessHeld,
  setReceiveProcessBytes,
} from '../src/index.js';
import { heldWrites, inUse, MiB, never, sha256, tooMuch, useTemp } from './helpers.js';

const temp = useTemp();

/** Waits until `socket` holds some unread bytes in its readable buffer (paused mode). */
async function buffered(socket: Socket): Promise<void> {
  while (socket.readableLength === 0) await once(socket, 'readable');
}

let opened: Socket[] = [];
afterEach(() => {
  for (const socket of opened) socket.destroy();
  opened = [];
});

describe('FileReceiver.receiveSocket', () => {
  it.each([
    { what: 'an accepted socket', pair: () => temp.socketPair(), head: 1000, rest: 3 * MiB + 17 },
    {
      what: 'a TLS socket over an accepted one (the server side)',
      pair: () => temp.tlsPair(),
      head: 300,
      rest: 5 * MiB + 3,
    },
  ])('reads $what into its blocks, bytes it read before included', async (each) => {
    const head = randomBytes(each.head);
    const rest = randomBytes(each.rest);
    const { sending, receiving } = await each.pair();
    sending.write(head);
    await buffered(receiving); // as the token read leaves the payload behind it
    const path = join(await temp.dir(), 'received.bin');
    const before = inUse();
    const receiver = new FileReceiver(new FileSink(await open(path, 'w')), {
      limit: Number.MAX_SAFE_INTEGER,
      tooMuch,
    });
    const done = receiver.receiveSocket(receiving, never);
    expect(receiver.direct).toBe(true);
    sending.end(rest);
    expect(await done).toBe(head.byteLength + rest.byteLength);
    expect(sha256(await readFile(path))).toBe(sha256(Buffer.concat([head, rest])));
    expect(inUse()).toBe(before);
  });

  it('fails at once on one byte beyond the limit', async () => {
    const { sending, receiving } = await temp.tlsPair();
    const path = join(await temp.dir(), 'over.bin');
    const receiver = new FileReceiver(await open(path, 'w'), { limit: MiB, tooMuch });
    const done = receiver.receiveSocket(receiving, never);
    sending.write(randomBytes(MiB + 1));
    await expect(done).rejects.toMatchObject({ code: 'EPROTO' });
  });

  it('leaves a socket that already reads into a buffer as it is', async () => {
    const listener = createServer();
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const address = listener.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const owned = netConnect({
      host: '127.0.0.1',
      port,
      onread: { buffer: Buffer.alloc(16), callback: () => true },
    });
    opened.push(owned);
    owned.on('error', () => {});
    const [accepted] = (await once(listener, 'connection')) as [Socket];
    opened.push(accepted);
    listener.close();
    const onread = { buffer: () => new Uint8Array(16), callback: () => true };
    expect(readInto(owned, onread)).toBe(false);
    expect(readInto(accepted, onread)).toBe(true);
  });

  it('pauses at the process bound and is resumed as the writes catch up', async () => {
    const restore = setReceiveProcessBytes(2 * MiB);
    try {
      const before = receiveProcessHeld();
      const dataA = randomBytes(3 * MiB);
      const pathA = join(await temp.dir(), 'a.bin');
      const { handle, release } = await heldWrites(pathA);
      // A's writes wait for the gate: what it receives stays held, up to the bound.
      let seenA = 0;
      let atBound: () => void = () => {};
      const aHolds = new Promise<void>((resolve) => (atBound = resolve));
      const a = await temp.tlsPair();
      const receiverA = new FileReceiver(handle, {
        limit: dataA.byteLength,
        tooMuch,
        observe: (block) => {
          seenA += block.byteLength;
          if (seenA >= 2 * MiB) atBound();
        },
      });
      const doneA = receiverA.receiveSocket(a.receiving, never);
      a.sending.end(dataA);
      await aHolds;
      expect(receiveProcessHeld() - before).toBeGreaterThanOrEqual(2 * MiB);

      // B finds the process full from its first bytes on: it pauses (its first bytes reach
      // `observe` within RECEIVE_FLUSH_MS all the same), and goes on only when A's writes
      // free room and resume it.
      const dataB = randomBytes(MiB + 5);
      const pathB = join(await temp.dir(), 'b.bin');
      const b = await temp.tlsPair();
      let firstB: () => void = () => {};
      const bLanded = new Promise<void>((resolve) => (firstB = resolve));
      const receiverB = new FileReceiver(await open(pathB, 'w'), {
        limit: dataB.byteLength,
        tooMuch,
        observe: () => firstB(),
      });
      const resumes = vi.spyOn(b.receiving, 'resume');
      const doneB = receiverB.receiveSocket(b.receiving, never);
      b.sending.end(dataB);
      await bLanded;
      const resumedBefore = resumes.mock.calls.length;
      release();
      expect(await doneA).toBe(dataA.byteLength);
      expect(await doneB).toBe(dataB.byteLength);
      expect(resumes.mock.calls.length).toBeGreaterThan(resumedBefore); // by A's writes
      expect(sha256(await readFile(pathA))).toBe(sha256(dataA));
      expect(sha256(await readFile(pathB))).toBe(sha256(dataB));
      expect(receiveProcessHeld()).toBe(before);
    } finally {
      restore();
    }
  });
});
