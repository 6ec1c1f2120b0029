// A get on S3 through the Storage interface (packages/storage-s3 read.ts): one ranged
// GetObject read ahead while the transfer asks for whole blocks, a new range when a read
// comes at another position (a resumed get), and the bytes exactly the object's.
import { randomBytes } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { S3Storage } from '@cftp/storage-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyPrefix, MiB, sdk, store, uniquePrefix } from './s3-helpers.js';

const prefix = uniquePrefix('read');
const storage = new S3Storage({ client: sdk, bucket: store.S3_BUCKET, prefix });
const content = randomBytes(9 * MiB + 12_345);

beforeAll(async () => {
  await sdk.send(
    new PutObjectCommand({ Bucket: store.S3_BUCKET, Key: `${prefix}data.bin`, Body: content }),
  );
});

afterAll(() => emptyPrefix(prefix));

describe('reading an object', () => {
  it('fills whole buffers from the start, and the last one with the rest', async () => {
    const file = await storage.openRead(['data.bin']);
    expect(file.size).toBe(content.byteLength);
    const block = Buffer.alloc(MiB);
    const got: Buffer[] = [];
    for (let position = 0; ; ) {
      const n = await file.read(block, position);
      if (n === 0) break;
      // Whole blocks but the last: one socket write and one hash call per block.
      if (position + n < content.byteLength) expect(n).toBe(MiB);
      got.push(Buffer.from(block.subarray(0, n)));
      position += n;
    }
    await file.close();
    expect(Buffer.concat(got).equals(content)).toBe(true);
  });

  it('reads from any position (a resumed get), in buffers of any size', async () => {
    const file = await storage.openRead(['data.bin']);
    const small = Buffer.alloc(4097);
    expect(await file.read(small, 0)).toBe(4097);
    expect(small.equals(content.subarray(0, 4097))).toBe(true);
    // Elsewhere: a new range from there, read to the end.
    const from = 5 * MiB + 3;
    const block = Buffer.alloc(3 * MiB);
    const got: Buffer[] = [];
    for (let position = from; ; ) {
      const n = await file.read(block, position);
      if (n === 0) break;
      got.push(Buffer.from(block.subarray(0, n)));
      position += n;
    }
    expect(Buffer.concat(got).equals(content.subarray(from))).toBe(true);
    expect(await file.read(block, content.byteLength)).toBe(0);
    await file.close();
  });
});
