// What a listing learned from its HEADs, kept for the next listing (docs/server.md "S3
// storage"). ListObjectsV2 returns each object's key, size, ETag and LastModified but not its
// metadata, where CFTP keeps mtime and mode, so a listing HEADs every file: a folder of
// 10 000 files is 10 000 requests, about 10 s and 6 CPU-s of the server here, every time.
//
// S3 never changes an object's metadata in place: a PUT, a CompleteMultipartUpload or a
// CopyObject writes a new version with a new LastModified. So what a HEAD said holds for as
// long as a listing shows the same (ETag, LastModified, size), whichever server wrote the
// object. LastModified may have one-second resolution, and two writes in one second would
// share it: an answer is kept only for an object last modified `settleMs` (5 s) before the
// HEAD was sent, so any later write has another LastModified. That assumes the store's clock
// and this server's agree within those seconds. Bounded: past `capacity` entries, the least
// recently used one goes; 16 384 entries are a few MiB.

export interface HeadFacts {
  /** From the HEAD's metadata (or its LastModified when it has none). */
  mtime: number;
  mode: number | undefined;
}

interface Cached extends HeadFacts {
  etag: string;
  lastModified: number;
  size: number;
}

export interface HeadCacheOptions {
  /** Entries kept; 0 keeps none. Default 16 384. */
  capacity?: number;
  /** How long before the HEAD an object must have been written for its answer to be kept. */
  settleMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

export class HeadCache {
  private readonly entries = new Map<string, Cached>();
  private readonly capacity: number;
  private readonly settleMs: number;
  readonly now: () => number;

  constructor(options: HeadCacheOptions = {}) {
    this.capacity = options.capacity ?? 16_384;
    this.settleMs = options.settleMs ?? 5_000;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** What a HEAD of this version said, if one was kept. */
  get(key: string, etag: string, lastModified: number, size: number): HeadFacts | undefined {
    const hit = this.entries.get(key);
    if (hit === undefined) return undefined;
    if (hit.etag !== etag || hit.lastModified !== lastModified || hit.size !== size) {
      this.entries.delete(key); // another version now: this one will not be listed again
      return undefined;
    }
    this.entries.delete(key); // most recently used last
    this.entries.set(key, hit);
    return { mtime: hit.mtime, mode: hit.mode };
  }

  /**
   * Keeps what a HEAD sent at `sentAt` said of the version a listing showed (its ETag,
   * LastModified and size), when that version was settled by then.
   */
  set(
    key: string,
    version: { etag: string; lastModified: number; size: number },
    facts: HeadFacts,
    sentAt: number,
  ): void {
    if (this.capacity <= 0 || version.lastModified > sentAt - this.settleMs) return;
    this.entries.delete(key);
    this.entries.set(key, { ...version, ...facts });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}
