// A resumable put on S3 (docs/protocol.md §6.3, §8; docs/server.md "S3 storage"). Its
// partial lives in the bucket, under the reserved folder, as numbered segment objects, so
// ANY server can continue it: the next attempt lists the segments for its offset and reads
// them back for the prefix digest (the parts of an unfinished multipart upload cannot be
// read back, which is why the partial is not one). Segments are created with
// `If-None-Match: *`: two servers continuing one partial at once cannot interleave, the
// second gets EBUSY. The commit assembles the segments into the target (a server-side copy)
// only after the digest checks, then deletes them.

import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { CftpError } from '@cftp/protocol';
import type { Upload, UploadOptions } from '@cftp/server';
import { type Bucket, fileKey, metadata, partialKey, uploadPart } from './bucket.js';
import { PartSink } from './part-sink.js';
import { isPreconditionFailed, s3Error } from './s3-errors.js';
import { type PartPlan, prepareTarget } from './upload.js';

/** S3's smallest part, but for the last. */
const MIN_PART = 5 * 1024 * 1024;

interface Segment {
  key: string;
  size: number;
}

/** `source` as CopySource wants it: bucket/key, URL-encoded per segment. */
export function copySource(bucket: Bucket, key: string): string {
  return `${bucket.name}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/** Deletes keys, up to 1000 a request. */
export async function deleteKeys(bucket: Bucket, keys: readonly string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) {
    await bucket.client.send(
      new DeleteObjectsCommand({
        Bucket: bucket.name,
        Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true },
      }),
    );
  }
}

/** Every key under `prefix`, paging through ListObjectsV2. */
export async function* keysUnder(
  bucket: Bucket,
  prefix: string,
): AsyncGenerator<{ key: string; size: number; lastModified: number }> {
  let ContinuationToken: string | undefined;
  do {
    const page = await bucket.client.send(
      new ListObjectsV2Command({ Bucket: bucket.name, Prefix: prefix, ContinuationToken }),
    );
    for (const object of page.Contents ?? []) {
      if (object.Key === undefined) continue;
      yield {
        key: object.Key,
        size: object.Size ?? 0,
        lastModified: object.LastModified?.getTime() ?? 0,
      };
    }
    ContinuationToken = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (ContinuationToken !== undefined);
}

const segmentName = (number: number) => String(number).padStart(6, '0');

/** The partial's segments 1..n in order; anything after a gap is stale and deleted. */
async function readSegments(bucket: Bucket, dir: string): Promise<Segment[]> {
  const found = new Map<number, Segment>();
  for await (const object of keysUnder(bucket, dir)) {
    const number = Number(object.key.slice(dir.length));
    if (Number.isSafeInteger(number) && number > 0)
      found.set(number, { key: object.key, size: object.size });
  }
  const segments: Segment[] = [];
  for (let n = 1; found.has(n); n++) segments.push(found.get(n)!);
  const stale = [...found.values()].filter((s) => !segments.includes(s)).map((s) => s.key);
  if (stale.length > 0) await deleteKeys(bucket, stale);
  return segments;
}

/** Reads `buffer.byteLength` bytes at `position` of the partial (its segments back to back). */
function segmentReader(bucket: Bucket, segments: readonly Segment[]) {
  return async (buffer: Uint8Array, position: number): Promise<number> => {
    let start = 0;
    for (const segment of segments) {
      if (position < start + segment.size) {
        const from = position - start;
        const length = Math.min(buffer.byteLength, segment.size - from);
        const out = await bucket.client.send(
          new GetObjectCommand({
            Bucket: bucket.name,
            Key: segment.key,
            Range: `bytes=${from}-${from + length - 1}`,
          }),
        );
        let filled = 0;
        for await (const chunk of out.Body as Readable) {
          const bytes = chunk as Buffer;
          const n = Math.min(bytes.byteLength, length - filled);
          buffer.set(bytes.subarray(0, n), filled);
          filled += n;
        }
        if (filled !== length) throw new CftpError('EIO', 'a partial upload segment was cut short');
        return filled;
      }
      start += segment.size;
    }
    return 0;
  };
}

/** Assembles the segments into `key` with `meta`: a copy, or a multipart of copied parts. */
async function assemble(
  bucket: Bucket,
  plan: PartPlan,
  segments: readonly Segment[],
  Key: string,
  Metadata: Record<string, string>,
): Promise<void> {
  const Bucket = bucket.name;
  if (segments.length === 0) {
    await bucket.client.send(
      new PutObjectCommand({ Bucket, Key, Body: Buffer.alloc(0), Metadata }),
    );
    return;
  }
  if (segments.length === 1) {
    await bucket.client.send(
      new CopyObjectCommand({
        Bucket,
        Key,
        CopySource: copySource(bucket, segments[0]!.key),
        MetadataDirective: 'REPLACE',
        Metadata,
      }),
    );
    return;
  }
  const created = await bucket.client.send(
    new CreateMultipartUploadCommand({ Bucket, Key, Metadata }),
  );
  const UploadId = created.UploadId!;
  try {
    const Parts: Array<{ PartNumber: number; ETag: string | undefined }> = [];
    if (segments.slice(0, -1).every((s) => s.size >= MIN_PART)) {
      // Every part is big enough: the store copies them, no byte passes through the server.
      for (const [i, segment] of segments.entries()) {
        const out = await bucket.client.send(
          new UploadPartCopyCommand({
            Bucket,
            Key,
            UploadId,
            PartNumber: i + 1,
            CopySource: copySource(bucket, segment.key),
          }),
        );
        Parts.push({ PartNumber: i + 1, ETag: out.CopyPartResult?.ETag });
      }
    } else {
      // A short segment in the middle (an interruption's tail): re-cut into parts here.
      const sink = new PartSink(plan, async (PartNumber, Body) => {
        Parts.push(await uploadPart(bucket, { Key, UploadId }, PartNumber, Body));
      });
      for (const segment of segments) {
        const out = await bucket.client.send(new GetObjectCommand({ Bucket, Key: segment.key }));
        for await (const chunk of out.Body as Readable) {
          if (!sink.write(chunk)) await new Promise((resolve) => sink.once('drain', resolve));
          if (sink.failed !== undefined) throw sink.failed;
        }
      }
      await new Promise<void>((resolve, reject) =>
        sink.end((error?: Error | null) => (error ? reject(error) : resolve())),
      );
      const tail = sink.takeTail();
      if (tail.byteLength > 0) {
        Parts.push(await uploadPart(bucket, { Key, UploadId }, sink.nextPart++, tail));
      }
      Parts.sort((a, b) => a.PartNumber - b.PartNumber);
    }
    await bucket.client.send(
      new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts } }),
    );
  } catch (error) {
    await bucket.client
      .send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }))
      .catch(() => {});
    throw error;
  }
}

/** Opens (or continues) the resumable partial of an upload to `segments`. */
export async function openResumableUpload(
  bucket: Bucket,
  plan: PartPlan,
  segments: readonly string[],
  options: UploadOptions & { resumeKey: string },
): Promise<Upload> {
  const mode = await prepareTarget(bucket, segments, options);
  const path = segments.join('/');
  const dir = partialKey(bucket, segments, options.resumeKey);
  const targetKey = fileKey(bucket, segments);
  let parts: Segment[];
  try {
    parts = await readSegments(bucket, dir);
    const present = parts.reduce((sum, s) => sum + s.size, 0);
    if (options.size !== undefined && present > options.size) {
      await deleteKeys(
        bucket,
        parts.map((s) => s.key),
      );
      parts = [];
    }
  } catch (error) {
    throw s3Error(error, path);
  }
  const offset = parts.reduce((sum, s) => sum + s.size, 0);
  const written: Segment[] = [];
  const sendSegment = async (number: number, Body: Buffer) => {
    const key = dir + segmentName(number);
    try {
      await bucket.client.send(
        new PutObjectCommand({
          Bucket: bucket.name,
          Key: key,
          Body,
          ContentLength: Body.byteLength,
          IfNoneMatch: '*',
        }),
      );
    } catch (error) {
      if (isPreconditionFailed(error)) {
        throw new CftpError('EBUSY', `an upload of the same file to "${path}" is in progress`);
      }
      throw s3Error(error, path);
    }
    written.push({ key, size: Body.byteLength });
  };
  const sink = new PartSink(plan, sendSegment, parts.length + 1, 0);
  let finished = false;
  const all = () => [...parts, ...written.sort((a, b) => a.key.localeCompare(b.key))];
  return {
    offset,
    read: segmentReader(bucket, parts),
    stream: sink,
    commit: async (mtime) => {
      try {
        if (!sink.writableFinished)
          throw new CftpError('EIO', 'upload stream still open at commit');
        const tail = sink.takeTail();
        if (tail.byteLength > 0) await sendSegment(sink.nextPart++, tail);
        const pieces = all();
        const meta = metadata(mtime ?? options.mtime ?? Date.now(), mode);
        await assemble(bucket, plan, pieces, targetKey, meta);
        finished = true;
        await deleteKeys(
          bucket,
          pieces.map((s) => s.key),
        ).catch(() => {});
      } catch (error) {
        throw s3Error(error, path);
      }
    },
    abort: async (keep = false) => {
      if (!sink.destroyed && !sink.writableFinished) sink.destroy();
      await sink.settle();
      if (finished) return;
      finished = true;
      try {
        if (keep) {
          // The bytes received in order are kept too, unless a segment before them failed.
          const tail = sink.takeTail();
          if (tail.byteLength > 0 && sink.failed === undefined)
            await sendSegment(sink.nextPart++, tail);
        } else {
          await deleteKeys(
            bucket,
            all().map((s) => s.key),
          );
        }
      } catch {
        // Left for the start-up sweep of some server (§8).
      }
    },
  };
}
