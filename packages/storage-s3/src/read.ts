// A get on S3 (docs/protocol.md §6.2, §6.7): HEAD for size, mtime and mode, then one ranged
// GetObject from the first byte asked for, read on as the transfer asks for more. A read
// at another position (a resume) opens a new range. `If-Match` pins the object read to
// the one HEAD saw: replaced meanwhile, the read fails rather than mixing two versions.
import type { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { CftpError, PathError } from '@cftp/protocol';
import type { ReadableFile } from '@cftp/server';
import {
  type Bucket,
  fileKey,
  folderExists,
  head,
  modeOf,
  mtimeOf,
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
  let body: Readable | undefined;
  let chunks: AsyncIterator<Buffer> | undefined;
  let leftover: Buffer | undefined;
  let next = 0;
  const drop = () => {
    body?.destroy();
    body = undefined;
    chunks = undefined;
    leftover = undefined;
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
      body = out.Body as Readable;
      chunks = body[Symbol.asyncIterator]();
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
  return {
    size,
    mtime: mtimeOf(info.Metadata, info.LastModified),
    ...(modeOf(info.Metadata) === undefined ? {} : { mode: modeOf(info.Metadata)! }),
    read: async (buffer, position) => {
      if (position >= size || buffer.byteLength === 0) return 0;
      if (chunks === undefined || position !== next) await open(position);
      let filled = 0;
      try {
        while (filled < buffer.byteLength && next + filled < size) {
          let chunk = leftover;
          leftover = undefined;
          if (chunk === undefined) {
            const step = await chunks!.next();
            if (step.done === true) break;
            chunk = step.value;
          }
          const n = Math.min(chunk.byteLength, buffer.byteLength - filled);
          buffer.set(chunk.subarray(0, n), filled);
          filled += n;
          if (n < chunk.byteLength) leftover = chunk.subarray(n);
        }
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
