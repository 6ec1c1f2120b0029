// What every S3 operation shares (docs/server.md "S3 storage"): the client, the bucket, the
// served prefix, how paths become keys, and the object metadata that carries mtime and mode.
import { createHash } from 'node:crypto';
import {
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  ListObjectsV2Command,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { MODE_MASK, PathError, type Reclaimer } from '@cftp/protocol';
import type { HeadCache } from './head-cache.js';
import { isNotFound, s3Error } from './s3-errors.js';

/**
 * The reserved folder at the served root: resumable partials live under it, so any server
 * can continue them. It is never listed and never reachable through the protocol.
 */
export const RESERVED = '.cftp-s3';

/** Object metadata names (sent as `x-amz-meta-…`). */
export const META_MTIME = 'cftp-mtime';
export const META_MODE = 'cftp-mode';

export interface Bucket {
  readonly client: S3Client;
  readonly name: string;
  /** '' or ending in '/'. */
  readonly prefix: string;
  /** Told the bytes read from the store (a get's body): frees dead read buffers sooner. */
  readonly reclaimer?: Reclaimer;
  /** What listings' HEADs said of the files they listed (head-cache.ts). */
  readonly heads?: HeadCache;
}

export function fileKey(bucket: Bucket, segments: readonly string[]): string {
  return bucket.prefix + segments.join('/');
}

/** A folder's key prefix (its marker's key too): `PREFIX/a/b/`, or PREFIX for the root. */
export function folderKey(bucket: Bucket, segments: readonly string[]): string {
  return segments.length === 0 ? bucket.prefix : `${bucket.prefix}${segments.join('/')}/`;
}

/** Where the resumable partial of `segments` with `resumeKey` keeps its segments. */
export function partialKey(bucket: Bucket, segments: readonly string[], resumeKey: string): string {
  const path = createHash('sha256').update(segments.join('/')).digest('hex').slice(0, 32);
  return `${partialsKey(bucket)}${path}.${resumeKey}/`;
}

export function partialsKey(bucket: Bucket): string {
  return `${bucket.prefix}${RESERVED}/partials/`;
}

/** The reserved folder does not exist as far as the protocol goes (§6.3 "Temporary names"). */
export function refuseReserved(segments: readonly string[], creating: boolean): void {
  if (segments[0] !== RESERVED) return;
  if (creating) throw new PathError('EBADNAME', 'name reserved for the object store');
  throw new PathError('ENOENT', `no such file or folder: "${segments.join('/')}"`);
}

export function metadata(mtime: number, mode: number): Record<string, string> {
  return { [META_MTIME]: String(Math.max(0, Math.trunc(mtime))), [META_MODE]: mode.toString(8) };
}

/**
 * An object version's identity for `tree`'s digest cache (ReadableFile.identity, §6.10): its
 * ETag, LastModified (whole seconds, as a HEAD gives it) and size. A version's bytes never
 * change, and another version has another LastModified or ETag. Undefined when the store
 * gave no ETag or time (then the file is read for its digest every time).
 */
export function objectIdentity(
  etag: string | undefined,
  lastModified: Date | undefined,
  size: number,
): string | undefined {
  if (etag === undefined || lastModified === undefined) return undefined;
  return `s3:${etag}:${Math.floor(lastModified.getTime() / 1000)}:${size}`;
}

/** mtime from metadata (CFTP's uploads), else the object's LastModified. */
export function mtimeOf(meta: Record<string, string> | undefined, lastModified?: Date): number {
  const stated = Number(meta?.[META_MTIME]);
  if (Number.isSafeInteger(stated) && stated >= 0) return stated;
  return Math.max(0, lastModified?.getTime() ?? 0);
}

export function modeOf(meta: Record<string, string> | undefined): number | undefined {
  const raw = meta?.[META_MODE];
  if (raw === undefined || !/^[0-7]{1,4}$/.test(raw)) return undefined;
  return Number.parseInt(raw, 8) & MODE_MASK;
}

/** HEAD of a key; undefined when there is none. */
export async function head(
  bucket: Bucket,
  key: string,
  path: string,
): Promise<HeadObjectCommandOutput | undefined> {
  try {
    return await bucket.client.send(new HeadObjectCommand({ Bucket: bucket.name, Key: key }));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw s3Error(error, path);
  }
}

/** A folder exists when its marker or any key under it does; the root always does. */
export async function folderExists(bucket: Bucket, segments: readonly string[]): Promise<boolean> {
  if (segments.length === 0) return true;
  try {
    const out = await bucket.client.send(
      new ListObjectsV2Command({
        Bucket: bucket.name,
        Prefix: folderKey(bucket, segments),
        MaxKeys: 1,
      }),
    );
    return (out.KeyCount ?? out.Contents?.length ?? 0) > 0;
  } catch (error) {
    throw s3Error(error, segments.join('/'));
  }
}

/** The parent folder of a name being created must exist (§6.3, §6.6): ENOENT or ENOTDIR. */
export async function requireParent(bucket: Bucket, segments: readonly string[]): Promise<void> {
  const parent = segments.slice(0, -1);
  if (await folderExists(bucket, parent)) return;
  const path = parent.join('/');
  if ((await head(bucket, fileKey(bucket, parent), path)) !== undefined) {
    throw new PathError('ENOTDIR', `not a folder: "${path}"`);
  }
  throw new PathError('ENOENT', `no such folder: "${path}"`);
}

/** One part of a multipart upload; resolves with the part's entry for the completion. */
export async function uploadPart(
  bucket: Bucket,
  upload: { Key: string; UploadId: string },
  PartNumber: number,
  Body: Buffer,
): Promise<{ PartNumber: number; ETag: string | undefined }> {
  const out = await bucket.client.send(
    new UploadPartCommand({
      Bucket: bucket.name,
      ...upload,
      PartNumber,
      Body,
      ContentLength: Body.byteLength,
    }),
  );
  return { PartNumber, ETag: out.ETag };
}
