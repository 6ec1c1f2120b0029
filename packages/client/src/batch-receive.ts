// A batch download's local side (docs/protocol.md §6.7, §6.8, §8): the data channel cut into
// the files' partials by their announced sizes, written on the calling thread, each file
// given its mode and mtime through its descriptor and fsynced as soon as it is whole, and
// renamed into place only once the caller has checked every digest.
// Each file used to cost about ten promises and thread-pool hops (open, writev, fsync, close
// through a FileSink stream, then lstat, chmod, utimes and rename by path): for 1000 small
// files most of the client's CPU. A batch carries small files (files.ts: at most
// BATCH_FILE_BYTES each) and the socket hands over at most 64 KiB at a time, so each write
// is a page-cache copy of microseconds; the event loop gets a turn after every socket chunk.
// Only the creates and the fsyncs, which may wait for the disk or the file system's journal,
// stay on the thread pool, all of a batch's in flight at once (callbacks, not promises).
import {
  closeSync,
  fchmodSync,
  constants as fsConstants,
  fsync,
  futimesSync,
  lstatSync,
  open,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import type { Socket } from 'node:net';
import { IntegrityError, MODE_MASK, receivedMode } from '@cftp/protocol';
import { createDigest, localIoError } from '@cftp/transfer';
import type { Meter } from './meter.js';
import { PARTIAL_MODE } from './transfer.js';

const { O_WRONLY, O_CREAT, O_TRUNC } = fsConstants;
/** A FIFO at a partial's name would block the open (and the event loop): refused instead. */
const O_NONBLOCK = fsConstants.O_NONBLOCK ?? 0;
const PARTIAL_FLAGS = O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK;

/** A file of a batch download: where its bytes go until verified, and what it becomes. */
export interface BatchTarget {
  partial: string;
  /** The file as the user named it: local errors name it, not the hidden partial. */
  local: string;
  size: number;
  /** The remote mtime (ms), given to the file (§6.7). */
  mtime: number;
  /** The remote permission bits, when the server sends them (§6.8). */
  mode: number | undefined;
}

export interface ReceiveOptions {
  /** Counts and hashes the whole stream (and reports its progress). */
  meter: Meter;
  signal: AbortSignal;
  /** Notes download bytes received (memory reclaim). */
  received?: (bytes: number) => void;
  /** `-p`: the source's mode exactly (§6.8). */
  exactMode: boolean;
}

export interface ReceivedBatch {
  bytes: number;
  sha256: string;
  /** Each file's own digest, in order. */
  files: string[];
}

/** The mode an existing regular file at `target` has (receivedMode keeps it), if any. */
function existingMode(target: string): number | undefined {
  try {
    const info = lstatSync(target, { throwIfNoEntry: false });
    return info?.isFile() === true ? info.mode & MODE_MASK : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Creates every partial (0600), all at once on the thread pool: creating a file may wait for
 * the file system's journal, which other files' fsyncs keep busy, and the event loop must not
 * wait with it. Each opened descriptor is in `fds` (at its target's index) even on a failure,
 * so the caller closes them; the first failure rejects once every open has returned.
 */
function openPartials(targets: readonly BatchTarget[], fds: number[]): Promise<void> {
  fds.length = targets.length;
  fds.fill(-1);
  if (targets.length === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    let waiting = targets.length;
    // The first file in order that failed is the one reported, as with opens one by one.
    let failedAt = targets.length;
    let failure: unknown;
    targets.forEach((target, i) => {
      open(target.partial, PARTIAL_FLAGS, PARTIAL_MODE, (error, fd) => {
        if (error === null) fds[i] = fd;
        else if (i < failedAt) {
          failedAt = i;
          failure = localIoError(error, target.local, 'creating');
        }
        if (--waiting > 0) return;
        if (failure === undefined) resolve();
        else reject(failure);
      });
    });
  });
}

/** Writes all of `part` at the file's current offset. */
function writeWhole(fd: number, part: Uint8Array, path: string): void {
  let at = 0;
  try {
    while (at < part.byteLength) at += writeSync(fd, part, at, part.byteLength - at);
  } catch (error) {
    throw localIoError(error, path, 'writing');
  }
}

/**
 * Receives a batch's data channel into the targets' partial files (created 0600), by their
 * announced sizes and in order. A file is given its final mode (receivedMode: with `-p` the
 * source's, over an existing regular file that file's, else the source's under the umask)
 * and its mtime through its own descriptor, so that neither a later path lookup nor a name
 * planted meanwhile can redirect them, then fsynced (data and metadata) and closed. Resolves
 * once every file is on disk; bytes past the announced total are refused at once
 * (IntegrityError: a peer cannot fill the disk). A short stream resolves with fewer bytes:
 * the caller's size check fails. Nothing is renamed here (commitBatch, after the digests).
 */
export async function receiveBatch(
  socket: Socket,
  targets: readonly BatchTarget[],
  options: ReceiveOptions,
): Promise<ReceivedBatch> {
  const { meter, signal, received, exactMode } = options;
  const onAbort = () => socket.destroy();
  signal.addEventListener('abort', onAbort, { once: true });
  const fds: number[] = [];
  // The fsyncs in flight: a descriptor is closed by its fsync's callback, never under it.
  let syncing = 0;
  let synced: (() => void) | undefined;
  let syncFailure: unknown;
  const umask = process.umask();
  const now = new Date();
  const complete = (i: number): void => {
    const target = targets[i]!;
    const fd = fds[i]!;
    // With -p and a source mode, an existing file's mode is not used: no lstat.
    const exact = exactMode && target.mode !== undefined;
    const existing = exact ? undefined : existingMode(target.local);
    const mode = receivedMode({ source: target.mode, umask, existing, exact: exactMode });
    try {
      fchmodSync(fd, mode);
      futimesSync(fd, now, new Date(target.mtime));
    } catch (error) {
      throw localIoError(error, target.local, 'writing');
    }
    syncing++;
    fsync(fd, (error) => {
      fds[i] = -1;
      try {
        closeSync(fd);
      } catch {}
      if (error !== null) syncFailure ??= localIoError(error, target.local, 'writing');
      if (--syncing === 0) synced?.();
    });
  };
  try {
    await openPartials(targets, fds);
    const each = targets.map(() => createDigest(meter.algorithm));
    let index = 0;
    let left = targets[0]?.size ?? 0;
    // Zero-byte files (and files just completed) are finished as soon as they are whole.
    const finishWhole = () => {
      while (index < targets.length && left === 0) {
        complete(index);
        index++;
        left = targets[index]?.size ?? 0;
      }
    };
    finishWhole();
    for await (const chunk of socket as AsyncIterable<Buffer>) {
      let at = 0;
      while (at < chunk.byteLength) {
        if (index >= targets.length) throw new IntegrityError('batch data longer than declared');
        const take = Math.min(left, chunk.byteLength - at);
        const part = chunk.subarray(at, at + take);
        at += take;
        left -= take;
        meter.observe(part);
        received?.(take);
        each[index]!.update(part);
        writeWhole(fds[index]!, part, targets[index]!.local);
        finishWhole();
      }
      if (syncFailure !== undefined) throw syncFailure;
    }
    meter.finish();
    if (syncing > 0) await new Promise<void>((resolve) => (synced = resolve));
    if (syncFailure !== undefined) throw syncFailure;
    return { bytes: meter.bytes, sha256: meter.digest(), files: each.map((h) => h.hex()) };
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (syncing > 0) await new Promise<void>((resolve) => (synced = resolve));
    for (const fd of fds) {
      if (fd < 0) continue;
      try {
        closeSync(fd);
      } catch {}
    }
  }
}

/** Renames every verified partial into place (§6.7), in order. */
export function commitBatch(targets: readonly BatchTarget[]): void {
  for (const target of targets) renameSync(target.partial, target.local);
}

/** Removes the partials of a batch that was not committed (none is kept for resume). */
export function discardBatch(targets: readonly BatchTarget[]): void {
  for (const target of targets) {
    try {
      unlinkSync(target.partial);
    } catch {}
  }
}
