// A local folder as a sync tree: every entry below the top, named by its NFC path, excluded
// folders not entered. A symlink is an entry of type `symlink` with its text, never followed,
// except with -L, where the walk goes through it by get -r -L's rule (tree-plan.ts: a link
// back to a folder that holds it is a loop, left as a link). With a digest algorithm, each
// file's digest too.
import {
  closeSync,
  type Dirent,
  constants as fsConstants,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readSync,
  type Stats,
} from 'node:fs';
import { lstat, readlink, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CftpError,
  checkName,
  type DigestAlgorithm,
  type EntryType,
  isTempName,
  MODE_MASK,
} from '@cftp/protocol';
import { createDigest, localIoError } from '@cftp/transfer';
import { followLocalLink, type LinkMode } from '../tree-plan.js';
import type { SyncEntry, SyncTree } from './plan.js';

export interface LocalTreeOptions {
  /** Compute each file's digest in this algorithm (--checksum). */
  digest?: DigestAlgorithm;
  /** Folders for which this says false are not entered (they are excluded whole). */
  enter?: (path: string) => boolean;
  /** Symlinks: entries (default), entries with their text (`recreate`), followed (`follow`). */
  links?: LinkMode;
  /** Told of each name left out because the protocol cannot carry it (§9). */
  onWarning?: (warning: CftpError) => void;
  signal?: AbortSignal;
}

/** Folders read at once. */
const PARALLEL = 8;
const { O_RDONLY } = fsConstants;
/** A FIFO would block the open until a writer comes. */
const O_NONBLOCK = fsConstants.O_NONBLOCK ?? 0;
const READ_BYTES = 1024 * 1024;
/** lstat calls in flight together, per folder. */
const STAT_BATCH = 64;

function typeOf(dirent: {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}): EntryType {
  if (dirent.isSymbolicLink()) return 'symlink';
  if (dirent.isDirectory()) return 'dir';
  if (dirent.isFile()) return 'file';
  return 'other';
}

/** One read buffer for every digest of a walk (the walk hashes one file at a time). */
let readBuffer: Buffer | undefined;
/** Bytes read since the event loop last had a turn. */
let sinceTurn = 0;

/**
 * The digest of a local file (--checksum), read on the calling thread: an open, a read and a
 * close for each of 10 000 small files, each a promise and a thread-pool hop, were most of a
 * --checksum run's client CPU. The event loop gets a turn after every READ_BYTES read, so a
 * large file, or many small ones, do not hold up the server's tree streaming in meanwhile.
 */
async function digestOf(
  path: string,
  algorithm: DigestAlgorithm,
  signal?: AbortSignal,
): Promise<string> {
  const fd = openSync(path, O_RDONLY | O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw new CftpError('EISDIR', `not a regular file: "${path}"`);
    const hash = createDigest(algorithm);
    readBuffer ??= Buffer.allocUnsafe(READ_BYTES);
    const buffer = readBuffer;
    for (let position = 0; ; ) {
      signal?.throwIfAborted();
      const n = readSync(fd, buffer, 0, buffer.byteLength, position);
      if (n === 0) break;
      hash.update(buffer.subarray(0, n));
      position += n;
      sinceTurn += n;
      if (sinceTurn >= READ_BYTES) {
        sinceTurn = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    return hash.hex();
  } finally {
    closeSync(fd);
  }
}

/** What the walk learnt of one entry: its type and stat, -L's verdict on a link. */
interface Seen {
  type: EntryType;
  info: Stats;
  target?: string;
  unfollowed?: 'loop' | 'dangling';
  /** -L: the real path of a folder reached through a link. */
  real?: string;
}

/**
 * lstat of a folder's entry that is not a link, on the calling thread: a walk of 10 000
 * entries spent most of a no-change sync's client CPU handing each lstat to the thread pool
 * and back (a promise each), where the call itself takes microseconds. The walk still yields
 * before every folder, so a server's tree streaming in at once is read meanwhile. Undefined:
 * gone or unreadable (the caller counts it as not seen).
 */
function seenHere(path: string, type: EntryType): Seen | undefined {
  try {
    const info = lstatSync(path, { throwIfNoEntry: false });
    return info === undefined ? undefined : { type, info };
  } catch {
    return undefined;
  }
}

/** lstat of `path`; for a link, its text, and under -L what it leads to. */
async function seen(
  path: string,
  type: EntryType,
  links: LinkMode | undefined,
  chain: readonly string[],
): Promise<Seen | undefined> {
  const info = await lstat(path).catch(() => undefined);
  if (info === undefined) return undefined;
  if (type !== 'symlink') return { type, info };
  // Its text: compared under --links, named when it is skipped.
  const target = await readlink(path).catch(() => undefined);
  const text = target === undefined ? {} : { target };
  if (links !== 'follow') return { type, info, ...text };
  const led = await followLocalLink(path, chain);
  if (led.kind === 'file') return { type: 'file', info: led.info };
  if (led.kind === 'dir') return { type: 'dir', info: led.info, real: led.real };
  if (led.kind === 'other') return { type: 'other', info };
  return { type, info, ...text, unfollowed: led.kind };
}

/**
 * The tree below the local folder `top`. A missing `top` is an empty tree when `missingOk`
 * (a destination not created yet), else ENOENT; a `top` that is not a folder is ENOTDIR.
 */
export async function localTree(
  top: string,
  options: LocalTreeOptions = {},
  missingOk = false,
): Promise<SyncTree> {
  const entries = new Map<string, SyncEntry>();
  try {
    // The top itself may be a link to a folder (as `cd` would follow it); nothing below is.
    const real = await stat(top);
    if (!real.isDirectory())
      throw new CftpError('ENOTDIR', `local "${top}" is not a folder`, { path: top });
  } catch (error) {
    if (missingOk && (error as NodeJS.ErrnoException).code === 'ENOENT')
      return { entries, complete: true };
    throw error instanceof CftpError ? error : localIoError(error, top, 'reading');
  }
  let complete = true;
  const follow = options.links === 'follow';
  /** -L: the real paths of the folders that hold each folder walked, itself last (loops). */
  const chains = new Map<string, readonly string[]>();
  if (follow) chains.set('', [await realpath(top).catch(() => top)]);
  // Each folder as [NFC path, path on disk]; '' is the top.
  let level: [string, string][] = [['', '']];
  while (level.length > 0) {
    const next: [string, string][] = [];
    const files: SyncEntry[] = [];
    for (let i = 0; i < level.length; i += PARALLEL) {
      await Promise.all(
        level.slice(i, i + PARALLEL).map(async ([path, local]) => {
          options.signal?.throwIfAborted();
          let dirents: Dirent[];
          try {
            // A turn for the event loop first (the server's tree streams in meanwhile), then
            // the folder read on this thread: a thread-pool hop per folder cost more CPU than
            // the getdents calls themselves.
            await new Promise<void>((resolve) => setImmediate(resolve));
            dirents = readdirSync(join(top, local), { withFileTypes: true });
          } catch (error) {
            if (path === '') throw localIoError(error, top, 'reading');
            complete = false; // removed meanwhile, or unreadable: not seen is not absent
            return;
          }
          const named: { dirent: Dirent; name: string }[] = [];
          for (const dirent of dirents) {
            // Partial downloads and uploads in progress (§8): never part of a tree.
            if (isTempName(dirent.name)) continue;
            try {
              named.push({ dirent, name: checkName(dirent.name) });
            } catch (error) {
              // The protocol cannot carry it (§9): it cannot be on the other side either.
              if (error instanceof CftpError) options.onWarning?.(error);
            }
          }
          // The folder's path on disk once, then one concatenation an entry (join would
          // normalise each path again).
          const folderOnDisk = `${join(top, local)}/`;
          const pathPrefix = path === '' ? '' : `${path}/`;
          const localPrefix = local === '' ? '' : `${local}/`;
          // A batch at a time: links through the thread pool together, the rest on this
          // thread (seenHere), with a turn for the event loop between batches of a big folder.
          for (let at = 0; at < named.length; at += STAT_BATCH) {
            if (at > 0) await new Promise<void>((resolve) => setImmediate(resolve));
            const batch = named.slice(at, at + STAT_BATCH);
            const infos: (Seen | undefined | Promise<Seen | undefined>)[] = batch.map(
              ({ dirent }) => {
                const type = typeOf(dirent);
                return type === 'symlink'
                  ? seen(folderOnDisk + dirent.name, type, options.links, chains.get(path) ?? [])
                  : seenHere(folderOnDisk + dirent.name, type);
              },
            );
            // Only a batch with links waits for the thread pool.
            const found = infos.some((info) => info instanceof Promise)
              ? await Promise.all(infos)
              : (infos as (Seen | undefined)[]);
            batch.forEach(({ dirent, name }, i) => {
              const got = found[i];
              if (got === undefined) {
                complete = false; // removed meanwhile, or unreadable
                return;
              }
              const { info, type } = got;
              const below = pathPrefix + name;
              const onDisk = localPrefix + dirent.name;
              const entry: SyncEntry = {
                path: below,
                type,
                size: type === 'dir' ? 0 : info.size,
                mtime: Math.max(0, Math.trunc(info.mtimeMs)),
              };
              if (type === 'file' || type === 'dir') entry.mode = info.mode & MODE_MASK;
              if (onDisk !== below) entry.local = onDisk;
              if (got.target !== undefined) entry.target = got.target;
              if (got.unfollowed !== undefined) entry.unfollowed = got.unfollowed;
              if (follow && type === 'dir') {
                // A real folder's real path is its name in its parent's real path.
                const chain = chains.get(path) ?? [top];
                chains.set(below, [...chain, got.real ?? join(chain.at(-1)!, dirent.name)]);
              }
              entries.set(below, entry);
              if (type === 'dir' && (options.enter?.(below) ?? true)) next.push([below, onDisk]);
              if (type === 'file' && options.digest !== undefined) files.push(entry);
            });
          }
        }),
      );
    }
    const algorithm = options.digest;
    if (algorithm !== undefined) {
      // One at a time: the reads are on this thread (digestOf).
      for (const entry of files) {
        const path = join(top, entry.local ?? entry.path);
        try {
          entry.digest = await digestOf(path, algorithm, options.signal);
        } catch (error) {
          options.signal?.throwIfAborted();
          throw error instanceof CftpError ? error : localIoError(error, path, 'reading');
        }
      }
    }
    level = next;
  }
  return { entries, complete };
}
