// The data-moving operations: list, get, put (docs/protocol.md §6). Each opens its own data
// channel, streams with backpressure, and states or checks size + SHA-256 (§7).
import { createHash, type Hash } from 'node:crypto';
import type { Socket } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import {
  DataChannelError,
  type Done,
  IntegrityError,
  pump,
  type ServerMessage,
} from '@cftp/protocol';
import { type DataChannel, openDataChannel } from './data-channel.js';
import type { ReadableFile, Storage } from './storage.js';

export interface OperationContext {
  readonly id: number;
  readonly storage: Storage;
  readonly signal: AbortSignal;
  /** Local and remote address of the control connection. */
  readonly localAddress: string;
  readonly remoteAddress: string;
  readonly dataAcceptTimeoutMs: number;
  send(message: ServerMessage): void;
  /** Resolves with the client's `done` for this upload (§6.3). */
  clientDone(): Promise<Done>;
}

export interface OperationResult {
  bytes: number;
}

/** Counts and hashes bytes as they pass; the digest is ready once the stream has ended. */
export class DigestCounter extends Transform {
  bytes = 0;
  private readonly hash = createHash('sha256');

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.byteLength;
    this.hash.update(chunk);
    callback(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

const LINGER_MS = 30_000;

async function withDataChannel<T>(
  ctx: OperationContext,
  announce: (channel: DataChannel) => void,
  use: (socket: Socket) => Promise<T>,
): Promise<T> {
  const channel = await openDataChannel({
    host: ctx.localAddress,
    peer: ctx.remoteAddress,
    acceptTimeoutMs: ctx.dataAcceptTimeoutMs,
    signal: ctx.signal,
  });
  let socket: Socket | undefined;
  let succeeded = false;
  try {
    announce(channel);
    socket = await channel.connection;
    const result = await use(socket);
    succeeded = true;
    return result;
  } finally {
    channel.close();
    if (socket !== undefined) {
      // On success both sides have sent FIN and the socket closes by itself; destroying it
      // now could reset a connection whose last bytes are still in flight.
      if (succeeded) socket.setTimeout(LINGER_MS, () => socket?.destroy());
      else socket.destroy();
    }
  }
}

/** Lost data connections become EDATA; aborts keep their own reason. */
function dataError(error: unknown, signal: AbortSignal): unknown {
  if (signal.aborted) return signal.reason;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    code === 'ERR_STREAM_DESTROYED' ||
    code === 'ECONNRESET' ||
    code === 'EPIPE'
  ) {
    return new DataChannelError('EDATA', 'data connection lost before the transfer completed');
  }
  return error;
}

/**
 * File → socket with a few fixed buffers (the pump), hashing each chunk on the way; ends the
 * socket and resolves once every byte is handed to the kernel. Abort destroys the socket.
 */
async function sendFile(
  file: ReadableFile,
  socket: Socket,
  hash: Hash,
  signal: AbortSignal,
): Promise<number> {
  const onAbort = () => socket.destroy();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const bytes = await pump(
      {
        read: (buffer, position) => file.read(buffer, position),
        write: (chunk) => writeChunk(socket, chunk),
        observe: (chunk) => hash.update(chunk),
      },
      { expectedBytes: file.size, signal },
    );
    socket.end();
    await finished(socket, { readable: false });
    return bytes;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

function writeChunk(socket: Socket, chunk: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.write(chunk, (error) => (error ? reject(error) : resolve()));
  });
}

export async function runList(ctx: OperationContext, segments: string[]): Promise<OperationResult> {
  const batches = await ctx.storage.list(segments);
  return withDataChannel(
    ctx,
    (channel) => ctx.send({ type: 'ready', id: ctx.id, port: channel.port, token: channel.token }),
    async (socket) => {
      const counter = new DigestCounter();
      let count = 0;
      async function* lines() {
        for await (const batch of batches) {
          count += batch.length;
          yield batch.map((entry) => `${JSON.stringify(entry)}\n`).join('');
        }
      }
      try {
        await pipeline(lines, counter, socket, { signal: ctx.signal });
      } catch (error) {
        throw dataError(error, ctx.signal);
      }
      ctx.send({ type: 'done', id: ctx.id, size: counter.bytes, sha256: counter.digest(), count });
      return { bytes: counter.bytes };
    },
  );
}

export async function runGet(ctx: OperationContext, segments: string[]): Promise<OperationResult> {
  const file = await ctx.storage.openRead(segments);
  try {
    return await withDataChannel(
      ctx,
      (channel) =>
        ctx.send({
          type: 'ready',
          id: ctx.id,
          port: channel.port,
          token: channel.token,
          size: file.size,
        }),
      async (socket) => {
        const hash = createHash('sha256');
        let bytes: number;
        try {
          bytes = await sendFile(file, socket, hash, ctx.signal);
        } catch (error) {
          throw dataError(error, ctx.signal);
        }
        ctx.send({ type: 'done', id: ctx.id, size: bytes, sha256: hash.digest('hex') });
        return { bytes };
      },
    );
  } finally {
    await file.close().catch(() => {});
  }
}

export async function runPut(
  ctx: OperationContext,
  segments: string[],
  declaredSize: number,
): Promise<OperationResult> {
  const upload = await ctx.storage.createUpload(segments);
  try {
    const result = await withDataChannel(
      ctx,
      (channel) =>
        ctx.send({ type: 'ready', id: ctx.id, port: channel.port, token: channel.token }),
      async (socket) => {
        const counter = new DigestCounter();
        try {
          await pipeline(socket, counter, upload.stream, { signal: ctx.signal });
        } catch (error) {
          throw dataError(error, ctx.signal);
        }
        // Asked only now: the deadline for `done` runs from the end of the data (§6.3), and
        // a failed transfer leaves no pending rejection behind.
        const stated = await ctx.clientDone();
        const sha256 = counter.digest();
        if (counter.bytes !== declaredSize || stated.size !== counter.bytes) {
          throw new IntegrityError(
            `upload size mismatch: declared ${declaredSize}, stated ${stated.size}, received ${counter.bytes}`,
          );
        }
        if (stated.sha256 !== sha256) {
          throw new IntegrityError(
            'upload digest mismatch: the received bytes differ from the sent ones',
          );
        }
        await upload.commit();
        return { bytes: counter.bytes, sha256 };
      },
    );
    ctx.send({ type: 'ok', id: ctx.id, size: result.bytes, sha256: result.sha256 });
    return { bytes: result.bytes };
  } finally {
    await upload.abort();
  }
}
