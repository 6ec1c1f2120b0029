// A get on S3 (docs/protocol.md §6.2, §6.7): HEAD for size, mtime and mode, then one ranged
// GetObject from the first byte asked for, read on as the transfer asks for more. A read
// at another position (a resume) opens a new range. `If-Match` pins the object read to
// the one HEAD saw: replaced meanwhile, the read fails rather than mixing two versions.
import type { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { CftpError, PathError, type Reclaimer } from '@cftp/protocol';
import type { ReadableFile } from '@cftp/server';
import {
  type Bucket,
  fileKey,
  folderExists,
  head,
  modeOf,
  mtimeOf,
  objectIdentity,
  refuseReserved,
} from './bucket.js';
import { isPreconditionFailed, s3Error } from './s3-errors.js';

export async function openObject(
  bucket: Bucket,
  segments: readonly string[],
): Promise<ReadableFile> {
  refuseReserved(segments, false);
  const path = segments.join('/');
  if (segments.length === 0) throw new PathError('EISDIR', 'is a directory: root');
  const Key = fileKey(bucket, segments);
  const info = await head(bucket, Key, path);
  if (info === undefined) {
    if (await folderExists(bucket, segments))
      throw new PathError('EISDIR', `is a directory: "${path}"`);
    throw new PathError('ENOENT', `no such file: "${path}"`);
  }
  const size = info.ContentLength ?? 0;
  let ahead: ReadAhead | undefined;
  let next = 0;
  const drop = () => {
    ahead?.destroy();
    ahead = undefined;
  };
  const open = async (position: number) => {
    drop();
    try {
      const out = await bucket.client.send(
        new GetObjectCommand({
          Bucket: bucket.name,
          Key,
          Range: `bytes=${position}-`,
          ...(info.ETag === undefined ? {} : { IfMatch: info.ETag }),
        }),
      );
      ahead = new ReadAhead(out.Body as Readable, bucket.reclaimer);
      next = position;
    } catch (error) {
      if (isPreconditionFailed(error)) {
        throw new CftpError('EIO', `"${path}" was replaced while being read`, {
          path,
          cause: error,
        });
      }
      throw s3Error(error, path);
    }
  };
  const mode = modeOf(info.Metadata);
  const identity = objectIdentity(info.ETag, info.LastModified, size);
  return {
    size,
    mtime: mtimeOf(info.Metadata, info.LastModified),
    ...(mode === undefined ? {} : { mode }),
    ...(identity === undefined ? {} : { identity }),
    read: async (buffer, position) => {
      if (position >= size || buffer.byteLength === 0) return 0;
      if (ahead === undefined || position !== next) await open(position);
      let filled: number;
      try {
        filled = await ahead!.read(buffer.subarray(0, Math.min(buffer.byteLength, size - next)));
      } catch (error) {
        drop();
        throw s3Error(error, path);
      }
      if (filled === 0) {
        drop();
        throw new CftpError('EIO', `"${path}" ended before its size`, { path });
      }
      next += filled;
      return filled;
    },
    close: async () => drop(),
  };
}

/**
 * Bytes of one GET read ahead of the transfer at most, so the store seldom waits on us: the
 * transfer takes them in 1 MiB blocks, and at 150 MiB/s 4 MiB is 25 ms of slack.
 */
const READ_AHEAD_BYTES = 4 * 1024 * 1024;

/**
 * A response body read ahead into a bounded queue: the HTTP stream keeps flowing while the
 * transfer writes to its socket (a pull of one small chunk at a time stalled the store
 * between reads), and pauses when READ_AHEAD_BYTES wait.
 */
class ReadAhead {
  private readonly chunks: Buffer[] = [];
  private queued = 0;
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  /** Bytes the waiting read wants queued before it is woken. */
  private wanted = 0;

  constructor(
    private readonly body: Readable,
    reclaimer: Reclaimer | undefined,
  ) {
    body.on('data', (chunk: Buffer) => {
      reclaimer?.note(chunk.byteLength);
      this.chunks.push(chunk);
      this.queued += chunk.byteLength;
      if (this.queued >= READ_AHEAD_BYTES) body.pause();
      if (this.queued >= this.wanted) this.notify();
    });
    body.once('end', () => {
      this.ended = true;
      this.notify();
    });
    body.once('error', (error) => {
      this.failure = error;
      this.notify();
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /**
   * Fills `buffer` (waits until that many bytes are here, or the body's end); 0 at the end.
   * Whole buffers, not each 64 KiB HTTP read as it comes: one hash call and one socket write
   * per 1 MiB block of the transfer rather than sixteen (less CPU on both sides, measured in
   * docs/performance.md); the read-ahead keeps the store's stream flowing meanwhile.
   */
  async read(buffer: Uint8Array): Promise<number> {
    const want = Math.min(buffer.byteLength, READ_AHEAD_BYTES / 2);
    while (this.queued < want && !this.ended) {
      if (this.failure !== undefined) throw this.failure;
      this.wanted = want;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    if (this.chunks.length === 0) {
      if (this.failure !== undefined) throw this.failure;
      return 0;
    }
    let filled = 0;
    while (filled < buffer.byteLength && this.chunks.length > 0) {
      const chunk = this.chunks[0]!;
      const n = Math.min(chunk.byteLength, buffer.byteLength - filled);
      buffer.set(chunk.subarray(0, n), filled);
      filled += n;
      if (n === chunk.byteLength) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(n);
    }
    this.queued -= filled;
    if (this.queued < READ_AHEAD_BYTES / 2 && this.body.isPaused()) this.body.resume();
    return filled;
  }

  destroy(): void {
    this.body.destroy();
    this.chunks.length = 0;
  }
}
