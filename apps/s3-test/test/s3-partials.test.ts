// Resumable partials on S3 through the Storage interface itself (packages/storage-s3): a put
// kept at an interruption continues from the bytes in the bucket, its prefix read back from
// the segments, and the commit assembles the segments into one object, by a copy on the
// store when every segment but the last is big enough for a part (UploadPartCopy), by
// re-cutting them when an interruption left a short one in the middle.
import { createHash, randomBytes } from 'node:crypto';
import { finished } from 'node:stream/promises';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { S3Storage } from '@cftp/storage-s3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  emptyPrefix,
  keysUnder,
  MiB,
  sdk,
  store,
  uniquePrefix,
  uploadsUnder,
} from './s3-helpers.js';

const prefix = uniquePrefix('partials');
const storage = new S3Storage({
  client: sdk,
  bucket: store.S3_BUCKET,
  prefix,
  partSize: 5 * MiB,
  // Renames copy in parts above 5 MiB here (5 GiB in earnest), so a test can see it.
  copy: { maxCopyBytes: 5 * MiB, copyPartBytes: 5 * MiB },
});

afterAll(() => emptyPrefix(prefix));

/** Writes `bytes` to an upload's stream and ends it. */
async function send(stream: NodeJS.WritableStream & { destroyed: boolean }, bytes: Buffer) {
  for (let i = 0; i < bytes.byteLength; i += MiB) stream.write(bytes.subarray(i, i + MiB));
  stream.end();
  await finished(stream);
}

async function objectDigest(key: string): Promise<string> {
  const out = await sdk.send(new GetObjectCommand({ Bucket: store.S3_BUCKET, Key: prefix + key }));
  return createHash('sha256')
    .update(Buffer.from(await out.Body!.transformToByteArray()))
    .digest('hex');
}

/** Puts `whole` as a resumable upload cut after `cut` bytes, then resumed and committed. */
async function cutAndResume(name: string, whole: Buffer, cut: number): Promise<void> {
  const resumeKey = createHash('sha256').update(whole).digest('hex').slice(0, 16);
  const first = await storage.createUpload([name], {
    resumeKey,
    size: whole.byteLength,
    mtime: 1000,
  });
  expect(first.offset).toBe(0);
  for (let i = 0; i < cut; i += MiB) first.stream.write(whole.subarray(i, Math.min(cut, i + MiB)));
  first.stream.destroy(); // the connection is lost
  await first.abort(true);
  expect(await keysUnder(prefix)).not.toContain(name);

  const second = await storage.createUpload([name], {
    resumeKey,
    size: whole.byteLength,
    mtime: 1000,
  });
  expect(second.offset).toBe(cut);
  const prefixBytes = Buffer.alloc(cut);
  for (let at = 0; at < cut; ) {
    const n = await second.read(prefixBytes.subarray(at, Math.min(cut, at + MiB)), at);
    expect(n).toBeGreaterThan(0);
    at += n;
  }
  expect(prefixBytes.equals(whole.subarray(0, cut))).toBe(true);
  await send(second.stream, whole.subarray(cut));
  await second.commit(1000);
  await second.abort(true); // after a commit: nothing to do
  expect(await objectDigest(name)).toBe(createHash('sha256').update(whole).digest('hex'));
  expect((await storage.stat([name])).mtime).toBe(1000);
}

describe('resumable partials in the bucket', () => {
  it('continue from whole segments, assembled by copies on the store', async () => {
    await cutAndResume('copied.bin', randomBytes(13 * MiB), 10 * MiB);
  });

  it('continue from a short tail, re-cut into parts at the commit', async () => {
    await cutAndResume('recut.bin', randomBytes(14 * MiB + 7), 7 * MiB + 3);
  });

  it('renames a file above the single-copy limit by a multipart copy, metadata kept', async () => {
    const before = await objectDigest('copied.bin');
    await storage.rename(['copied.bin'], ['moved.bin']);
    expect(await objectDigest('moved.bin')).toBe(before);
    expect(await storage.stat(['moved.bin'])).toMatchObject({ size: 13 * MiB, mtime: 1000 });
    expect(await keysUnder(prefix)).not.toContain('copied.bin');
  });

  it('leave nothing behind: no partial, no multipart upload', async () => {
    expect(await keysUnder(`${prefix}.cftp-s3/`)).toEqual([]);
    expect(await uploadsUnder(prefix)).toEqual([]);
  });
});
