// Many files one way in one call (getFiles/putFiles, and the folder trees in tree.ts): small
// files travel in batches (docs/protocol.md §6.7), larger ones on their own so that they can
// resume (§6.2, §6.3), several requests in flight on the one session (§3). Progress counts
// bytes as they move; `skipExisting` leaves out the files an earlier run finished.
import { lstat, stat } from 'node:fs/promises';
import { CftpError, describeOsError, type Entry } from '@cftp/protocol';
import { partialPathFor } from './transfer.js';
import type { BatchItem, BatchResult, Progress, RemoteFiles, TransferResult } from './types.js';

/** One file of getFiles/putFiles, with its source's size and mtime (a listing's, for a get). */
export interface FileItem extends BatchItem {
  size: number;
  /** Milliseconds since the epoch. */
  mtime: number;
}

export interface FilesProgress {
  /** Files finished so far. */
  files: number;
  totalFiles: number;
  /** Bytes moved so far, counted as they move (a resumed file's prefix included). */
  bytes: number;
  /** Bytes of `bytes` that were resumed prefixes, already in place: no rate counts them. */
  resumed: number;
  totalBytes: number;
  /** The file the report is about (in a tree, its path below the top). */
  current: string;
}

/** What a failed step was about (see `FilesOptions.mapError`). */
export type TransferFailure =
  /** Listing a remote folder (or describing the top of a downloaded tree). */
  | { step: 'list'; remote: string }
  /** Creating a remote folder. */
  | { step: 'mkdir'; remote: string }
  /** A remote folder to create is there, but as something else (the error is ENOTDIR). */
  | { step: 'not-a-folder'; remote: string }
  /** Reading or creating something on this machine outside a transfer. */
  | { step: 'local'; local: string }
  /** One file, or a batch of files (all of them named). */
  | { step: 'transfer'; items: readonly FileItem[] };

export interface FilesOptions {
  signal?: AbortSignal;
  onProgress?: (progress: FilesProgress) => void;
  /** Requests in flight at once (default 8, or 2 fewer than the server's `maxInFlight`). */
  concurrency?: number;
  /**
   * Continue interrupted files (see get/put `resume`). Small files with nothing to continue
   * still travel in batches.
   */
  resume?: boolean;
  /** `-p`: every file gets exactly its source's mode (§6.8; see TransferOptions.exactMode). */
  exactMode?: boolean;
  /**
   * Leave out files whose target is already there: `size-mtime`, a file with the source's
   * size and mtime (to the ms; -c); `any`, anything at all by that name (-n, no-clobber).
   */
  skipExisting?: 'size-mtime' | 'any';
  /** Turns a failure into the error to throw, knowing what it was about (default: as it is). */
  mapError?: (error: unknown, failure: TransferFailure) => unknown;
  /**
   * Skip and go on: an entry that cannot be read or written (no permission, vanished, not a
   * regular file: `entryFailure`) is left out, listed in the result's `failed`, and the
   * rest is copied. Without it the first failure stops the copy. A failure of the whole
   * session (connection lost, cancelled, disk full) stops it either way.
   */
  keepGoing?: boolean;
}

/** An entry left out by `keepGoing`: its name (as progress names it) and why (mapped). */
export interface FailedEntry {
  name: string;
  error: unknown;
}

export interface FilesResult {
  /** Files moved (the ones left out by `skipExisting` not counted). */
  files: number;
  /** Bytes moved (without resumed prefixes). */
  bytes: number;
  durationMs: number;
  /** Files left out because their target was already there (`skipExisting`). */
  unchanged: number;
  /** Entries that could not be copied (`keepGoing`; empty without it). */
  failed: FailedEntry[];
}

/**
 * Codes that are about one entry, not the session: with `keepGoing` that entry is skipped.
 * A bare OS error (a local readdir or stat) is judged by the code it maps to. `EIO` is not
 * one: it also stands for failures of the transfer itself, which must stop the copy.
 */
const ENTRY_CODES: ReadonlySet<string> = new Set([
  'ENOENT',
  'ENOTDIR',
  'EISDIR',
  'EACCES',
  'EEXIST',
  'EBADNAME',
]);

/** Whether `error` is about one entry only (see ENTRY_CODES). */
export function entryFailure(error: unknown): boolean {
  const code = error instanceof CftpError ? error.code : describeOsError(error).code;
  return ENTRY_CODES.has(code);
}

export type Direction = 'get' | 'put';

/** A file to move and the name its progress reports go by. */
export interface Job {
  item: FileItem;
  name: string;
}

/**
 * Runs `work` over `items` with at most `limit` in flight. After the first failure nothing new
 * starts; the ones in flight finish, then the first error is thrown.
 */
export async function eachLimit<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        await work(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  if (failure !== undefined) throw failure.error;
}

/** The error to throw for a failed step: the caller's `mapError` has its say. */
export function failure(options: FilesOptions, error: unknown, about: TransferFailure): unknown {
  return options.mapError === undefined ? error : options.mapError(error, about);
}

/** Requests in flight at once: leaves the session room for a listing or two. */
export function concurrencyOf(client: RemoteFiles, options: FilesOptions): number {
  const room = (client.server?.maxInFlight ?? 16) - 2;
  return Math.max(1, options.concurrency ?? Math.min(8, room));
}

/** `dir/name` for protocol paths, without a leading slash at the root (`''`). */
export const joinRemote = (dir: string, name: string): string =>
  dir === '' ? name : name === '' ? dir : `${dir}/${name}`;

const parentOf = (path: string) => path.slice(0, Math.max(0, path.lastIndexOf('/')));

/** Files up to this size travel in batches (§6.7) when the server offers them. */
export const BATCH_FILE_BYTES = 1024 * 1024;
/**
 * Files per batch: at least BATCH_MIN_FILES, more when there are many (up to BATCH_MAX_FILES),
 * so each lane still gets about two batches. Each batch costs a request, a data channel (a
 * TLS handshake) and a round trip on both sides: a 10 000-file sync in batches of 32 paid that
 * 313 times (docs/performance.md, "Sync speed").
 */
export const BATCH_MIN_FILES = 32;
export const BATCH_MAX_FILES = 128;
/** The lanes planUnits spreads batches over when the caller does not say. */
const DEFAULT_LANES = 8;
const BATCH_MAX_BYTES = 8 * 1024 * 1024;
/** What a `putmany` request spends per file besides its path: `{"path":"","size":…,"mtime":…},`. */
const FRAME_BYTES_PER_FILE = 64;
const FRAME_OVERHEAD = 256;

/** One request's worth of work: a file on its own, or a batch of small files (job indexes). */
export type Unit = { batch: false; index: number } | { batch: true; indexes: number[] };

/**
 * Groups files into requests: small ones into batches that fit the server's frame size (their
 * request names every path); larger ones, and those with a partial to continue, on their own.
 * `maxFrameSize` 0 means no batches.
 */
export function planUnits(
  jobs: readonly { remote: string; size: number; partial?: boolean }[],
  maxFrameSize: number,
  lanes = DEFAULT_LANES,
): Unit[] {
  const units: Unit[] = [];
  const small = jobs.filter((job) => job.partial !== true && job.size <= BATCH_FILE_BYTES).length;
  const perBatch = Math.min(
    BATCH_MAX_FILES,
    Math.max(BATCH_MIN_FILES, Math.ceil(small / (2 * Math.max(1, lanes)))),
  );
  let open: { indexes: number[]; bytes: number; frame: number } | undefined;
  const close = () => {
    if (open === undefined) return;
    units.push(
      open.indexes.length === 1
        ? { batch: false, index: open.indexes[0]! }
        : { batch: true, indexes: open.indexes },
    );
    open = undefined;
  };
  const frameLimit = Math.max(0, maxFrameSize - FRAME_OVERHEAD);
  jobs.forEach((job, index) => {
    // Twice the path: JSON escapes quotes and backslashes, which names may hold.
    const frame = 2 * Buffer.byteLength(job.remote) + FRAME_BYTES_PER_FILE;
    if (job.partial === true || job.size > BATCH_FILE_BYTES || frame > frameLimit) {
      units.push({ batch: false, index });
      return;
    }
    if (
      open !== undefined &&
      (open.indexes.length >= perBatch ||
        open.bytes + job.size > BATCH_MAX_BYTES ||
        open.frame + frame > frameLimit)
    ) {
      close();
    }
    open ??= { indexes: [], bytes: 0, frame: 0 };
    open.indexes.push(index);
    open.bytes += job.size;
    open.frame += frame;
  });
  close();
  return units;
}

/** Size and mtime as either side reports them. */
interface FileState {
  size: number;
  mtime: number;
}

/** A file whose size and mtime (to the millisecond) match its source was finished before. */
export function sameFile(a: FileState, b: FileState): boolean {
  return a.size === b.size && Math.trunc(a.mtime) === Math.trunc(b.mtime);
}

/** What is at a target: its size and mtime, and whether it is a regular file. */
type Target = FileState & { file: boolean };

async function localFile(path: string): Promise<Target | undefined> {
  const info = await lstat(path).catch(() => undefined);
  return info && { size: info.size, mtime: info.mtimeMs, file: info.isFile() };
}

/** The remote entries in the folders that hold `items`' targets, by path (one listing a folder). */
async function remoteFiles(
  client: RemoteFiles,
  items: readonly FileItem[],
  options: FilesOptions,
): Promise<Map<string, Target>> {
  const files = new Map<string, Target>();
  const folders = [...new Set(items.map((item) => parentOf(item.remote)))];
  await eachLimit(folders, concurrencyOf(client, options), async (folder) => {
    let entries: Entry[];
    try {
      entries = await client.list(folder, { signal: options.signal });
    } catch (error) {
      // A folder that is not there holds nothing yet.
      if (error instanceof CftpError && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) {
        return;
      }
      throw failure(options, error, { step: 'list', remote: folder });
    }
    for (const entry of entries) {
      files.set(joinRemote(folder, entry.name), { ...entry, file: entry.type === 'file' });
    }
  });
  return files;
}

/** The jobs whose target is not there yet (all of them without `skipExisting`). */
async function withoutComplete(
  client: RemoteFiles,
  direction: Direction,
  jobs: readonly Job[],
  options: FilesOptions,
): Promise<Job[]> {
  if (options.skipExisting === undefined) return [...jobs];
  const items = jobs.map((job) => job.item);
  const there =
    direction === 'get'
      ? await Promise.all(items.map((item) => localFile(item.local)))
      : await remoteFiles(client, items, options).then((files) =>
          items.map((item) => files.get(item.remote)),
        );
  const any = options.skipExisting === 'any';
  return jobs.filter((job, i) => {
    const state = there[i];
    return state === undefined || (!any && !(state.file && sameFile(state, job.item)));
  });
}

/** Whether an interrupted download left a partial to continue (uploads' are the server's). */
async function hasPartial(direction: Direction, item: FileItem): Promise<boolean> {
  if (direction === 'put') return false;
  const info = await stat(partialPathFor(item.local, item.remote)).catch(() => undefined);
  return info !== undefined && info.size > 0;
}

/** Adds up the progress of the requests in flight into one report for all the files. */
function tally(jobs: readonly Job[], units: readonly Unit[], options: FilesOptions) {
  const totalBytes = jobs.reduce((sum, job) => sum + job.item.size, 0);
  const seen = new Array<number>(units.length).fill(0);
  const seenResumed = new Array<number>(units.length).fill(0);
  let files = 0;
  let bytes = 0;
  let resumed = 0;
  return (unit: number, now: number, current: string, finished = 0, prefix = 0) => {
    bytes += now - seen[unit]!;
    seen[unit] = now;
    resumed += prefix - seenResumed[unit]!;
    seenResumed[unit] = prefix;
    files += finished;
    const totalFiles = jobs.length;
    options.onProgress?.({ files, totalFiles, bytes, resumed, totalBytes, current });
  };
}

/** The file of a batch that its `bytes`-th byte belongs to. */
function fileAt(batch: readonly Job[], bytes: number): string {
  let end = 0;
  for (const job of batch) {
    end += job.item.size;
    if (bytes < end) return job.name;
  }
  return batch.at(-1)!.name;
}

/** Moves the jobs' files one way (see FilesOptions); the first failure stops the rest. */
export async function transferFiles(
  client: RemoteFiles,
  direction: Direction,
  all: readonly Job[],
  options: FilesOptions,
): Promise<FilesResult> {
  const started = performance.now();
  const jobs = await withoutComplete(client, direction, all, options);
  const server = client.server;
  const batches = server?.features.includes('batch') === true ? server.maxFrameSize : 0;
  const partial = await Promise.all(
    jobs.map((job) => options.resume === true && hasPartial(direction, job.item)),
  );
  const units = planUnits(
    jobs.map((job, i) => ({ remote: job.item.remote, size: job.item.size, partial: partial[i] })),
    batches,
    concurrencyOf(client, options),
  );
  const report = tally(jobs, units, options);
  const { signal, resume } = options;
  const exactMode = options.exactMode === true; // -p (§6.8)
  const failed: FailedEntry[] = [];
  let bytes = 0;
  let moved = 0;
  /** One file on its own; `base` is what this unit reported before it (a split batch's). */
  const single = async (job: Job, u: number, base: number) => {
    const { item, name } = job;
    const onProgress = (p: Progress) => report(u, base + p.bytes, name, 0, p.resumed);
    let result: TransferResult;
    try {
      result =
        direction === 'get'
          ? await client.get(item.remote, item.local, { signal, resume, exactMode, onProgress })
          : await client.put(item.local, item.remote, { signal, resume, exactMode, onProgress });
    } catch (error) {
      const mapped = failure(options, error, { step: 'transfer', items: [item] });
      if (options.keepGoing !== true || !entryFailure(error)) throw mapped;
      failed.push({ name, error: mapped });
      report(u, base, name);
      return base;
    }
    bytes += result.bytes;
    moved++;
    report(u, base + result.resumedFrom + result.bytes, name, 1, result.resumedFrom);
    return base + result.resumedFrom + result.bytes;
  };
  await eachLimit(units, concurrencyOf(client, options), async (unit, u) => {
    if (!unit.batch) {
      await single(jobs[unit.index]!, u, 0);
      return;
    }
    const batch = unit.indexes.map((i) => jobs[i]!);
    const items = batch.map((job) => job.item);
    const onProgress = (p: Progress) => report(u, p.bytes, fileAt(batch, p.bytes));
    let result: BatchResult;
    try {
      result =
        direction === 'get'
          ? await client.getMany(items, { signal, exactMode, onProgress })
          : await client.putMany(items, { signal, exactMode, onProgress });
    } catch (error) {
      if (options.keepGoing !== true || !entryFailure(error)) {
        throw failure(options, error, { step: 'transfer', items });
      }
      // A batch is all or nothing (§6.7): one unreadable file refuses all of them. Each goes
      // again on its own, so only the bad ones are left out, each named by itself.
      report(u, 0, batch[0]!.name);
      let base = 0;
      for (const job of batch) base = await single(job, u, base);
      return;
    }
    bytes += result.bytes;
    moved += batch.length;
    report(u, result.bytes, batch.at(-1)!.name, batch.length);
  });
  return {
    files: moved,
    bytes,
    durationMs: performance.now() - started,
    unchanged: all.length - jobs.length,
    failed,
  };
}

/** Moves each item's file the `direction` way; progress names a file by its remote path. */
export function moveFiles(
  client: RemoteFiles,
  direction: Direction,
  items: readonly FileItem[],
  options: FilesOptions,
): Promise<FilesResult> {
  const jobs = items.map((item) => ({ item, name: item.remote }));
  return transferFiles(client, direction, jobs, options);
}
