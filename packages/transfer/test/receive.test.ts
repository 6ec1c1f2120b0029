// FileReceiver: socket → file in pooled blocks, over real loopback sockets and real files.
// Every byte lands in order and is observed in order; the byte limit fails at once; queued
// blocks go out in one writev; every pooled block goes back to the pool, also on failure;
// an interrupted transfer keeps the bytes it received.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { open, readFile } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FileReceiver,
  FileSink,
  PRIVATE_BLOCK_BYTES,
  PRIVATE_FREE_BLOCKS,
  privateBlocksFree,
  RECEIVE_QUEUE_BYTES,
  receiveProcessHeld,
  setReceiveProcessBytes,
  WRITE_PIECE_BYTES,
  writeAll,
} from '../src/index.js';
import { returnBlock, tryTakeBlock } from '../src/send-buffers.js';
import { heldWrites, inUse, MiB, never, sha256, tooMuch, useTemp } from './helpers.js';

const temp = useTemp();

let servers: Array<ReturnType<typeof createServer>> = [];
afterEach(() => {
  for (const server of servers) server.close();
  servers = [];
});

/** A loopback server that sends `data` (then ends, unless `hold`) to whoever connects. */
async function sender(data: Uint8Array, hold = false): Promise<number> {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    if (hold) socket.write(data);
    else socket.end(data);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}

function connectWith(port: number, receiver: FileReceiver): Socket {
  const socket = connect({ host: '127.0.0.1', port, onread: receiver.onread });
  socket.on('error', () => {});
  return socket;
}

describe('FileReceiver', () => {
  it('reads a socket (onread) into the file, observing every byte in order', async () => {
    const data = randomBytes(5 * MiB + 12_345);
    const port = await sender(data);
    const path = join(await temp.dir(), 'out.bin');
    const handle = await open(path, 'w');
    const seen: Buffer[] = [];
    const before = inUse();
    const receiver = new FileReceiver(handle, {
      limit: data.byteLength,
      tooMuch,
      observe: (chunk) => seen.push(Buffer.from(chunk)),
    });
    const count = await receiver.receive(connectWith(port, receiver), never);
    expect(count).toBe(data.byteLength);
    expect(sha256(await readFile(path))).toBe(sha256(data));
    expect(sha256(Buffer.concat(seen))).toBe(sha256(data));
    expect(handle.fd).toBe(-1); // closed after the final sync
    expect(inUse()).toBe(before); // every pooled block is back
  });

  it('while the pool is dry, uses private blocks that pass from one receiver to the next', async () => {
    const taken: Uint8Array[] = [];
    for (let block = tryTakeBlock(); block !== undefined; block = tryTakeBlock()) taken.push(block);
    try {
      const rest = 10;
      const data = randomBytes(3 * PRIVATE_BLOCK_BYTES + rest);
      const receiveOnce = async (name: string) => {
        const port = await sender(data);
        const path = join(await temp.dir(), name);
        const receiver = new FileReceiver(await open(path, 'w'), {
          limit: data.byteLength,
          tooMuch,
        });
        expect(await receiver.receive(connectWith(port, receiver), never)).toBe(data.byteLength);
        expect(sha256(await readFile(path))).toBe(sha256(data));
        return receiver;
      };
      const first = await receiveOnce('dry-1.bin');
      // At most one buffer per byte received, and at least the file's small rest (a buffer of
      // its own size); reported once.
      const made = first.takeMadeBytes();
      expect(made).toBeGreaterThanOrEqual(rest);
      expect(made).toBeLessThanOrEqual(data.byteLength);
      expect(first.takeMadeBytes()).toBe(0);
      // Its private blocks came back, within the bound, for the next receiver.
      const free = privateBlocksFree();
      expect(free).toBeGreaterThan(0);
      expect(free).toBeLessThanOrEqual(PRIVATE_FREE_BLOCKS);
      const second = await receiveOnce('dry-2.bin');
      expect(second.takeMadeBytes()).toBeLessThanOrEqual(data.byteLength);
      expect(privateBlocksFree()).toBeGreaterThanOrEqual(free);
    } finally {
      for (const block of taken) returnBlock(block);
    }
  });

  it('takes data events through push, copying them, and pauses above its queue bound', async () => {
    const data = randomBytes(3 * MiB + 7);
    const { sending, receiving } = await temp.socketPair();
    const path = join(await temp.dir(), 'pushed.bin');
    const receiver = new FileReceiver(await open(path, 'w'), { limit: data.byteLength, tooMuch });
    receiving.on('data', (chunk: Buffer) => {
      if (!receiver.push(chunk)) receiving.pause();
    });
    sending.end(data);
    expect(await receiver.receive(receiving, never)).toBe(data.byteLength);
    expect(sha256(await readFile(path))).toBe(sha256(data));
  });

  it('writes into any Writable (a storage upload stream) and ends when it has closed', async () => {
    const data = randomBytes(2 * MiB + 99);
    const { sending, receiving } = await temp.socketPair();
    const path = join(await temp.dir(), 'stream.bin');
    const sink = new FileSink(await open(path, 'w'));
    const before = inUse();
    const receiver = new FileReceiver(sink, { limit: Number.MAX_SAFE_INTEGER, tooMuch });
    sending.end(data);
    expect(await receiver.receiveEvents(receiving, never)).toBe(data.byteLength);
    expect(sink.closed).toBe(true); // fsynced and closed, as pipeline() would leave it
    expect(sha256(await readFile(path))).toBe(sha256(data));
    expect(inUse()).toBe(before);
  });

  it('gives a Writable that keeps chunks after their callback (an S3 part sink) its own copies', async () => {
    const data = randomBytes(6 * MiB + 7);
    const { sending, receiving } = await temp.socketPair();
    const kept: Uint8Array[] = [];
    // Calls back at once and reads the chunks only at the end, as a part sink does.
    const keeper = new Writable({
      write(chunk: Uint8Array, _encoding, callback) {
        kept.push(chunk);
        callback();
      },
    });
    const receiver = new FileReceiver(keeper, { limit: Number.MAX_SAFE_INTEGER, tooMuch });
    sending.end(data);
    expect(await receiver.receiveEvents(receiving, never)).toBe(data.byteLength);
    expect(sha256(Buffer.concat(kept))).toBe(sha256(data));
  });

  it('fails with the error of a Writable whose write fails (ENOSPC), and nothing is left unhandled', async () => {
    const data = randomBytes(3 * MiB);
    const { sending, receiving } = await temp.socketPair();
    sending.on('error', () => {});
    const uncaught: unknown[] = [];
    const record = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', record);
    try {
      let written = 0;
      // Nothing but the receiver listens to this stream, as with a storage's upload stream.
      const full = new Writable({
        write(chunk: Uint8Array, _encoding, callback) {
          written += chunk.byteLength;
          if (written > MiB)
            callback(Object.assign(new Error('no space left'), { code: 'ENOSPC' }));
          else callback();
        },
      });
      const closed = new Promise((resolve) => full.once('close', resolve));
      const receiver = new FileReceiver(full, { limit: Number.MAX_SAFE_INTEGER, tooMuch });
      sending.end(data);
      await expect(receiver.receiveEvents(receiving, never)).rejects.toMatchObject({
        code: 'ENOSPC',
      });
      await closed; // the stream's 'error' event is emitted before its 'close'
      await new Promise((resolve) => setImmediate(resolve));
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', record);
    }
  });

  it('an abort that comes while the last bytes go to disk still fails the transfer', async () => {
    const { sending, receiving } = await temp.socketPair();
    const path = join(await temp.dir(), 'late.bin');
    const real = await open(path, 'w');
    const stop = new AbortController();
    const handle = {
      writev: (chunks: readonly Uint8Array[]) => real.writev(chunks),
      datasync: () => real.datasync(),
      sync: async () => {
        stop.abort(); // the client's abort, while the final fsync runs
        await real.sync();
      },
      close: () => real.close(),
    };
    const receiver = new FileReceiver(handle, { limit: 10, tooMuch });
    sending.end('abc');
    await expect(receiver.receiveEvents(receiving, stop.signal)).rejects.toMatchObject({
      code: 'ABORT_ERR',
    });
  });

  it('writes the blocks queued behind a slow write in pieces of at most WRITE_PIECE_BYTES', async () => {
    const data = randomBytes(RECEIVE_QUEUE_BYTES - MiB);
    const path = join(await temp.dir(), 'batched.bin');
    const real = await open(path, 'w');
    const calls: number[] = [];
    const sizes: number[] = [];
    let release: () => void = () => {};
    const firstWriteHeld = new Promise<void>((resolve) => (release = resolve));
    const handle = {
      writev: async (chunks: readonly Uint8Array[]) => {
        calls.push(chunks.length);
        sizes.push(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0));
        if (calls.length === 1) await firstWriteHeld;
        return real.writev(chunks);
      },
      datasync: () => real.datasync(),
      sync: () => real.sync(),
      close: () => real.close(),
    };
    const { sending, receiving } = await temp.socketPair();
    const receiver = new FileReceiver(handle, { limit: data.byteLength, tooMuch });
    let pushed = 0;
    const allQueued = new Promise<void>((resolve) => {
      receiving.on('data', (chunk: Buffer) => {
        receiver.push(chunk);
        pushed += chunk.byteLength;
        if (pushed === data.byteLength) resolve();
      });
    });
    sending.end(data);
    await allQueued; // the first write is still held: the other blocks wait behind it
    release();
    await receiver.receive(receiving, never);
    // Every call one piece: the page cache gets small folios (see WRITE_PIECE_BYTES).
    expect(sizes).toEqual(new Array(data.byteLength / WRITE_PIECE_BYTES).fill(WRITE_PIECE_BYTES));
    expect(sha256(await readFile(path))).toBe(sha256(data));
  });

  it('gathers small chunks into one call and splits big ones, never over WRITE_PIECE_BYTES', async () => {
    const chunks = [
      randomBytes(100_000),
      randomBytes(100_000),
      randomBytes(100_000),
      randomBytes(MiB),
    ];
    const calls: Array<readonly Uint8Array[]> = [];
    const written: Buffer[] = [];
    await writeAll(
      {
        writev: async (buffers) => {
          calls.push([...buffers]);
          // A short write on the first call: the rest must follow in order.
          const take = calls.length === 1 ? [buffers[0]!] : buffers;
          for (const buffer of take) written.push(Buffer.from(buffer));
          return { bytesWritten: take.reduce((sum, b) => sum + b.byteLength, 0) };
        },
      },
      chunks,
    );
    expect(sha256(Buffer.concat(written))).toBe(sha256(Buffer.concat(chunks)));
    const sizes = calls.map((call) => call.reduce((sum, b) => sum + b.byteLength, 0));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(WRITE_PIECE_BYTES);
    expect(calls[0]).toHaveLength(3); // two whole chunks and the start of the third
  });

  it('pauses every receiver while the process holds its bound, and resumes them as the writes catch up', async () => {
    const restore = setReceiveProcessBytes(2 * MiB);
    try {
      const before = receiveProcessHeld();
      // A: its writes wait until released, so what it receives stays held.
      const dataA = randomBytes(3 * MiB);
      const pathA = join(await temp.dir(), 'a.bin');
      const { handle, release } = await heldWrites(pathA);
      const a = await temp.socketPair();
      const receiverA = new FileReceiver(handle, { limit: dataA.byteLength, tooMuch });
      const aPaused = once(a.receiving, 'pause');
      const doneA = receiverA.receiveEvents(a.receiving, never);
      a.sending.end(dataA);
      await aPaused; // below its own queue bound (4 MiB), at the process's (2 MiB)
      expect(receiveProcessHeld() - before).toBeGreaterThanOrEqual(2 * MiB);

      // B: nothing of its own held, yet its first chunk finds the process full.
      const dataB = randomBytes(MiB);
      const pathB = join(await temp.dir(), 'b.bin');
      const b = await temp.socketPair();
      const receiverB = new FileReceiver(await open(pathB, 'w'), {
        limit: dataB.byteLength,
        tooMuch,
      });
      const bPaused = once(b.receiving, 'pause');
      const doneB = receiverB.receiveEvents(b.receiving, never);
      b.sending.end(dataB);
      await bPaused;

      release(); // A's writes go out; the room they free resumes both sockets
      expect(await doneA).toBe(dataA.byteLength);
      expect(await doneB).toBe(dataB.byteLength);
      expect(sha256(await readFile(pathA))).toBe(sha256(dataA));
      expect(sha256(await readFile(pathB))).toBe(sha256(dataB));
      expect(receiveProcessHeld()).toBe(before);
    } finally {
      restore();
    }
  });

  it('fails at once on one byte more than the limit, and gives every block back', async () => {
    const data = randomBytes(2 * MiB + 1);
    const port = await sender(data, true);
    const path = join(await temp.dir(), 'long.bin');
    const before = inUse();
    const receiver = new FileReceiver(await open(path, 'w'), { limit: 2 * MiB, tooMuch });
    const error = await receiver.receive(connectWith(port, receiver), never).catch((e) => e);
    expect(error).toMatchObject({ code: 'EPROTO', message: 'too much' });
    expect(receiver.bytes).toBe(2 * MiB);
    expect(inUse()).toBe(before);
  });

  it('an interrupted transfer keeps every byte it received (a resumable prefix)', async () => {
    const data = randomBytes(1000);
    const port = await sender(data, true);
    const path = join(await temp.dir(), 'part.bin');
    const handle = await open(path, 'w');
    const before = inUse();
    const receiver = new FileReceiver(handle, { limit: 4 * MiB, tooMuch });
    const socket = connectWith(port, receiver);
    const stop = new AbortController();
    const received = receiver.receive(socket, stop.signal);
    while (receiver.bytes < data.byteLength) await new Promise((r) => setTimeout(r, 5));
    stop.abort();
    await expect(received).rejects.toMatchObject({ code: 'ABORT_ERR' });
    expect(await readFile(path)).toEqual(data);
    expect(handle.fd).toBe(-1);
    expect(socket.destroyed).toBe(true);
    expect(inUse()).toBe(before);
  });

  it('on a stalled link, what came is written and observed without waiting for a whole block', async () => {
    // 1000 bytes, then nothing more on an open connection: far below a block (1 MiB).
    const data = randomBytes(1000);
    const port = await sender(data, true);
    const path = join(await temp.dir(), 'slow.bin');
    const handle = await open(path, 'w');
    let observed = 0;
    let shown: () => void = () => {};
    const seen = new Promise<void>((resolve) => {
      shown = resolve;
    });
    const receiver = new FileReceiver(handle, {
      limit: 4 * MiB,
      tooMuch,
      observe: (chunk) => {
        observed += chunk.byteLength;
        if (observed === data.byteLength) shown();
      },
    });
    const socket = connectWith(port, receiver);
    const stop = new AbortController();
    const received = receiver.receive(socket, stop.signal);
    await seen; // the flush timer sealed the block: progress moves on a slow link
    while ((await readFile(path)).byteLength < data.byteLength) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(sha256(await readFile(path))).toBe(sha256(data));
    stop.abort();
    await expect(received).rejects.toMatchObject({ code: 'ABORT_ERR' });
  });

  it('a trickle with pauses, flushed between reads, lands whole and in order', async () => {
    // Each piece is sent only once the one before was flushed (observed): the socket holds
    // the rest of the block for its next read while the flushed bytes go to disk.
    const pieces = [randomBytes(1000), randomBytes(70_000), randomBytes(3), randomBytes(200_000)];
    const data = Buffer.concat(pieces);
    let peer: Socket | undefined;
    let connected: () => void = () => {};
    const accepted = new Promise<void>((resolve) => {
      connected = resolve;
    });
    const server = createServer((socket) => {
      socket.on('error', () => {});
      peer = socket;
      connected();
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const path = join(await temp.dir(), 'trickle.bin');
    const handle = await open(path, 'w');
    let observed = 0;
    const waiters: Array<{ bytes: number; resolve: () => void }> = [];
    const receiver = new FileReceiver(handle, {
      limit: data.byteLength,
      tooMuch,
      observe: (chunk) => {
        observed += chunk.byteLength;
        for (const waiter of waiters.filter((w) => observed >= w.bytes)) waiter.resolve();
      },
    });
    const socket = connectWith(port, receiver);
    const received = receiver.receive(socket, never);
    await accepted;
    let sent = 0;
    for (const [i, piece] of pieces.entries()) {
      sent += piece.byteLength;
      const seen = new Promise<void>((resolve) => waiters.push({ bytes: sent, resolve }));
      if (i === pieces.length - 1) peer?.end(piece);
      else peer?.write(piece);
      await seen;
    }
    expect(await received).toBe(data.byteLength);
    expect(sha256(await readFile(path))).toBe(sha256(data));
  });

  it('a write failure is the plain local error naming the file, and stops the socket', async () => {
    const port = await sender(randomBytes(2 * MiB), true);
    const receiver = new FileReceiver(await open('/dev/full', 'w'), {
      limit: 8 * MiB,
      tooMuch,
      path: 'big.bin',
    });
    const socket = connectWith(port, receiver);
    const error = await receiver.receive(socket, never).catch((e) => e);
    expect(error).toMatchObject({ code: 'ENOSPC', path: 'big.bin' });
    expect(socket.destroyed).toBe(true);
  });
});
