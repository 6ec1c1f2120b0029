// A listing on S3 HEADs each file for its mtime and mode (object metadata), and keeps what
// the HEAD said for the next listing while the version listed (ETag, LastModified, size) is
// the same (packages/storage-s3 head-cache.ts). Against the real store: the HEADs are counted
// on the S3 client the storage uses. Then the cache's own rules, on its own clock.
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Entry } from '@cftp/protocol';
import { HeadCache, S3Storage, type S3StorageOptions } from '@cftp/storage-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { countingClient, emptyPrefix, putTinyObjects, store, uniquePrefix } from './s3-helpers.js';

const prefix = uniquePrefix('heads');
afterAll(() => emptyPrefix(prefix));

const { client, sent } = countingClient();
const heads = () => sent.HeadObjectCommand ?? 0;

function storage(headCache: S3StorageOptions['headCache']): S3Storage {
  return new S3Storage({ client, bucket: store.S3_BUCKET, prefix, headCache });
}

/** The folder's entries, by name, and how many HEADs the listing made. */
async function list(from: S3Storage, folder: string) {
  const before = heads();
  const entries: Entry[] = [];
  for await (const batch of await from.list([folder])) entries.push(...batch);
  entries.sort((a, b) => a.name.localeCompare(b.name));
  return { entries, heads: heads() - before };
}

/** A file with CFTP's metadata, as a `put` through a server leaves it. */
function putWithMetadata(key: string, body: string, mtime: number, mode: number) {
  return client.send(
    new PutObjectCommand({
      Bucket: store.S3_BUCKET,
      Key: prefix + key,
      Body: body,
      Metadata: { 'cftp-mtime': String(mtime), 'cftp-mode': mode.toString(8) },
    }),
  );
}

describe('listing a folder again on S3', () => {
  it('HEADs only the files written since the last listing', async () => {
    const names = Array.from({ length: 40 }, (_, i) => `f${String(i).padStart(2, '0')}`);
    await putTinyObjects(
      names.map((name) => `${prefix}many/${name}`),
      'abc',
    );
    await putWithMetadata('many/g', 'with metadata', 1_700_000_000_000, 0o640);
    // Settled at once, so that the test need not wait out the 5 s of a server's default.
    const cached = storage({ settleMs: 0 });
    const first = await list(cached, 'many');
    expect(first.heads).toBe(41);
    expect(first.entries).toHaveLength(41);
    expect(first.entries.at(-1)).toMatchObject({
      name: 'g',
      size: 13,
      mtime: 1_700_000_000_000,
      mode: 0o640,
    });

    const second = await list(cached, 'many');
    expect(second.heads).toBe(0);
    expect(second.entries).toEqual(first.entries);

    // Written again (as by another server): a new version, HEADed again, its new facts shown.
    await putWithMetadata('many/g', 'other bytes, longer', 1_800_000_000_000, 0o600);
    const third = await list(cached, 'many');
    expect(third.heads).toBe(1);
    expect(third.entries.at(-1)).toMatchObject({
      name: 'g',
      size: 19,
      mtime: 1_800_000_000_000,
      mode: 0o600,
    });
    expect(third.entries.slice(0, -1)).toEqual(first.entries.slice(0, -1));
  });

  it('keeps nothing with a capacity of 0, and nothing written within the settling time', async () => {
    const none = storage({ capacity: 0 });
    expect((await list(none, 'many')).heads).toBe(41);
    expect((await list(none, 'many')).heads).toBe(41);
    // Objects written a moment ago are not settled under an hour's settling time.
    const unsettled = storage({ settleMs: 3_600_000 });
    expect((await list(unsettled, 'many')).heads).toBe(41);
    expect((await list(unsettled, 'many')).heads).toBe(41);
  });
});

describe('HeadCache', () => {
  const version = { etag: '"e1"', lastModified: 10_000, size: 5 };
  const facts = { mtime: 123, mode: 0o644 };

  it('answers only for the very version it was told of', () => {
    const cache = new HeadCache({ settleMs: 5_000 });
    cache.set('k', version, facts, 15_000);
    expect(cache.get('k', '"e1"', 10_000, 5)).toEqual(facts);
    expect(cache.get('k', '"e1"', 10_000, 6)).toBeUndefined(); // another size
    expect(cache.get('k', '"e1"', 10_000, 5)).toBeUndefined(); // and the old entry is gone
    cache.set('k', version, facts, 15_000);
    expect(cache.get('k', '"e2"', 10_000, 5)).toBeUndefined();
    cache.set('k', version, facts, 15_000);
    expect(cache.get('k', '"e1"', 11_000, 5)).toBeUndefined();
    expect(cache.get('other', '"e1"', 10_000, 5)).toBeUndefined();
  });

  it('keeps no answer about a version written less than settleMs before the HEAD', () => {
    const cache = new HeadCache({ settleMs: 5_000 });
    cache.set('k', version, facts, 14_999);
    expect(cache.size).toBe(0);
    cache.set('k', version, facts, 15_000);
    expect(cache.size).toBe(1);
  });

  it('drops the least recently used entry past its capacity', () => {
    const cache = new HeadCache({ capacity: 2, settleMs: 0 });
    cache.set('a', version, facts, 20_000);
    cache.set('b', version, facts, 20_000);
    expect(cache.get('a', '"e1"', 10_000, 5)).toEqual(facts); // a is now the most recent
    cache.set('c', version, facts, 20_000);
    expect(cache.size).toBe(2);
    expect(cache.get('b', '"e1"', 10_000, 5)).toBeUndefined();
    expect(cache.get('a', '"e1"', 10_000, 5)).toEqual(facts);
    expect(cache.get('c', '"e1"', 10_000, 5)).toEqual(facts);
  });
});
