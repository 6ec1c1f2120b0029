// File → socket (docs/protocol.md §5, §6.2, §6.7): the pump's few fixed buffers, every chunk
// shown to the caller (hashing, counting, progress) on its way, backpressure from the socket.
// An abort destroys the socket, so a peer that stopped reading cannot hold the transfer.
import type { FileHandle } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { finished } from 'node:stream/promises';
import { type PumpIO, pumpBlocks } from '@cftp/protocol';
import { returnBlock, SEND_BLOCKS_PER_TRANSFER, takeBlock, tryTakeBlock } from './send-buffers.js';

/** Reads up to `buffer.byteLength` bytes at `position`; resolves with the count (0 = end). */
export type ReadAt = (buffer: Uint8Array, position: number) => Promise<number>;

/** Reads through a file handle at explicit positions (the handle's own position is unused). */
export function readFromHandle(handle: FileHandle): ReadAt {
  return async (buffer, position) =>
    (await handle.read(buffer, 0, buffer.byteLength, position)).bytesRead;
}

/** A file to send: its size (as announced) and how to read it. */
export interface SendSource {
  readonly size: number;
  read: ReadAt;
}

/**
 * The most bytes handed to a TLS socket at once. A TLS socket encrypts all it is given and
 * calls back before the kernel has taken the ciphertext, which it holds meanwhile: given a
 * whole 1 MiB block, each download held about 1 MiB of ciphertext outside the block pool
 * (200 sessions: about 30 MiB more server peak RSS, docs/performance.md). A plaintext socket
 * hands its writes to the kernel as they are, so it takes whole blocks.
 */
export const TLS_WRITE_PIECE_BYTES = 256 * 1024;

/** Each TLS socket's last piecewise write: the next one starts after it, so bytes stay in order. */
const tlsTails = new WeakMap<Socket, Promise<void>>();

function writeWhole(socket: Socket, chunk: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.write(chunk, (error) => (error ? reject(error) : resolve()));
  });
}

async function writePieces(socket: Socket, chunk: Uint8Array): Promise<void> {
  let start = 0;
  do {
    await writeWhole(socket, chunk.subarray(start, start + TLS_WRITE_PIECE_BYTES));
    start += TLS_WRITE_PIECE_BYTES;
  } while (start < chunk.byteLength);
}

/**
 * Resolves once `chunk` is handed on, so its memory may be reused: to the kernel for a plain
 * socket; for a TLS socket, a piece at a time (TLS_WRITE_PIECE_BYTES), each after the last
 * has gone, so its ciphertext waiting for the kernel stays one piece. Calls may overlap;
 * the bytes go out in call order either way.
 */
export function writeChunk(socket: Socket, chunk: Uint8Array): Promise<void> {
  if (!('encrypted' in socket && socket.encrypted === true)) return writeWhole(socket, chunk);
  const previous = tlsTails.get(socket);
  const written =
    previous === undefined
      ? writePieces(socket, chunk)
      : previous.then(() => writePieces(socket, chunk));
  tlsTails.set(
    socket,
    written.catch(() => {}),
  );
  return written;
}

/** `read` limited to the first `length` bytes: returns 0 from there on. */
export function readUpTo(read: ReadAt, length: number): ReadAt {
  return (buffer, position) =>
    position >= length
      ? Promise.resolve(0)
      : read(buffer.subarray(0, Math.min(buffer.byteLength, length - position)), position);
}

export interface SendFileOptions {
  /** Position of the first byte to send (a resumed download, §6.2). */
  start?: number;
  /** Sees every chunk, in order, before it is written. */
  observe?: (chunk: Uint8Array) => void;
  signal: AbortSignal;
}

/**
 * Copies until `read` returns 0, as `pump` does (reads overlap with writes in flight), but in
 * blocks of the process's send pool (send-buffers.ts): memory stays bounded however many
 * transfers run, and the blocks are reused rather than collected.
 */
async function pooledPump(io: PumpIO, start: number, signal: AbortSignal): Promise<number> {
  const blocks = [await takeBlock()];
  for (let i = 1; i < SEND_BLOCKS_PER_TRANSFER; i++) {
    const more = tryTakeBlock();
    if (more === undefined) break;
    blocks.push(more);
  }
  return pumpBlocks(io, blocks, {
    start,
    signal,
    // A block goes back only once no write still reads it.
    settled: () => {
      for (const block of blocks) returnBlock(block);
    },
  });
}

/** Runs `send`, then ends `socket` and waits until every byte is handed to the kernel. */
async function sendThenEnd<T>(socket: Socket, signal: AbortSignal, send: () => Promise<T>) {
  const onAbort = () => socket.destroy();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await send();
    socket.end();
    await finished(socket, { readable: false });
    return result;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/**
 * Sends `source` from `start` to its end (until a read returns 0), then ends the socket;
 * resolves with the number of bytes sent.
 */
export function sendFile(
  source: SendSource,
  socket: Socket,
  options: SendFileOptions,
): Promise<number> {
  const start = options.start ?? 0;
  return sendThenEnd(socket, options.signal, () =>
    pooledPump(
      { read: source.read, write: (chunk) => writeChunk(socket, chunk), observe: options.observe },
      start,
      options.signal,
    ),
  );
}

export interface SendFilesOptions {
  /** Sees every chunk of file `index`, in order, before it is written. */
  observe: (index: number, chunk: Uint8Array) => void;
  /** The error for file `index` having fewer bytes than its size said (it shrank). */
  shrank: (index: number) => Error;
  signal: AbortSignal;
}

/**
 * Sends the files back to back over one socket (a batch, §6.7), each exactly its stated
 * size, then ends the socket; resolves with the total sent.
 */
export function sendFiles(
  files: readonly SendSource[],
  socket: Socket,
  options: SendFilesOptions,
): Promise<number> {
  return sendThenEnd(socket, options.signal, async () => {
    let total = 0;
    for (const [index, file] of files.entries()) {
      const sent = await pooledPump(
        {
          read: readUpTo(file.read, file.size),
          write: (chunk) => writeChunk(socket, chunk),
          observe: (chunk) => options.observe(index, chunk),
        },
        0,
        options.signal,
      );
      if (sent !== file.size) throw options.shrank(index);
      total += sent;
    }
    return total;
  });
}
