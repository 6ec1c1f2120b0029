// A list on S3 (docs/protocol.md §6.1): ListObjectsV2 with a `/` delimiter, one page (up to
// 1000 keys) fetched only when the data channel has taken the previous one (backpressure).
// Objects carry mtime and mode in metadata, which a listing does not return, so each file
// gets a HEAD, a bounded number at once, unless the bucket's HeadCache still holds what a HEAD
// said of the very version listed (same ETag, LastModified and size).
import { ListObjectsV2Command, type ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { checkName, type Entry, isTempName, MAX_LIST_ENTRIES, PathError } from '@cftp/protocol';
import type { Listing } from '@cftp/server';
import {
  type Bucket,
  fileKey,
  folderExists,
  folderKey,
  head,
  modeOf,
  mtimeOf,
  objectIdentity,
  RESERVED,
  refuseReserved,
} from './bucket.js';
import { s3Error } from './s3-errors.js';

/** Entries per batch handed to the data channel. */
export const LIST_BATCH = 128;
/** HEADs in flight at once for one listing. */
export const HEADS_IN_FLIGHT = 64;

/** What a listed name is: listed as is, or left out (counted, §6.1) or hidden (temporary). */
export function judge(name: string): 'ok' | 'bad' | 'hidden' {
  if (isTempName(name)) return 'hidden';
  try {
    return checkName(name) === name ? 'ok' : 'bad';
  } catch {
    return 'bad';
  }
}

/** Runs `work` over `items`, `limit` at once, results in order. */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** A folder's entry (§6.1) from its `name/` marker, when it has one. */
export function folderEntry(
  name: string,
  marker: { Metadata?: Record<string, string>; LastModified?: Date } | undefined,
): Entry {
  const mode = modeOf(marker?.Metadata);
  return {
    name,
    type: 'dir',
    size: 0,
    mtime: marker === undefined ? Date.now() : mtimeOf(marker.Metadata, marker.LastModified),
    ...(mode === undefined ? {} : { mode }),
  };
}

/** Checks that `segments` is a folder: ENOENT, or ENOTDIR for a file. */
export async function requireFolder(bucket: Bucket, segments: readonly string[]): Promise<void> {
  refuseReserved(segments, false);
  if (await folderExists(bucket, segments)) return;
  const path = segments.join('/');
  if ((await head(bucket, fileKey(bucket, segments), path)) !== undefined) {
    throw new PathError('ENOTDIR', `not a folder: "${path}"`);
  }
  throw new PathError('ENOENT', `no such folder: "${path}"`);
}

/** A file as a ListObjectsV2 page shows it. */
export interface ListedFile {
  name: string;
  key: string;
  size: number;
  etag?: string;
  lastModified?: Date;
}

/** A page's object as fileFacts takes it, under `name` (its name or path, for errors too). */
export function listedFile(
  object: NonNullable<ListObjectsV2CommandOutput['Contents']>[number],
  name: string,
): ListedFile {
  return {
    name,
    key: object.Key ?? '',
    size: object.Size ?? 0,
    ...(object.ETag === undefined ? {} : { etag: object.ETag }),
    ...(object.LastModified ? { lastModified: object.LastModified } : {}),
  };
}

/** A listed file's size, mtime and mode. */
export interface FileFacts {
  size: number;
  mtime: number;
  mode: number | undefined;
}

/**
 * A listed file's facts: from the bucket's HeadCache when it holds this very version, else
 * from a HEAD (kept there when the HEAD saw the version listed). `gone` when the object was
 * removed since the page was listed (left out, as if removed while listing); `failed` when
 * the HEAD failed otherwise (left out and counted, so the listing reads as incomplete: a
 * sync must not take a file the store did not describe for one the source lacks).
 */
export async function fileFacts(
  bucket: Bucket,
  file: ListedFile,
  path: string,
): Promise<FileFacts | 'gone' | 'failed'> {
  const cache = bucket.heads;
  const lastModified = file.lastModified?.getTime();
  const version =
    file.etag === undefined || lastModified === undefined
      ? undefined
      : { etag: file.etag, lastModified, size: file.size };
  if (cache !== undefined && version !== undefined) {
    const hit = cache.get(file.key, version.etag, version.lastModified, version.size);
    if (hit !== undefined) return { size: file.size, ...hit };
  }
  const sentAt = cache?.now() ?? 0;
  let info: Awaited<ReturnType<typeof head>>;
  try {
    info = await head(bucket, file.key, path);
  } catch {
    return 'failed';
  }
  if (info === undefined) return 'gone';
  const facts = { mtime: mtimeOf(info.Metadata, info.LastModified), mode: modeOf(info.Metadata) };
  const size = info.ContentLength ?? file.size;
  // The HEAD saw the version listed: same ETag and size, LastModified in the same second (a
  // HEAD's Last-Modified header has whole seconds).
  const headModified = info.LastModified?.getTime();
  if (
    cache !== undefined &&
    version !== undefined &&
    info.ETag === version.etag &&
    size === version.size &&
    headModified !== undefined &&
    Math.floor(headModified / 1000) === Math.floor(version.lastModified / 1000)
  ) {
    cache.set(file.key, version, facts, sentAt);
  }
  return { size, ...facts };
}

/** With `identities`, each listed file's objectIdentity by name, filled as batches are read. */
export function listObjects(
  bucket: Bucket,
  segments: readonly string[],
  identities = false,
): Listing {
  const counts = { skipped: 0 };
  const known = identities ? new Map<string, string>() : undefined;
  return {
    get skipped() {
      return counts.skipped;
    },
    ...(known === undefined ? {} : { identities: known }),
    [Symbol.asyncIterator]: () => listPages(bucket, segments, counts, known),
  };
}

async function* listPages(
  bucket: Bucket,
  segments: readonly string[],
  counts: { skipped: number },
  identities: Map<string, string> | undefined,
): AsyncGenerator<Entry[]> {
  const path = segments.join('/');
  const Prefix = folderKey(bucket, segments);
  let ContinuationToken: string | undefined;
  let listed = 0;
  do {
    let page: ListObjectsV2CommandOutput;
    try {
      page = await bucket.client.send(
        new ListObjectsV2Command({
          Bucket: bucket.name,
          Prefix,
          Delimiter: '/',
          ContinuationToken,
        }),
      );
    } catch (error) {
      throw s3Error(error, path);
    }
    const accept = (name: string): boolean => {
      const verdict = judge(name);
      if (verdict === 'hidden') return false;
      if (verdict === 'bad' || listed >= MAX_LIST_ENTRIES) {
        counts.skipped++;
        return false;
      }
      listed++;
      return true;
    };
    const folders: string[] = [];
    for (const common of page.CommonPrefixes ?? []) {
      const name = common.Prefix?.slice(Prefix.length, -1) ?? '';
      if (segments.length === 0 && name === RESERVED) continue;
      if (name !== '' && accept(name)) folders.push(name);
    }
    const files: ListedFile[] = [];
    for (const object of page.Contents ?? []) {
      const key = object.Key ?? '';
      const name = key.slice(Prefix.length);
      if (name === '' || !accept(name)) continue; // '' is the folder's own marker
      files.push(listedFile(object, name));
    }
    for (let i = 0; i < folders.length; i += LIST_BATCH) {
      const batch = folders.slice(i, i + LIST_BATCH);
      // A folder's time and mode are its marker's (mkdir); a folder without one is "now".
      const markers = await mapLimited(batch, HEADS_IN_FLIGHT, (name) =>
        head(bucket, `${Prefix}${name}/`, name).catch(() => undefined),
      );
      yield batch.map((name, j) => folderEntry(name, markers[j]));
    }
    for (let i = 0; i < files.length; i += LIST_BATCH) {
      const batch = files.slice(i, i + LIST_BATCH);
      const infos = await mapLimited(batch, HEADS_IN_FLIGHT, (file) =>
        fileFacts(bucket, file, `${path === '' ? '' : `${path}/`}${file.name}`),
      );
      const entries: Entry[] = [];
      infos.forEach((info, j) => {
        if (info === 'failed') counts.skipped++;
        if (typeof info === 'string') return;
        const file = batch[j]!;
        const identity = objectIdentity(file.etag, file.lastModified, file.size);
        if (identities !== undefined && identity !== undefined) identities.set(file.name, identity);
        entries.push({
          name: batch[j]!.name,
          type: 'file',
          size: info.size,
          mtime: info.mtime,
          ...(info.mode === undefined ? {} : { mode: info.mode }),
        });
      });
      if (entries.length > 0) yield entries;
    }
    ContinuationToken = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (ContinuationToken !== undefined);
}
