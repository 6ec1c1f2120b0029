// The S3 part sink takes each chunk's bytes during its write (packages/storage-s3
// part-sink.ts, ReleasesChunks): the receiver reuses a block as soon as the block's write
// callback has run, so a sink that kept a reference to a chunk would store whatever the
// block held next. Here a writer does exactly what the receiver does (one block, refilled
// and scribbled over after every callback) into real uploads on the real store, and the
// objects are read back behind CFTP's back. The part buffer pool is empty once they end.
// A multipart object so made is then renamed (copy + delete, not atomic on S3).
import { createHash, randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { partPoolBytes, S3Storage } from '@cftp/storage-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { emptyPrefix, keysUnder, MiB, sdk, store, uniquePrefix } from './s3-helpers.js';

const prefix = uniquePrefix('sink');
const storage = new S3Storage({
  client: sdk,
  bucket: store.S3_BUCKET,
  prefix,
  partSize: 5 * MiB,
  queueSize: 2,
});

afterAll(() => emptyPrefix(prefix));

const digest = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * Writes `whole` through one reused block, in chunks of the given sizes in turn (odd ones,
 * so parts end inside a chunk), waiting for each write's callback and then overwriting the
 * block, as the receiver may.
 */
async function writeThroughOneBlock(stream: Writable, whole: Buffer, sizes: number[]) {
  const block = Buffer.alloc(MiB);
  let at = 0;
  for (let i = 0; at < whole.byteLength; i++) {
    const n = Math.min(sizes[i % sizes.length]!, whole.byteLength - at);
    whole.copy(block, 0, at, at + n);
    await new Promise<void>((resolve, reject) =>
      stream.write(block.subarray(0, n), (error) => (error ? reject(error) : resolve())),
    );
    block.fill(0xee);
    at += n;
  }
  stream.end();
  await finished(stream);
}

async function storedDigest(name: string): Promise<string> {
  const out = await sdk.send(new GetObjectCommand({ Bucket: store.S3_BUCKET, Key: prefix + name }));
  return digest(await out.Body!.transformToByteArray());
}

describe('the S3 part sink', () => {
  it.each([
    ['empty.bin', 0],
    ['small.bin', 200 * 1024 + 3],
    ['tail-kept.bin', 300 * 1024],
    ['parts.bin', 12 * MiB + 12_345],
  ])('stores exactly the bytes written through a reused block: %s', async (name, size) => {
    const whole = randomBytes(size);
    const upload = await storage.createUpload([name], { mtime: 1000 });
    await writeThroughOneBlock(upload.stream, whole, [MiB, 333 * 1024 + 1, 65_536, 7]);
    await upload.commit(1000);
    expect(await storedDigest(name)).toBe(digest(whole));
    expect(partPoolBytes()).toBe(0);
  });

  it('does so for a resumable upload too (segment objects, assembled at the commit)', async () => {
    const whole = randomBytes(11 * MiB + 99);
    const upload = await storage.createUpload(['resumable.bin'], {
      resumeKey: digest(whole).slice(0, 16),
      size: whole.byteLength,
      mtime: 1000,
    });
    await writeThroughOneBlock(upload.stream, whole, [MiB - 1, 4096]);
    await upload.commit(1000);
    expect(await storedDigest('resumable.bin')).toBe(digest(whole));
    expect(partPoolBytes()).toBe(0);
  });

  it('renames a multipart object by copy + delete: same bytes and metadata, old key gone', async () => {
    // parts.bin above went up in three parts: a multipart object (its ETag ends in -3).
    const head = await sdk.send(
      new HeadObjectCommand({ Bucket: store.S3_BUCKET, Key: `${prefix}parts.bin` }),
    );
    expect(head.ETag).toMatch(/-3"$/);
    const before = await storedDigest('parts.bin');
    await storage.rename(['parts.bin'], ['renamed.bin']);
    expect(await storedDigest('renamed.bin')).toBe(before);
    expect(await storage.stat(['renamed.bin'])).toMatchObject({
      size: 12 * MiB + 12_345,
      mtime: 1000,
    });
    const keys = await keysUnder(prefix);
    expect(keys).toContain('renamed.bin');
    expect(keys).not.toContain('parts.bin');
  });

  it('drops the pool when an upload is aborted midway', async () => {
    const upload = await storage.createUpload(['aborted.bin'], { mtime: 1000 });
    const block = randomBytes(MiB);
    for (let i = 0; i < 7; i++) {
      await new Promise<void>((resolve, reject) =>
        upload.stream.write(block, (error) => (error ? reject(error) : resolve())),
      );
    }
    await upload.abort();
    expect(partPoolBytes()).toBe(0);
    expect(await keysUnder(prefix)).not.toContain('aborted.bin');
  });
});
