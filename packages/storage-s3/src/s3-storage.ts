// The S3 Storage (docs/protocol.md §6, §8; docs/server.md "S3 storage"): the served root is
// a key prefix of one bucket, folders are key prefixes (with a `name/` marker when made by
// mkdir), and no state lives in the server: any number of servers over one bucket serve
// one namespace. Rename is copy + delete, not atomic on S3 (documented).
import {
  DeleteObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { DEFAULT_SERVER_UMASK, type Entry, PathError, Reclaimer } from '@cftp/protocol';
import type {
  Listing,
  ListOptions,
  ReadableFile,
  Storage,
  Subtree,
  SweepOptions,
  SweepResult,
  Upload,
  UploadOptions,
} from '@cftp/server';
import {
  type Bucket,
  fileKey,
  folderExists,
  folderKey,
  head,
  metadata,
  modeOf,
  mtimeOf,
  refuseReserved,
  requireParent,
} from './bucket.js';
import { type CopyPlan, copyObject, MAX_COPY_BYTES } from './copy.js';
import { HeadCache, type HeadCacheOptions } from './head-cache.js';
import { folderEntry, listObjects, requireFolder } from './list.js';
import { openObject } from './read.js';
import { keysUnder, openResumableUpload } from './resumable.js';
import { isPreconditionFailed, s3Error } from './s3-errors.js';
import { subtreeObjects } from './subtree.js';
import { sweepBucket } from './sweep.js';
import { openDirectUpload, type PartPlan } from './upload.js';

export interface S3StorageOptions {
  client: S3Client;
  bucket: string;
  /** Key prefix of the served root ('' or ending in '/'). */
  prefix?: string;
  /** Bytes per multipart part; default 16 MiB, at least 5 MiB. */
  partSize?: number;
  /** Parts in flight per upload; default 4. Server memory ≈ uploads × (queue + 1) × part. */
  queueSize?: number;
  /** Mode bits of folders made by mkdir (§6.8); default umask 022. */
  umask?: number;
  /** When rename copies in parts (defaults: above 5 GiB, 1 GiB ranges); for tests. */
  copy?: CopyPlan;
  /**
   * V8's collector (`cftp server` passes it): a minor collection every 16 MiB read from the
   * store (every HTTP read is a fresh buffer, and V8 lets ~64 MiB of dead ones pile up
   * otherwise), a major one when the part buffers of finished uploads are dropped.
   */
  collectGarbage?: (type: 'minor' | 'major') => void;
  /**
   * What listings keep of their HEADs (head-cache.ts): a folder listed again HEADs only the
   * files written since. Default 16 384 entries; `{ capacity: 0 }` keeps none.
   */
  headCache?: HeadCacheOptions;
}

const MIB = 1024 * 1024;

export class S3Storage implements Storage {
  private readonly bucket: Bucket;
  private readonly plan: PartPlan;
  private readonly umask: number;
  private readonly copyPlan: CopyPlan;

  constructor(options: S3StorageOptions) {
    const prefix = options.prefix ?? '';
    if (prefix !== '' && !prefix.endsWith('/')) throw new TypeError('prefix must end in "/"');
    const collect = options.collectGarbage;
    const reclaimer = new Reclaimer(collect === undefined ? undefined : () => collect('minor'));
    this.bucket = {
      client: options.client,
      name: options.bucket,
      prefix,
      reclaimer,
      heads: new HeadCache(options.headCache),
    };
    const partSize = options.partSize ?? 16 * MIB;
    if (partSize < 5 * MIB) throw new RangeError('partSize must be at least 5 MiB (S3)');
    this.plan = {
      partSize,
      queueSize: options.queueSize ?? 4,
      ...(collect === undefined
        ? {}
        : { poolDropped: () => collect('major'), written: (bytes) => reclaimer.note(bytes) }),
    };
    this.umask = options.umask ?? DEFAULT_SERVER_UMASK;
    this.copyPlan = options.copy ?? {};
  }

  /** Fails unless the bucket answers: a server should not start over a store it cannot reach. */
  async check(): Promise<void> {
    try {
      await this.bucket.client.send(new HeadBucketCommand({ Bucket: this.bucket.name }));
    } catch (error) {
      throw s3Error(error, `s3://${this.bucket.name}`);
    }
  }

  async list(segments: readonly string[], options: ListOptions = {}): Promise<Listing> {
    // `lazy` (tree, for the folders below the one asked, just seen in their parent's listing):
    // no check up front, a LIST saved per folder. A folder gone meanwhile lists empty, as it
    // would had it gone between the check and the listing.
    if (options.lazy === true) refuseReserved(segments, false);
    else await requireFolder(this.bucket, segments);
    return listObjects(this.bucket, segments, options.identities === true);
  }

  /** The whole subtree, a page of 1000 keys at a time (subtree.ts): what `tree` reads. */
  subtree(segments: readonly string[]): Promise<Subtree> {
    return subtreeObjects(this.bucket, segments);
  }

  openRead(segments: readonly string[]): Promise<ReadableFile> {
    return openObject(this.bucket, segments);
  }

  createUpload(segments: readonly string[], options: UploadOptions = {}): Promise<Upload> {
    const { resumeKey } = options;
    return resumeKey === undefined
      ? openDirectUpload(this.bucket, this.plan, segments, options)
      : openResumableUpload(this.bucket, this.plan, segments, { ...options, resumeKey });
  }

  async stat(segments: readonly string[]): Promise<Entry> {
    refuseReserved(segments, false);
    const path = segments.join('/');
    const name = segments.at(-1) ?? '.';
    if (segments.length === 0) return folderEntry(name, undefined);
    const info = await head(this.bucket, fileKey(this.bucket, segments), path);
    if (info !== undefined) {
      const mode = modeOf(info.Metadata);
      return {
        name,
        type: 'file',
        size: info.ContentLength ?? 0,
        mtime: mtimeOf(info.Metadata, info.LastModified),
        ...(mode === undefined ? {} : { mode }),
      };
    }
    const marker = await head(this.bucket, folderKey(this.bucket, segments), path);
    if (marker !== undefined || (await folderExists(this.bucket, segments))) {
      return folderEntry(name, marker);
    }
    throw new PathError('ENOENT', `no such file or folder: "${path}"`);
  }

  async mkdir(segments: readonly string[]): Promise<void> {
    refuseReserved(segments, true);
    const path = segments.join('/');
    if (segments.length === 0) throw new PathError('EEXIST', 'the served folder itself');
    const [file, folder] = await Promise.all([
      head(this.bucket, fileKey(this.bucket, segments), path),
      folderExists(this.bucket, segments),
      requireParent(this.bucket, segments),
    ]);
    if (file !== undefined || folder) throw new PathError('EEXIST', `already exists: "${path}"`);
    try {
      await this.bucket.client.send(
        new PutObjectCommand({
          Bucket: this.bucket.name,
          Key: folderKey(this.bucket, segments),
          Body: Buffer.alloc(0),
          IfNoneMatch: '*', // two servers making one folder: one of them gets EEXIST
          Metadata: metadata(Date.now(), 0o777 & ~this.umask),
        }),
      );
    } catch (error) {
      if (isPreconditionFailed(error)) throw new PathError('EEXIST', `already exists: "${path}"`);
      throw s3Error(error, path);
    }
  }

  async rmdir(segments: readonly string[]): Promise<void> {
    refuseReserved(segments, false);
    const path = segments.join('/');
    if (segments.length === 0) throw new PathError('EACCES', 'the served folder itself');
    const Prefix = folderKey(this.bucket, segments);
    let keys: string[];
    try {
      const out = await this.bucket.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket.name, Prefix, MaxKeys: 2 }),
      );
      keys = (out.Contents ?? []).map((object) => object.Key ?? '');
    } catch (error) {
      throw s3Error(error, path);
    }
    if (keys.length === 0) {
      if ((await head(this.bucket, fileKey(this.bucket, segments), path)) !== undefined) {
        throw new PathError('ENOTDIR', `not a folder: "${path}"`);
      }
      throw new PathError('ENOENT', `no such folder: "${path}"`);
    }
    if (keys.some((key) => key !== Prefix))
      throw new PathError('ENOTEMPTY', `folder not empty: "${path}"`);
    await this.delete(Prefix, path);
  }

  async remove(segments: readonly string[]): Promise<void> {
    refuseReserved(segments, false);
    const path = segments.join('/');
    if (segments.length === 0) throw new PathError('EISDIR', 'the served folder itself');
    const key = fileKey(this.bucket, segments);
    if ((await head(this.bucket, key, path)) === undefined) {
      if (await folderExists(this.bucket, segments))
        throw new PathError('EISDIR', `is a directory: "${path}"`);
      throw new PathError('ENOENT', `no such file: "${path}"`);
    }
    await this.delete(key, path);
  }

  /** Copy, then delete: not atomic on S3 (docs/server.md). A folder moves key by key. */
  async rename(from: readonly string[], to: readonly string[]): Promise<void> {
    refuseReserved(from, false);
    refuseReserved(to, true);
    const fromPath = from.join('/');
    const toPath = to.join('/');
    if (from.length === 0) throw new PathError('EACCES', 'the served folder itself');
    if (to.length === 0) throw new PathError('EEXIST', 'the served folder itself');
    const [source, isFolder, target, targetFolder] = await Promise.all([
      head(this.bucket, fileKey(this.bucket, from), fromPath),
      folderExists(this.bucket, from),
      head(this.bucket, fileKey(this.bucket, to), toPath),
      folderExists(this.bucket, to),
      requireParent(this.bucket, to),
    ]);
    if (source === undefined && !isFolder)
      throw new PathError('ENOENT', `no such file or folder: "${fromPath}"`);
    if (target !== undefined || targetFolder)
      throw new PathError('EEXIST', `already exists: "${toPath}"`);
    if (source !== undefined) {
      await this.copy(
        fileKey(this.bucket, from),
        fileKey(this.bucket, to),
        fromPath,
        source.ContentLength ?? 0,
        source.Metadata,
      );
      await this.delete(fileKey(this.bucket, from), fromPath);
      return;
    }
    if (toPath.startsWith(`${fromPath}/`))
      throw new PathError('EACCES', `cannot move "${fromPath}" into itself`);
    const oldPrefix = folderKey(this.bucket, from);
    const newPrefix = folderKey(this.bucket, to);
    try {
      for await (const object of keysUnder(this.bucket, oldPrefix)) {
        const toKey = newPrefix + object.key.slice(oldPrefix.length);
        const meta =
          object.size > (this.copyPlan.maxCopyBytes ?? MAX_COPY_BYTES)
            ? (await head(this.bucket, object.key, fromPath))?.Metadata
            : undefined;
        await this.copy(object.key, toKey, fromPath, object.size, meta);
        await this.delete(object.key, fromPath);
      }
    } catch (error) {
      throw s3Error(error, fromPath);
    }
  }

  sweep(options: SweepOptions): Promise<SweepResult> {
    return sweepBucket(this.bucket, options);
  }

  private async copy(
    fromKey: string,
    toKey: string,
    path: string,
    size: number,
    meta: Record<string, string> | undefined,
  ): Promise<void> {
    try {
      await copyObject(this.bucket, fromKey, toKey, size, meta, this.copyPlan);
    } catch (error) {
      throw s3Error(error, path);
    }
  }

  private async delete(key: string, path: string): Promise<void> {
    try {
      await this.bucket.client.send(
        new DeleteObjectCommand({ Bucket: this.bucket.name, Key: key }),
      );
    } catch (error) {
      throw s3Error(error, path);
    }
  }
}
