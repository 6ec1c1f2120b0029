// Data-channel plumbing for the client: connect + token, counting, hashing and progress
// (docs/protocol.md §5, §7).
import { createHash, randomBytes } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { ConnectionError } from '@cftp/protocol';

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

/** Counts and hashes what passes and reports progress at most every 100 ms (and at the end). */
export class Meter extends Transform {
  bytes = 0;
  private readonly hash = createHash('sha256');
  private readonly started = performance.now();
  private lastReport = 0;

  constructor(
    private readonly total: number | undefined,
    private readonly onProgress: ProgressListener | undefined,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.byteLength;
    this.hash.update(chunk);
    if (this.onProgress !== undefined) {
      const now = performance.now();
      if (now - this.lastReport >= PROGRESS_INTERVAL_MS) {
        this.lastReport = now;
        this.report(now);
      }
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.report(performance.now());
    callback();
  }

  private report(now: number): void {
    const seconds = Math.max((now - this.started) / 1000, 1e-6);
    this.onProgress?.({ bytes: this.bytes, total: this.total, rate: this.bytes / seconds });
  }

  digest(): string {
    return this.hash.digest('hex');
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
