// Data-channel plumbing for the client: connect + token, counting, hashing and progress
// (docs/protocol.md §5, §7).
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { connect as netConnect, type Socket } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { finished } from 'node:stream/promises';
import { ConnectionError, pump } from '@cftp/protocol';

export interface Progress {
  /** Bytes moved so far. */
  bytes: number;
  /** Expected total, when known. */
  total: number | undefined;
  /** Average rate since the start, bytes per second. */
  rate: number;
}

export type ProgressListener = (progress: Progress) => void;

const PROGRESS_INTERVAL_MS = 100;

/** Counts and hashes the bytes of one transfer and reports progress at most every 100 ms. */
export class Meter {
  bytes = 0;
  private readonly hash = createHash('sha256');
  private readonly started = performance.now();
  private lastReport = 0;

  constructor(
    /** Expected total; a download learns it from `ready`. */
    public total: number | undefined,
    private readonly onProgress: ProgressListener | undefined,
  ) {}

  /** The digest of what was observed so far, without ending the hash (resume, §6.2/§6.3). */
  digestSoFar(): string {
    return this.hash.copy().digest('hex');
  }

  observe(chunk: Uint8Array): void {
    this.bytes += chunk.byteLength;
    this.hash.update(chunk);
    if (this.onProgress !== undefined) {
      const now = performance.now();
      if (now - this.lastReport >= PROGRESS_INTERVAL_MS) {
        this.lastReport = now;
        this.report(now);
      }
    }
  }

  /** The last progress report, with the final count. */
  finish(): void {
    this.report(performance.now());
  }

  private report(now: number): void {
    const seconds = Math.max((now - this.started) / 1000, 1e-6);
    this.onProgress?.({ bytes: this.bytes, total: this.total, rate: this.bytes / seconds });
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/** A pass-through stream that shows every chunk to `meter` (the receiving side). */
export function meterStream(meter: Meter): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      meter.observe(chunk);
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      meter.finish();
      callback();
    },
  });
}

/**
 * Sends a local file over a data socket with the pump's fixed buffers, then ends the socket
 * and waits until every byte is handed to the kernel. Abort destroys the socket.
 */
export async function sendFile(
  file: FileHandle,
  size: number,
  socket: Socket,
  meter: Meter,
  signal: AbortSignal,
  start = 0,
): Promise<void> {
  const onAbort = () => socket.destroy();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await pump(
      {
        read: async (buffer, position) =>
          (await file.read(buffer, 0, buffer.byteLength, position)).bytesRead,
        write: (chunk) =>
          new Promise((resolve, reject) =>
            socket.write(chunk, (error) => (error ? reject(error) : resolve())),
          ),
        observe: (chunk) => meter.observe(chunk),
      },
      { expectedBytes: size - start, start, signal },
    );
    meter.finish();
    socket.end();
    await finished(socket, { readable: false });
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Shows the first `length` bytes of `file` to `meter` (the prefix of a resumed transfer). */
export async function observePrefix(
  file: FileHandle,
  length: number,
  meter: Meter,
  signal: AbortSignal | undefined,
): Promise<void> {
  const seen = await pump(
    {
      read: async (buffer, position) =>
        position >= length
          ? 0
          : (await file.read(buffer, 0, Math.min(buffer.byteLength, length - position), position))
              .bytesRead,
      write: () => Promise.resolve(),
      observe: (chunk) => meter.observe(chunk),
    },
    { expectedBytes: length, buffers: 1, ...(signal === undefined ? {} : { signal }) },
  );
  if (seen !== length) throw new Error('local file shorter than expected');
}

/** Connects to a data port and presents the token (§5). */
export function openDataSocket(host: string, port: number, token: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host, port });
    const onError = (error: Error) =>
      reject(new ConnectionError(`data connection to port ${port} failed: ${error.message}`));
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.off('error', onError);
      socket.on('error', () => {}); // surfaced through the stream pipeline
      socket.write(Buffer.from(token, 'hex'));
      resolve(socket);
    });
  });
}

/**
 * Where a download of `remote` to `target` is written until it is verified, and kept if it
 * is interrupted, so that a later resume finds it (docs/protocol.md §8).
 */
export function partialPathFor(target: string, remote: string): string {
  const key = createHash('sha256').update(remote).digest('hex').slice(0, 16);
  const name = [...basename(target)].slice(0, 64).join('');
  return join(dirname(target), `.${name}.cftp-resume-${key}.part`);
}
