// Data-channel plumbing for the client: connect + token, counting, hashing and progress
// (docs/protocol.md §5, §7).
import { createHash, randomBytes } from 'node:crypto';
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
    private readonly total: number | undefined,
    private readonly onProgress: ProgressListener | undefined,
  ) {}

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
      { expectedBytes: size, signal },
    );
    meter.finish();
    socket.end();
    await finished(socket, { readable: false });
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
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

/** Temporary download name beside the target, like the server's upload temp (§8). */
export function tempPathFor(target: string): string {
  return join(
    dirname(target),
    `.${basename(target).slice(0, 64)}.cftp-${randomBytes(8).toString('hex')}.part`,
  );
}
