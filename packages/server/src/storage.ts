// Storage behind a small interface (docs/protocol.md §6, §8, §9): what the session and the
// operations need from a file store, and how a file-system failure becomes a CFTP error.
// The local-disk implementation, confined to a root, is LocalStorage (local-storage.ts).
import type { Writable } from 'node:stream';
import { CftpError, type Entry, errnoOf, errorFromCode, osError } from '@cftp/protocol';

/** Large reads and writes: fewer syscalls and hash calls per byte (see docs/performance.md). */
export const IO_CHUNK_BYTES = 1024 * 1024;

export interface ReadableFile {
  readonly size: number;
  /** Modification time, ms since the epoch. */
  readonly mtime: number;
  /** Permission bits, 0 to 0o777 (§6.8), when the storage has them. */
  readonly mode?: number;
  /**
   * What changes whenever the content may have (device, inode, size, mtime, ctime on a local
   * disk), when the storage can tell: `tree` digests are cached under it (§6.10).
   */
  readonly identity?: string;
  /** Reads up to `buffer.byteLength` bytes at `position`; 0 at the end of the file. */
  read(buffer: Uint8Array, position: number): Promise<number>;
  close(): Promise<void>;
}

export interface UploadOptions {
  /** Keep the partial file for a later resume (§6.3, §8): its name derives from this key. */
  resumeKey?: string;
  /** Expected final size; a resumable partial larger than this is started over. */
  size?: number;
  /** The source's permission bits, `put.mode` (§6.8); absent from a v1 client. */
  mode?: number;
  /** `exactMode`: the committed file gets exactly `mode`, new or overwritten (§6.8). */
  exactMode?: boolean;
  /** The server's umask for a new file (§6.8); default 0o022. */
  umask?: number;
  /**
   * `put.mtime`, known before the data: a store that fixes an object's metadata when the
   * upload starts (S3 multipart) needs it then. `commit(mtime)` still gives it to the others.
   */
  mtime?: number;
  /**
   * Uploads given the same object (the files of one batch, §6.7) may share work a storage
   * does per file, such as opening and checking their folder; any object will do.
   */
  group?: object;
}

export interface Upload {
  /** Bytes already present from an interrupted resumable upload; new bytes go after them. */
  readonly offset: number;
  /** Reads the partial file's bytes (the first `offset`), for the prefix digest. */
  read(buffer: Uint8Array, position: number): Promise<number>;
  /** Where the new bytes go (appended after `offset`); ends when the caller ends it. */
  readonly stream: Writable;
  /** fsync (done by the stream), set mtime, rename into place, fsync the folder (§8). */
  commit(mtime?: number): Promise<void>;
  /**
   * Gives up. The temporary file is removed, unless the upload is resumable and `keep` is
   * true. Safe to call more than once, and after a failed commit.
   */
  abort(keep?: boolean): Promise<void>;
}

export interface SweepOptions {
  /** When the server started: temporary files last modified before it are leftovers. */
  startedAt: number;
  /** Resumable partials (§8) last modified longer ago than this are removed too. */
  partialMaxAgeMs: number;
  /** Stop after visiting this many entries (a bounded walk). */
  maxEntries: number;
  /**
   * A live upload writes its temporary file at least this often (the data stall timeout plus
   * the wait for `done`): on a folder shared by several servers, another server's temporary
   * file idle for less than this may still be in use, and is kept. Default 0.
   */
  liveIdleMs?: number;
  signal?: AbortSignal;
}

export interface SweepResult {
  /** Entries looked at (files and folders). */
  visited: number;
  /** `.NAME.cftp-<hex>.part` files of interrupted uploads, removed. */
  removedTemporary: number;
  /** Resumable partials older than the maximum age, removed. */
  removedPartials: number;
  /** Resumable partials kept for a later resume. */
  keptPartials: number;
  /** True when the walk stopped at `maxEntries` (or was aborted) before the end. */
  truncated: boolean;
  durationMs: number;
}

/**
 * A folder's entries, in batches (§6.1). `skipped`, read after the last batch: entries left
 * out because the wire cannot carry or reach them (§6.1 "Names on disk"); 0 when absent.
 */
export interface Listing extends AsyncIterable<Entry[]> {
  readonly skipped?: number;
  /**
   * With `identities: true`, when the storage can tell: each listed file's identity (as
   * `ReadableFile.identity`) by name, filled as the batches are read. `tree` looks its
   * digest cache up with it, without opening unchanged files (§6.10).
   */
  readonly identities?: ReadonlyMap<string, string>;
}

export interface ListOptions {
  /** Collect `Listing.identities` (only `tree` with digests asks: it costs memory). */
  identities?: boolean;
  /**
   * The caller reads the listing at once and takes a failure from the read: the storage
   * need not check the folder up front (`tree`, for the folders below the one asked).
   */
  lazy?: boolean;
  /**
   * Read the folder and lstat its entries on the calling thread, a batch at a time with a
   * turn for the event loop after each (`tree`: a thread-pool hop and a promise per entry
   * were most of a walk's CPU). A storage may ignore it.
   */
  onThread?: boolean;
}

/** An entry of a subtree read whole (Storage.subtree). */
export interface SubtreeEntry {
  /** The folders from the top down to the entry's, as the storage names them ([]: the top). */
  readonly below: readonly string[];
  readonly entry: Entry;
  /** A file's identity (as `ReadableFile.identity`), when the storage can tell. */
  readonly identity?: string;
}

/**
 * A subtree's entries in batches, depth first (§6.10): a folder before its entries, and its
 * subtree complete before the next sibling. `skipped`, read after the last batch: entries
 * left out (names the wire cannot carry, as a listing counts them), a folder's once for all
 * it holds.
 */
export interface Subtree extends AsyncIterable<SubtreeEntry[]> {
  readonly skipped?: number;
}

export interface Storage {
  /** Opens a folder for listing; entries exclude temporary upload files. */
  list(segments: readonly string[], options?: ListOptions): Promise<Listing>;
  /**
   * The whole subtree below the folder `segments` (checked as `list` checks it), for `tree`,
   * when the storage reads it in fewer requests than a listing per folder (S3: a page of
   * 1000 keys at a time, whichever folders they are in). Temporary upload files are left out
   * as `list` leaves them. Optional: without it, `tree` lists the folders one by one.
   */
  subtree?(segments: readonly string[]): Promise<Subtree>;
  openRead(segments: readonly string[]): Promise<ReadableFile>;
  createUpload(segments: readonly string[], options?: UploadOptions): Promise<Upload>;
  /** The entry itself, not following a final symlink (§6.6). */
  stat(segments: readonly string[]): Promise<Entry>;
  mkdir(segments: readonly string[]): Promise<void>;
  rmdir(segments: readonly string[]): Promise<void>;
  /** Removes a file or a symlink; folders are EISDIR. */
  remove(segments: readonly string[]): Promise<void>;
  /** Never replaces an existing `to` (EEXIST). */
  rename(from: readonly string[], to: readonly string[]): Promise<void>;
  /**
   * Creates a symlink holding `target` (feature `links`, §6.9): EACCES unless it leads inside
   * the root, EEXIST when the name is taken. Optional: a storage without links lacks it.
   */
  symlink?(segments: readonly string[], target: string): Promise<void>;
  /**
   * Removes what interrupted uploads left behind (§8); the server calls it once after
   * `listen()`, in the background. Optional: a storage without leftovers need not have it.
   */
  sweep?(options: SweepOptions): Promise<SweepResult>;
}

/**
 * Maps a Node file-system error to a CFTP error (§11) through the one OS-error table
 * (@cftp/protocol os-errors.ts); an error that is a CftpError already passes unchanged.
 */
export function storageError(error: unknown, path: string): CftpError {
  if (error instanceof CftpError) return error;
  const where = path === '' ? 'root' : `"${path}"`;
  const errno = errnoOf(error);
  const known = osError(errno);
  const message =
    known === undefined
      ? `storage error on ${where}: ${errno ?? String(error)}`
      : `${known.words}: ${where}`;
  return errorFromCode(known?.code ?? 'EIO', message, { path, cause: error });
}
