// A put on S3 (docs/protocol.md §6.3, §8; docs/server.md "S3 storage"): a multipart upload
// to the target's key, hashed by the caller as it streams, completed only after the digest
// checks, so nothing is visible under the name before; aborted on any failure. A file
// smaller than one part is a single PutObject at commit.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { CftpError, DEFAULT_SERVER_UMASK, PathError, receivedMode } from '@cftp/protocol';
import type { Upload, UploadOptions } from '@cftp/server';
import {
  type Bucket,
  fileKey,
  folderExists,
  head,
  metadata,
  modeOf,
  refuseReserved,
  requireParent,
  uploadPart,
} from './bucket.js';
import { type PartPlan, PartSink } from './part-sink.js';
import { s3Error } from './s3-errors.js';

/** A file up to this size is one PutObject at commit, its bytes held until then. */
const SMALL_FILE_BYTES = 256 * 1024;

export type { PartPlan } from './part-sink.js';

/**
 * Checks a put's target (§6.3) and gives the committed object's mode (§6.8): the root and a
 * folder are EISDIR, the parent must exist, an existing file keeps its mode.
 */
export async function prepareTarget(
  bucket: Bucket,
  segments: readonly string[],
  options: UploadOptions,
): Promise<number> {
  refuseReserved(segments, true);
  const path = segments.join('/');
  if (segments.length === 0) throw new PathError('EISDIR', 'is a directory: root');
  const [existing, isFolder] = await Promise.all([
    head(bucket, fileKey(bucket, segments), path),
    folderExists(bucket, segments),
    requireParent(bucket, segments),
  ]);
  if (isFolder) throw new PathError('EISDIR', `is a directory: "${path}"`);
  return receivedMode({
    source: options.mode,
    umask: options.umask ?? DEFAULT_SERVER_UMASK,
    existing: existing === undefined ? undefined : modeOf(existing.Metadata),
    exact: options.exactMode === true,
  });
}

/** Starts a one-off (not resumable) upload to `segments`. */
export async function openDirectUpload(
  bucket: Bucket,
  plan: PartPlan,
  segments: readonly string[],
  options: UploadOptions,
): Promise<Upload> {
  const mode = await prepareTarget(bucket, segments, options);
  const path = segments.join('/');
  const Key = fileKey(bucket, segments);
  const Bucket = bucket.name;
  // The metadata of a multipart upload is fixed when it is created, before the data.
  const createdMtime = options.mtime ?? Date.now();
  let created: Promise<string> | undefined;
  const uploadId = () => {
    created ??= bucket.client
      .send(
        new CreateMultipartUploadCommand({
          Bucket,
          Key,
          Metadata: metadata(createdMtime, mode),
        }),
      )
      .then((out) => {
        if (out.UploadId === undefined) throw new CftpError('EIO', 'no upload id from the store');
        return out.UploadId;
      });
    return created;
  };
  const parts: Array<{ PartNumber: number; ETag: string | undefined }> = [];
  const sendPart = async (PartNumber: number, Body: Buffer) => {
    try {
      parts.push(await uploadPart(bucket, { Key, UploadId: await uploadId() }, PartNumber, Body));
    } catch (error) {
      // The stream fails with it: the put's error keeps the store's code (EBUSY, EACCES...).
      throw s3Error(error, path);
    }
  };
  const sink = new PartSink(plan, sendPart, 1, SMALL_FILE_BYTES);
  let done = false;
  const abortMultipart = async () => {
    if (created === undefined) return;
    const UploadId = await created.catch(() => undefined);
    if (UploadId === undefined) return;
    await bucket.client
      .send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }))
      .catch(() => {}); // the start-up sweep of some server aborts it later (§8)
  };
  return {
    offset: 0,
    read: () => Promise.resolve(0),
    stream: sink,
    commit: async (mtime) => {
      try {
        if (!sink.writableFinished)
          throw new CftpError('EIO', 'upload stream still open at commit');
        const tail = sink.takeTail();
        if (created === undefined) {
          await bucket.client.send(
            new PutObjectCommand({
              Bucket,
              Key,
              Body: tail,
              ContentLength: tail.byteLength,
              Metadata: metadata(mtime ?? createdMtime, mode),
            }),
          );
        } else {
          if (tail.byteLength > 0) await sendPart(sink.nextPart++, tail);
          const UploadId = await uploadId();
          parts.sort((a, b) => a.PartNumber - b.PartNumber);
          await bucket.client.send(
            new CompleteMultipartUploadCommand({
              Bucket,
              Key,
              UploadId,
              MultipartUpload: { Parts: parts },
            }),
          );
        }
        done = true;
      } catch (error) {
        throw s3Error(error, path);
      }
    },
    abort: async () => {
      if (!sink.destroyed && !sink.writableFinished) sink.destroy();
      await sink.settle();
      if (done) return;
      done = true;
      await abortMultipart();
    },
  };
}
