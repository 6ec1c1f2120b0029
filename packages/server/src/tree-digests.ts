// The digests a `tree` with `digest: true` sends (docs/protocol.md §6.10), and the bounded
// cache that spares a second run from reading unchanged files again. A file is known by the
// identity its storage gives it (device, inode, size, mtime, ctime for the local disk): any
// write moves mtime or ctime, and so misses the cache. A storage without identities is read
// every time.
import type { DigestAlgorithm } from '@cftp/protocol';
import { createDigest, observePrefix } from '@cftp/transfer';
import type { ReadableFile, Storage } from './storage.js';

/** Digests remembered per storage: ~200 bytes each, so at most ~40 MB. */
export const DIGEST_CACHE_ENTRIES = 200_000;

/** A least-recently-used map of identity → digest, bounded by entry count. */
export class DigestCache {
  private readonly entries = new Map<string, string>();
  hits = 0;
  misses = 0;
  /**
   * The one digest still being read after its `tree` line went without it (§6.10,
   * treeDigestWaitMs): at most one such read per storage at a time, whatever the sessions
   * ask, and it fills the cache for the next `tree`.
   */
  background: Promise<void> | undefined;

  constructor(private readonly capacity = DIGEST_CACHE_ENTRIES) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): string | undefined {
    const digest = this.entries.get(key);
    if (digest === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Re-inserted: a Map iterates in insertion order, so the first key is the oldest use.
    this.entries.delete(key);
    this.entries.set(key, digest);
    return digest;
  }

  set(key: string, digest: string): void {
    this.entries.delete(key);
    this.entries.set(key, digest);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}

/** One cache per storage (and so per root), shared by its sessions, dropped with it. */
const caches = new WeakMap<Storage, DigestCache>();

export function digestCacheOf(storage: Storage): DigestCache {
  let cache = caches.get(storage);
  if (cache === undefined) {
    cache = new DigestCache();
    caches.set(storage, cache);
  }
  return cache;
}

/** The cached digest of the file with this identity, if any. */
export function cachedDigest(
  cache: DigestCache,
  algorithm: DigestAlgorithm,
  identity: string,
): string | undefined {
  return cache.get(`${algorithm}:${identity}`);
}

/**
 * The digest of an opened file, in `algorithm`: from the cache when the file's identity is
 * known and unchanged, else read in full (exactly `file.size` bytes: the size the tree line
 * states) and remembered.
 */
export async function fileDigest(
  file: ReadableFile,
  algorithm: DigestAlgorithm,
  cache: DigestCache,
  signal: AbortSignal,
): Promise<string> {
  const key = file.identity === undefined ? undefined : `${algorithm}:${file.identity}`;
  const known = key === undefined ? undefined : cache.get(key);
  if (known !== undefined) return known;
  const hash = createDigest(algorithm);
  await observePrefix(file.read, file.size, (chunk) => hash.update(chunk), signal);
  const digest = hash.hex();
  if (key !== undefined) cache.set(key, digest);
  return digest;
}

/** True when `promise` settles (either way) within `ms`, false when the time runs out first. */
export function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    const settled = () => {
      clearTimeout(timer);
      resolve(true);
    };
    promise.then(settled, settled);
  });
}
