// The start-up sweep on S3 (docs/protocol.md §8; docs/server.md "S3 storage"): multipart
// uploads initiated longer ago than the partial maximum age are aborted, and resumable
// partials whose newest segment is that old are deleted. Age is the only test, so a sweep
// by one server never cuts short an upload that another live server is still writing.
import { AbortMultipartUploadCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import type { SweepOptions, SweepResult } from '@cftp/server';
import { type Bucket, partialsKey } from './bucket.js';
import { deleteKeys, keysUnder } from './resumable.js';

export async function sweepBucket(bucket: Bucket, options: SweepOptions): Promise<SweepResult> {
  const started = performance.now();
  const result: SweepResult = {
    visited: 0,
    removedTemporary: 0,
    removedPartials: 0,
    keptPartials: 0,
    truncated: false,
    durationMs: 0,
  };
  const deadline = Date.now() - options.partialMaxAgeMs;
  const stop = () => {
    if (options.signal?.aborted === true || result.visited >= options.maxEntries) {
      result.truncated = true;
      return true;
    }
    return false;
  };
  let KeyMarker: string | undefined;
  let UploadIdMarker: string | undefined;
  uploads: do {
    const page = await bucket.client.send(
      new ListMultipartUploadsCommand({
        Bucket: bucket.name,
        Prefix: bucket.prefix,
        KeyMarker,
        UploadIdMarker,
      }),
    );
    for (const upload of page.Uploads ?? []) {
      if (stop()) break uploads;
      result.visited++;
      if ((upload.Initiated?.getTime() ?? Date.now()) >= deadline) continue;
      await bucket.client
        .send(
          new AbortMultipartUploadCommand({
            Bucket: bucket.name,
            Key: upload.Key,
            UploadId: upload.UploadId,
          }),
        )
        .then(() => result.removedTemporary++)
        .catch(() => {}); // finished or aborted by another server meanwhile
    }
    KeyMarker = page.IsTruncated === true ? page.NextKeyMarker : undefined;
    UploadIdMarker = page.NextUploadIdMarker;
  } while (KeyMarker !== undefined);

  // Resumable partials: folders of segments under the reserved prefix, judged by their newest.
  const root = partialsKey(bucket);
  let current: { dir: string; keys: string[]; newest: number } | undefined;
  const judge = async () => {
    if (current === undefined) return;
    if (current.newest >= deadline) result.keptPartials++;
    else {
      await deleteKeys(bucket, current.keys).catch(() => {});
      result.removedPartials++;
    }
  };
  for await (const object of keysUnder(bucket, root)) {
    if (stop()) break;
    result.visited++;
    const dir = object.key.slice(0, object.key.indexOf('/', root.length) + 1);
    if (current?.dir !== dir) {
      await judge();
      current = { dir, keys: [], newest: 0 };
    }
    current.keys.push(object.key);
    current.newest = Math.max(current.newest, object.lastModified);
  }
  if (!result.truncated) await judge();
  result.durationMs = performance.now() - started;
  return result;
}
