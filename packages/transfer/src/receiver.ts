// Socket → file without per-chunk stream machinery (docs/protocol.md §5, §7, §8): every
// chunk the socket delivers is shown to `observe` (count, digest, progress) at once, gathered
// into batches, and written with one writev per batch through WriteBehind, while the socket
// keeps reading. The socket is paused only while more than `maxQueuedBytes` wait for the
// disk, so memory stays bounded and a slow disk slows the sender (backpressure), never the
// reverse. It replaces pipeline(socket, Transform, FileSink): two stream hops, a callback
// and a promise per 64 KiB chunk.
import type { FileHandle } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { CftpError, WriteBehind } from '@cftp/protocol';
import { writeAll } from './file-sink.js';

export interface ReceiveFileOptions {
  /** Sees every chunk, in order, as soon as it arrives (before it is written). */
  observe: (chunk: Uint8Array) => void;
  /** Most bytes received and not yet written; above it the socket is paused (default 8 MiB). */
  maxQueuedBytes?: number;
  /** The most bytes this file may get: one more is refused (the peer cannot fill the disk). */
  limit?: number;
  signal?: AbortSignal;
}

/** Bytes gathered before one writev: few syscalls, and still well below the queue bound. */
const BATCH_BYTES = 1024 * 1024;
const DEFAULT_MAX_QUEUED_BYTES = 8 * 1024 * 1024;

/**
 * Receives `socket` until its end into `handle` (from the handle's current position, as
 * opened: 'w' or 'a'), then makes it durable (fsync) and closes the handle. Resolves with the
 * byte count. On any failure (socket error, premature close, write error, abort, limit) the
 * socket is destroyed, the handle closed, and the promise rejects; the caller removes the file.
 */
export function receiveFile(
  socket: Socket,
  handle: FileHandle,
  options: ReceiveFileOptions,
): Promise<number> {
  const maxQueued = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const behind = new WriteBehind({
    write: (chunks) => writeAll(handle, chunks),
    datasync: () => handle.datasync(),
    sync: () => handle.sync(),
  });
  return new Promise<number>((resolve, reject) => {
    let received = 0;
    /** Chunks not yet handed to a write. */
    let batch: Uint8Array[] = [];
    let batchBytes = 0;
    /** Bytes received and not yet on their way to disk or written. */
    let queued = 0;
    let writing = false;
    let ended = false;
    let settled = false;

    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      cleanup();
      socket.destroy();
      handle.close().then(
        () => reject(error),
        () => reject(error),
      );
    };
    const onAbort = () => fail(options.signal?.reason);
    const flush = () => {
      if (writing || settled) return;
      if (batch.length === 0) {
        if (ended) finish();
        return;
      }
      const chunks = batch;
      const bytes = batchBytes;
      batch = [];
      batchBytes = 0;
      writing = true;
      behind.write(chunks).then(() => {
        writing = false;
        queued -= bytes;
        if (queued <= maxQueued / 2 && socket.isPaused() && !ended) socket.resume();
        // What arrived meanwhile goes out now, whatever its size: the disk is free.
        flush();
      }, fail);
    };
    const finish = () => {
      behind
        .finish()
        .then(() => handle.close())
        .then(() => {
          if (settled) return;
          settled = true;
          cleanup();
          resolve(received);
        }, fail);
    };
    const onData = (chunk: Buffer) => {
      if (settled) return;
      received += chunk.byteLength;
      if (received > limit) {
        fail(new CftpError('EINTEGRITY', `more bytes than the ${limit} announced`));
        return;
      }
      try {
        options.observe(chunk);
      } catch (error) {
        fail(error);
        return;
      }
      batch.push(chunk);
      batchBytes += chunk.byteLength;
      queued += chunk.byteLength;
      if (queued > maxQueued) socket.pause();
      if (batchBytes >= BATCH_BYTES) flush();
    };
    const onEnd = () => {
      ended = true;
      flush();
    };
    const onClose = () => {
      // A close before the end is a lost connection; after it, nothing to do.
      if (!ended) {
        const error = new Error('data connection closed before its end') as NodeJS.ErrnoException;
        error.code = 'ERR_STREAM_PREMATURE_CLOSE';
        fail(error);
      }
    };
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', fail);
      socket.off('close', onClose);
      options.signal?.removeEventListener('abort', onAbort);
    };
    if (options.signal?.aborted === true) {
      onAbort();
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('error', fail);
    socket.on('close', onClose);
  });
}
