// Socket → file without a stream per chunk (issue 12, docs/performance.md): the bytes land in
// 1 MiB blocks (from the process's block pool, send-buffers.ts), each full block is shown to
// the caller once (hashing, counting, progress) and queued, and the queued blocks go to disk
// a batch at a time (receive-targets.ts: WriteBehind, `writev` calls of at most 256 KiB). A
// socket opened with `onread` (net/tls connect) reads straight into the blocks, no Buffer
// per read, and so does an accepted one given to `receiveSocket` where readInto can arrange
// it; a socket that only has `data` events hands its chunks to `push`, which copies them
// into the blocks so that they die young. The byte limit (the announced size, §5.4) is
// checked on every read: one byte more fails the transfer at once.
import type { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { localIoError } from './local-errors.js';
import { readInto } from './read-into.js';
import { type BlockTarget, blockTarget, type ReceiveHandle } from './receive-targets.js';
import {
  PRIVATE_BLOCK_BYTES,
  returnBlock,
  returnPrivateBlock,
  SEND_BLOCK_BYTES,
  takePrivateBlock,
  tryTakeBlock,
} from './send-buffers.js';

export {
  type ReceiveHandle,
  type ReleasesChunks,
  WRITE_PIECE_BYTES,
  writeAll,
} from './receive-targets.js';

/** Bytes received but not yet written above which the socket is paused. */
export const RECEIVE_QUEUE_BYTES = 4 * 1024 * 1024;
/**
 * Bytes held by all the receivers of the process (received, not yet written) above which
 * each pauses its socket until the writers catch up: with many uploads at once (200
 * sessions) the receivers' private blocks would otherwise grow with the session count
 * while the disk is behind, and freed memory stays in the process's RSS. Four uploads at
 * full speed fit under it (each holds at most RECEIVE_QUEUE_BYTES); 64 MiB before, which
 * measured 30 MiB more server peak RSS with 200 sessions (docs/performance.md).
 */
export const RECEIVE_PROCESS_BYTES = 16 * 1024 * 1024;
/**
 * A block still filling after this long is sealed as it is: on a slow or stalled link the
 * bytes received reach the disk and the progress callback within this time, not only when
 * 1 MiB has come. At full speed a block fills far sooner, so this adds at most a few small
 * writes a second.
 */
export const RECEIVE_FLUSH_MS = 100;

export interface FileReceiverOptions {
  /** The most bytes the stream may carry (its announced size, §5.4). */
  limit: number;
  /** The error for a stream that carries more than `limit` bytes. */
  tooMuch: () => Error;
  /** Sees every byte, in order, in blocks, before it is written. */
  observe?: ((chunk: Uint8Array) => void) | undefined;
  /** The file as the user knows it: write errors name it (localIoError). */
  path?: string | undefined;
  /** WriteBehind's flush interval (tests). */
  syncEveryBytes?: number;
}

let processBound = RECEIVE_PROCESS_BYTES;
/** Bytes held by every receiver of the process. */
let processHeld = 0;
/** Receivers paused only because of the process bound, resumed when there is room. */
const waitingForRoom = new Set<FileReceiver>();

/** Sets the process bound (tests and embedders); returns a function that restores it. */
export function setReceiveProcessBytes(bytes: number): () => void {
  const before = processBound;
  processBound = bytes;
  return () => {
    processBound = before;
  };
}

/** Bytes held by every receiver of the process now (tests: back to 0 when all are done). */
export function receiveProcessHeld(): number {
  return processHeld;
}

function wakeWaiting(): void {
  if (waitingForRoom.size === 0) return; // the usual case: called after every write batch
  for (const receiver of [...waitingForRoom]) {
    if (processHeld >= processBound) return;
    receiver.resumeIfRoom();
  }
}

/** What a paused socket holds in its readable buffer, or null. */
function readBuffered(socket: Socket): Buffer | null {
  return socket.read() as Buffer | null;
}

function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('The operation was aborted', { cause: signal.reason }), {
    name: 'AbortError',
    code: 'ABORT_ERR',
  });
}

export class FileReceiver {
  /** For `net.connect`/`tls.connect`: reads land in the receiver's blocks. */
  readonly onread: {
    buffer: () => Uint8Array;
    callback: (bytes: number, buffer: Uint8Array) => boolean;
  };
  /** Bytes received so far. */
  bytes = 0;
  /** receiveSocket's reads land in the blocks (readInto): no Buffer, no garbage per read. */
  direct = false;
  /** Bytes of buffers made outside the pool and not yet reported (takeMadeBytes). */
  private made = 0;
  private readonly target: BlockTarget;
  private block: Uint8Array | undefined;
  private used = 0;
  /** Bytes at the start of the current block already copied out by the flush timer. */
  private flushed = 0;
  private readonly queue: Uint8Array[] = [];
  /** Bytes received and not yet written (queued, in the write, or in the current block). */
  private held = 0;
  private writing: Promise<void> | undefined;
  private error: Error | undefined;
  /** A write failed: nothing more goes to the file. */
  private writeFailed = false;
  private socket: Socket | undefined;
  private paused = false;
  private closed = false;
  /** Seals a block that has not filled within RECEIVE_FLUSH_MS. */
  private flushTimer: NodeJS.Timeout | undefined;
  /** Where reads beyond the limit land: any byte there fails the transfer. */
  private readonly spill = new Uint8Array(256);

  /** `destination`: a file handle (written with writev, WriteBehind) or any Writable. */
  constructor(
    destination: ReceiveHandle | Writable,
    private readonly options: FileReceiverOptions,
  ) {
    this.target = blockTarget(destination, options.syncEveryBytes);
    this.onread = {
      buffer: () => this.nextBuffer(),
      callback: (bytes, buffer) => this.landed(bytes, buffer),
    };
  }

  /** The space the next read goes into: the rest of the current block, or a new block. */
  private nextBuffer(): Uint8Array {
    if (this.bytes >= this.options.limit || this.error !== undefined) return this.spill;
    if (this.block === undefined) this.block = this.newBlock();
    return this.block.subarray(this.used);
  }

  private newBlock(): Uint8Array {
    this.used = 0;
    this.flushed = 0;
    const left = this.options.limit - this.bytes;
    // A small rest is cheaper to allocate than to take a pooled block from a bigger transfer.
    if (left < PRIVATE_BLOCK_BYTES) return this.make(left);
    return tryTakeBlock() ?? this.privateBlock();
  }

  private privateBlock(): Uint8Array {
    return takePrivateBlock() ?? this.make(PRIVATE_BLOCK_BYTES);
  }

  private make(bytes: number): Uint8Array {
    this.made += bytes;
    return new Uint8Array(bytes);
  }

  /**
   * Bytes of buffers this receiver has made outside the pools (private blocks when none was
   * free, a file's small rest) since the last call. They are garbage once written, and
   * V8 frees such buffers only when it collects: a caller that keeps memory bounded by
   * collecting every few MiB of garbage (the server's Reclaimer) counts these too. With
   * many uploads at once (200 sessions) the pool is dry and every upload makes its own.
   */
  takeMadeBytes(): number {
    const made = this.made;
    this.made = 0;
    return made;
  }

  /**
   * A pooled block goes back to the pool; a private one to the private free list, for this
   * transfer's next block or another's (while the pool is dry, transfers reuse them instead
   * of making garbage); a file's small rest is left to the collector.
   */
  private release(view: Uint8Array): void {
    // One view of a block is ever queued (a flush queues copies, never a view of the block
    // still being read into), so the block goes back by its own buffer, whatever the offset.
    if (view.buffer.byteLength === SEND_BLOCK_BYTES) {
      returnBlock(new Uint8Array(view.buffer, 0, SEND_BLOCK_BYTES));
    } else if (view.buffer.byteLength === PRIVATE_BLOCK_BYTES) {
      returnPrivateBlock(new Uint8Array(view.buffer, 0, PRIVATE_BLOCK_BYTES));
    }
  }

  /** `bytes` were read into `buffer` (the space nextBuffer gave): false pauses the socket. */
  private landed(bytes: number, buffer: Uint8Array): boolean {
    if (this.error !== undefined) return false;
    if (buffer === this.spill || this.bytes + bytes > this.options.limit) {
      this.fail(this.options.tooMuch());
      return false;
    }
    this.bytes += bytes;
    this.hold(bytes);
    this.used += bytes;
    if (this.used === this.block?.byteLength) this.seal();
    else this.flushLater();
    return this.flowing();
  }

  /** Arms the timer that seals a block still filling (RECEIVE_FLUSH_MS). */
  private flushLater(): void {
    if (this.flushTimer !== undefined || this.closed) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      if (this.error === undefined && !this.closed) this.flushPart();
    }, RECEIVE_FLUSH_MS);
    this.flushTimer.unref();
  }

  /** Takes a chunk of a socket read through `data` events: its bytes are copied. */
  push(chunk: Uint8Array): boolean {
    if (this.error !== undefined) return false;
    if (this.bytes + chunk.byteLength > this.options.limit) {
      this.fail(this.options.tooMuch());
      return false;
    }
    let offset = 0;
    while (offset < chunk.byteLength) {
      const space = this.nextBuffer();
      const take = Math.min(space.byteLength, chunk.byteLength - offset);
      space.set(chunk.subarray(offset, offset + take));
      offset += take;
      this.bytes += take;
      this.hold(take);
      this.used += take;
      if (this.used === this.block?.byteLength) this.seal();
    }
    if (this.used > 0) this.flushLater();
    return this.flowing();
  }

  private hold(bytes: number): void {
    this.held += bytes;
    processHeld += bytes;
  }

  private unhold(bytes: number): void {
    this.held -= bytes;
    processHeld -= bytes;
  }

  /**
   * Whether the socket may go on: below this transfer's queue bound and the process's. A
   * paused socket is resumed when its writer catches up, or by another receiver's writer
   * when the process has room again (resumeIfRoom).
   */
  private flowing(): boolean {
    if (this.held < RECEIVE_QUEUE_BYTES && processHeld < processBound) return true;
    this.paused = true;
    if (this.held < RECEIVE_QUEUE_BYTES) waitingForRoom.add(this);
    return false;
  }

  /** Resumes a paused socket when both bounds allow it (before `receive`, it does that). */
  resumeIfRoom(): void {
    if (!this.paused || this.error !== undefined || this.held >= RECEIVE_QUEUE_BYTES) return;
    if (processHeld >= processBound) {
      waitingForRoom.add(this);
      return;
    }
    waitingForRoom.delete(this);
    if (this.socket === undefined) return;
    this.paused = false;
    this.socket.resume();
  }

  /**
   * What the current block holds beyond the last flush, copied out, shown to the caller and
   * queued for the disk. Copies, into private blocks: the socket may already hold a view of
   * the block's rest for its next read, so the block itself stays where it is.
   */
  private flushPart(): void {
    const block = this.block;
    if (block === undefined || this.used <= this.flushed) return;
    for (let from = this.flushed; from < this.used; from += PRIVATE_BLOCK_BYTES) {
      const part = block.subarray(from, Math.min(this.used, from + PRIVATE_BLOCK_BYTES));
      const copy = this.privateBlock().subarray(0, part.byteLength);
      copy.set(part);
      this.options.observe?.(copy);
      this.queue.push(copy);
    }
    this.flushed = this.used;
    this.writing ??= this.drain();
  }

  /** The current block is done: what it holds beyond the last flush shown and queued. */
  private seal(): void {
    const block = this.block;
    if (block === undefined) return;
    this.block = undefined;
    const whole = this.flushed === 0 && this.used === block.byteLength;
    const filled = whole ? block : block.subarray(this.flushed, this.used);
    this.used = 0;
    this.flushed = 0;
    if (filled.byteLength === 0) {
      this.release(block);
      return;
    }
    this.options.observe?.(filled);
    this.queue.push(filled);
    this.writing ??= this.drain();
  }

  /** Writes the queued blocks, all that are queued in one writev, until none is left. */
  private async drain(): Promise<void> {
    try {
      // After another failure the bytes received still go out: an interrupted download
      // keeps its whole prefix for a resume (§8).
      while (this.queue.length > 0 && !this.writeFailed) {
        const batch = this.queue.splice(0);
        try {
          await this.target.write(batch);
        } catch (error) {
          this.writeFailed = true;
          this.fail(this.localError(error));
        }
        for (const block of batch) {
          this.unhold(block.byteLength);
          this.release(block);
        }
        this.resumeIfRoom();
        wakeWaiting();
      }
    } finally {
      this.writing = undefined;
    }
  }

  private localError(error: unknown): Error {
    if (this.options.path !== undefined) return localIoError(error, this.options.path, 'writing');
    return error instanceof Error ? error : new Error(String(error));
  }

  private fail(error: Error): void {
    if (this.error !== undefined) return;
    this.error = error;
    this.socket?.destroy(error);
  }

  /**
   * Reads `socket` to its end into the file (data that came through `onread` before this call
   * included); resolves with the byte count once every byte is written and synced and the
   * handle closed. On any failure the handle is closed too, and the first error is thrown.
   */
  async receive(socket: Socket, signal: AbortSignal): Promise<number> {
    this.socket = socket;
    try {
      if (this.error !== undefined) socket.destroy(this.error);
      else this.resumeIfRoom();
      try {
        await finished(socket, { writable: false, signal });
      } catch (error) {
        throw this.error ?? (signal.aborted ? abortError(signal) : error);
      }
      this.seal();
      while (this.writing !== undefined) await this.writing;
      if (this.error !== undefined) throw this.error;
      this.socket = undefined; // ended: nothing reads into the blocks any more
      try {
        this.closed = true;
        await this.target.finish();
      } catch (error) {
        throw this.localError(error);
      }
      // As pipeline({signal}) would: an abort before the end fails the transfer, even when
      // it came while the last bytes went to disk.
      if (signal.aborted) throw abortError(signal);
      return this.bytes;
    } finally {
      await this.close();
    }
  }

  /** `receive` for a socket without `onread`: its `data` events are pushed (copied) here. */
  receiveEvents(socket: Socket, signal: AbortSignal): Promise<number> {
    socket.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) socket.pause();
    });
    // A socket paused by its opener (a preamble read, §5.5) stays paused until told.
    if (!this.paused) socket.resume();
    return this.receive(socket, signal);
  }

  /**
   * `receive` for a socket Node made (an accepted connection, TLS or not): its reads land in
   * the blocks when readInto can arrange it (`direct` is then true), else its `data` events
   * are pushed. Bytes it read before this call (behind the token) are taken first.
   */
  receiveSocket(socket: Socket, signal: AbortSignal): Promise<number> {
    // First what the socket read before, then its reads go on from there in the same block.
    for (let chunk = readBuffered(socket); chunk !== null; chunk = readBuffered(socket)) {
      this.push(chunk);
    }
    if (!readInto(socket, this.onread)) return this.receiveEvents(socket, signal);
    this.direct = true;
    if (!this.paused) socket.resume();
    return this.receive(socket, signal);
  }

  /**
   * Writes what was received and releases the handle and the blocks (a transfer that failed
   * or never ran); idempotent. A socket given `onread` but never to `receive` must be
   * destroyed first: it reads into the blocks.
   */
  async close(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.error ??= new Error('receiver closed');
    this.socket?.destroy();
    this.socket = undefined;
    if (!this.closed && !this.writeFailed) this.seal();
    while (this.writing !== undefined) await this.writing;
    for (const block of this.queue.splice(0)) this.release(block);
    if (this.block !== undefined) {
      this.release(this.block);
      this.block = undefined;
    }
    waitingForRoom.delete(this);
    this.unhold(this.held);
    wakeWaiting();
    if (this.closed) return;
    this.closed = true;
    await this.target.close().catch(() => {});
  }
}
