// The data-moving operations: list, get, put (docs/protocol.md §6). Each opens its own data
// channel, streams with backpressure, and states or checks size + digest (§7, §7.1).

import type { Socket } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SecureContext } from 'node:tls';
import {
  DataChannelError,
  type DigestAlgorithm,
  type Done,
  type Entry,
  IntegrityError,
  ProtocolError,
  type ServerMessage,
  TimeoutError,
} from '@cftp/protocol';
import { createDigest, type Digest, FileReceiver, observePrefix, sendFile } from '@cftp/transfer';
import { type DataChannel, type DataChannelPlan, openDataChannel } from './data-channel.js';
import { BadDoneError } from './in-flight.js';
import { type Storage, storageError } from './storage.js';

export interface OperationContext {
  readonly id: number;
  readonly storage: Storage;
  readonly signal: AbortSignal;
  /** Local and remote address of the control connection. */
  readonly localAddress: string;
  readonly remoteAddress: string;
  readonly dataAcceptTimeoutMs: number;
  /** TLS for the data channels, when the control channel is TLS (§5.3). */
  readonly tls: SecureContext | undefined;
  /** Classic listeners (any port, or a range) or single-port (§5.5); classic if absent. */
  readonly dataChannels?: DataChannelPlan;
  /** No byte either way on a connected data channel for this long: ETIMEDOUT (§5). */
  readonly dataStallTimeoutMs: number;
  /** How long a `tree` line waits for a file's digest before it goes without (§6.10). */
  readonly treeDigestWaitMs: number;
  /** The session's digest (§7.1): every digest of its data channels. */
  readonly digest: DigestAlgorithm;
  /** Both peers list `links` (§6.9): entries keep a symlink's `target`, else it is dropped. */
  readonly links?: boolean;
  /** Keeps a finished data socket until it closes by itself, within the session's bounds. */
  linger(socket: Socket): void;
  send(message: ServerMessage): void;
  /** Resolves with the client's `done` for this upload (§6.3). */
  clientDone(): Promise<Done>;
  /**
   * Notes upload bytes received: the operation's count; and `garbage` (default: `bytes`),
   * the bytes of buffers made for them that now wait for the collector, for the memory
   * reclaim (Reclaimer). Reads into reused blocks make none (no Buffer per read).
   */
  received(bytes: number, garbage?: number): void;
  /** Notes download bytes handed to the data channel (the operation event's count on failure). */
  sent(bytes: number): void;
  /** The server's umask for new uploaded files (§6.8). */
  readonly umask: number;
  /** A listing left `skipped` entries out (§6.1): the server logs one warning for it. */
  leftOut(skipped: number): void;
}

export interface OperationResult {
  bytes: number;
  /**
   * The final reply (§3). The session sends it after it has retired the request, so a client
   * that answers it with a new request never finds the old one still counted in flight.
   */
  reply: ServerMessage;
}

/**
 * Counts and hashes bytes as they pass; the digest is ready once the stream has ended.
 * A resumed upload starts from the hash and count of the bytes already on disk.
 */
export class DigestCounter extends Transform {
  constructor(
    private readonly hash: Digest,
    public bytes = 0,
    private readonly onBytes?: (bytes: number) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.byteLength;
    this.hash.update(chunk);
    this.onBytes?.(chunk.byteLength);
    callback(null, chunk);
  }

  digest(): string {
    return this.hash.hex();
  }
}

/** How long a finished data socket may wait for the client's FIN. */
export const LINGER_MS = 30_000;

export async function withDataChannel<T>(
  ctx: OperationContext,
  announce: (channel: DataChannel) => void,
  use: (socket: Socket) => Promise<T>,
): Promise<T> {
  const channel = await openDataChannel({
    host: ctx.localAddress,
    peer: ctx.remoteAddress,
    acceptTimeoutMs: ctx.dataAcceptTimeoutMs,
    signal: ctx.signal,
    ...(ctx.tls === undefined ? {} : { tls: ctx.tls }),
    plan: ctx.dataChannels,
  });
  let socket: Socket | undefined;
  let succeeded = false;
  let stalled = false;
  const onStall = () => {
    stalled = true;
    socket?.destroy();
  };
  try {
    announce(channel);
    socket = await channel.connection;
    // A peer that neither sends nor reads holds a socket, a file and buffers: bounded in
    // time too. Activity is a completed read or write (writes go in chunks of up to 1 MiB).
    socket.setTimeout(ctx.dataStallTimeoutMs);
    socket.on('timeout', onStall);
    const result = await use(socket);
    succeeded = true;
    return result;
  } catch (error) {
    if (stalled && !ctx.signal.aborted) {
      throw new TimeoutError(
        `data channel stalled: no bytes either way for ${ctx.dataStallTimeoutMs} ms`,
      );
    }
    throw error;
  } finally {
    channel.close();
    if (socket !== undefined) {
      socket.off('timeout', onStall);
      socket.setTimeout(0);
      // On success both sides have sent FIN and the socket closes by itself; destroying it
      // now could reset a connection whose last bytes are still in flight. Bytes the client
      // sends where it should send none are read and dropped, or the socket would never see
      // the client's FIN; and the session bounds how many sockets may linger (ctx.linger).
      if (succeeded) {
        socket.on('data', () => {});
        socket.resume();
        ctx.linger(socket);
      } else {
        socket.destroy();
      }
    }
  }
}

/**
 * Lost data connections become EDATA; aborts keep their own reason. ECANCELED is a write
 * still queued when the socket was torn down (its read side saw the peer's reset first): on
 * a loaded machine a cut data connection ended a download that way, and the reply said EIO.
 */
export function dataError(error: unknown, signal: AbortSignal): unknown {
  if (signal.aborted) return signal.reason;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    code === 'ERR_STREAM_DESTROYED' ||
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === 'ECANCELED'
  ) {
    return new DataChannelError('EDATA', 'data connection lost before the transfer completed');
  }
  return error;
}

/** An entry as this session's peer may see it: `target` only with `links` (§6.9). */
export function forPeer(ctx: Pick<OperationContext, 'links'>, entry: Entry): Entry {
  if (ctx.links === true || entry.target === undefined) return entry;
  const { target: _, ...rest } = entry;
  return rest;
}

export async function runList(ctx: OperationContext, segments: string[]): Promise<OperationResult> {
  // On the calling thread, 128 entries a slice with a turn for the event loop between, as
  // `tree` reads (ListOptions.onThread): a thread-pool hop and a promise per lstat were most
  // of a listing's CPU (docs/performance.md, LIST).
  const batches = await ctx.storage.list(segments, { onThread: true });
  return withDataChannel(
    ctx,
    (channel) => ctx.send({ type: 'ready', id: ctx.id, port: channel.port, token: channel.token }),
    async (socket) => {
      const counter = new DigestCounter(createDigest(ctx.digest));
      let count = 0;
      async function* lines() {
        for await (const batch of batches) {
          count += batch.length;
          yield batch.map((entry) => `${JSON.stringify(forPeer(ctx, entry))}\n`).join('');
        }
      }
      try {
        await pipeline(lines, counter, socket, { signal: ctx.signal });
      } catch (error) {
        throw dataError(error, ctx.signal);
      }
      const skipped = batches.skipped ?? 0;
      if (skipped > 0) ctx.leftOut(skipped);
      return {
        bytes: counter.bytes,
        reply: {
          type: 'done',
          id: ctx.id,
          size: counter.bytes,
          sha256: counter.digest(),
          count,
          // Present only when not 0, so a v1 client sees the listing it always saw (§6.1).
          ...(skipped > 0 ? { skipped } : {}),
        },
      };
    },
  );
}

export interface GetRequest {
  offset?: number;
  prefixSha256?: string;
}

export async function runGet(
  ctx: OperationContext,
  segments: string[],
  request: GetRequest,
): Promise<OperationResult> {
  if (request.offset !== undefined && request.prefixSha256 === undefined) {
    throw new ProtocolError('EPROTO', '"offset" needs "prefixSha256" (§6.2)');
  }
  const file = await ctx.storage.openRead(segments);
  try {
    let hash = createDigest(ctx.digest);
    let offset = 0;
    const wanted = request.offset ?? 0;
    if (wanted > 0 && wanted <= file.size) {
      // Resume only if the client's prefix is this file's prefix; otherwise start over.
      await observePrefix(file.read, wanted, (chunk) => hash.update(chunk), ctx.signal);
      if (hash.hex() === request.prefixSha256) offset = wanted;
      else hash = createDigest(ctx.digest);
    }
    return await withDataChannel(
      ctx,
      (channel) =>
        ctx.send({
          type: 'ready',
          id: ctx.id,
          port: channel.port,
          token: channel.token,
          size: file.size,
          offset,
          mtime: file.mtime,
          ...(file.mode === undefined ? {} : { mode: file.mode }),
        }),
      async (socket) => {
        let bytes: number;
        try {
          const sent = await sendFile(file, socket, {
            start: offset,
            observe: (chunk) => {
              hash.update(chunk);
              ctx.sent(chunk.byteLength);
            },
            signal: ctx.signal,
          });
          bytes = offset + sent;
        } catch (error) {
          throw dataError(error, ctx.signal);
        }
        return {
          bytes: bytes - offset,
          reply: { type: 'done', id: ctx.id, size: bytes, sha256: hash.hex() },
        };
      },
    );
  } finally {
    await file.close().catch(() => {});
  }
}

/** What an upload needs for the permission rule (§6.8): source mode, exactMode, umask. */
export function modeOptions(
  ctx: OperationContext,
  mode: number | undefined,
  exactMode: boolean | undefined,
): { mode?: number; exactMode: boolean; umask: number } {
  return {
    ...(mode === undefined ? {} : { mode }),
    exactMode: exactMode === true,
    umask: ctx.umask,
  };
}

export interface PutRequest {
  size: number;
  mtime?: number;
  resume?: boolean;
  sha256?: string;
  mode?: number;
  exactMode?: boolean;
}

export async function runPut(
  ctx: OperationContext,
  segments: string[],
  request: PutRequest,
): Promise<OperationResult> {
  const declared = request.sha256;
  if (request.resume === true && declared === undefined) {
    throw new ProtocolError('EPROTO', '"resume" needs "sha256" (§6.3)');
  }
  const upload = await ctx.storage.createUpload(segments, {
    resumeKey: request.resume === true ? declared?.slice(0, 16) : undefined,
    size: request.size,
    ...(request.mtime === undefined ? {} : { mtime: request.mtime }),
    ...modeOptions(ctx, request.mode, request.exactMode),
  });
  // A resumable partial survives an interruption; a corrupt upload never does (§8).
  let keep = true;
  try {
    const hash = createDigest(ctx.digest);
    let prefixSha256: string | undefined;
    if (upload.offset > 0) {
      await observePrefix(upload.read, upload.offset, (chunk) => hash.update(chunk), ctx.signal);
      prefixSha256 = hash.hex();
    }
    const result = await withDataChannel(
      ctx,
      (channel) =>
        ctx.send({
          type: 'ready',
          id: ctx.id,
          port: channel.port,
          token: channel.token,
          offset: upload.offset,
          ...(prefixSha256 === undefined ? {} : { prefixSha256 }),
        }),
      async (socket) => {
        // The socket's reads land in 1 MiB blocks (or its chunks are copied there where Node
        // will not, see readInto), hashed once per block and written to the storage's
        // stream a batch at a time (FileReceiver, issue 12).
        const receiver = new FileReceiver(upload.stream, {
          limit: Number.MAX_SAFE_INTEGER, // the size is checked below, against `done`
          tooMuch: () => new IntegrityError('upload larger than any file'),
          observe: (block) => {
            hash.update(block);
            // Socket Buffers (when reads could not land in the blocks) and the buffers the
            // receiver made itself while the pool was dry are garbage alike.
            const made = receiver.takeMadeBytes();
            ctx.received(block.byteLength, receiver.direct ? made : block.byteLength + made);
          },
        });
        const counter = { bytes: upload.offset, digest: () => hash.hex() };
        try {
          counter.bytes += await receiver.receiveSocket(socket, ctx.signal);
        } catch (error) {
          // Socket trouble is EDATA; the file's (ENOSPC, EDQUOT, EIO...) keeps its own code.
          throw storageError(dataError(error, ctx.signal), segments.join('/'));
        }
        socket.setTimeout(0); // the data is in; the wait for `done` has its own deadline
        // Asked only now: the deadline for `done` runs from the end of the data (§6.3), and
        // a failed transfer leaves no pending rejection behind.
        const stated = await ctx.clientDone();
        const sha256 = counter.digest();
        if (counter.bytes !== request.size || stated.size !== counter.bytes) {
          keep = false;
          throw new IntegrityError(
            `upload size mismatch: declared ${request.size}, stated ${stated.size}, received ${counter.bytes}`,
          );
        }
        if (stated.sha256 !== sha256 || (declared !== undefined && declared !== sha256)) {
          keep = false;
          throw new IntegrityError(
            'upload digest mismatch: the received bytes differ from the sent ones',
          );
        }
        await upload.commit(request.mtime);
        return { bytes: counter.bytes - upload.offset, sha256, size: counter.bytes };
      },
    );
    return {
      bytes: result.bytes,
      reply: { type: 'ok', id: ctx.id, size: result.size, sha256: result.sha256 },
    };
  } finally {
    // A malformed `done` (§6.3) removes even a resumable partial: its client is broken.
    await upload.abort(keep && !(ctx.signal.reason instanceof BadDoneError));
  }
}
