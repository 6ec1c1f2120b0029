// Storage behind a small interface, and the local-disk implementation confined to a root
// (docs/protocol.md §6, §8, §9). Every path arrives as checked segments from parsePath.
//
// Confinement (docs/security.md): a path is checked (real path inside the real root), then
// opened, then the opened descriptor is checked again through /proc/self/fd, so a symlink
// swapped in between cannot lead outside. Entries inside a folder are reached through the
// folder's descriptor (`/proc/self/fd/N/name`, Node's stand-in for openat), and final
// components are opened with O_NOFOLLOW.
import { randomBytes } from 'node:crypto';
import type { Dir, Stats } from 'node:fs';
import { constants as fsConstants } from 'node:fs';
import {
  type FileHandle,
  lstat,
  lutimes,
  mkdir,
  open,
  opendir,
  readlink,
  realpath,
  rename,
  rmdir,
  unlink,
} from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { Writable } from 'node:stream';
import { finished as streamFinished } from 'node:stream/promises';
import {
  CftpError,
  type Entry,
  type EntryType,
  isResumeTempName,
  isTempName,
  PathError,
  tempName,
} from '@cftp/protocol';
import { FileSink, readFromHandle } from '@cftp/transfer';

/** Large reads and writes: fewer syscalls and hash calls per byte (see docs/performance.md). */
export const IO_CHUNK_BYTES = 1024 * 1024;

export interface ReadableFile {
  readonly size: number;
  /** Modification time, ms since the epoch. */
  readonly mtime: number;
  /** Reads up to `buffer.byteLength` bytes at `position`; 0 at the end of the file. */
  read(buffer: Uint8Array, position: number): Promise<number>;
  close(): Promise<void>;
}

export interface UploadOptions {
  /** Keep the partial file for a later resume (§6.3, §8): its name derives from this key. */
  resumeKey?: string;
  /** Expected final size; a resumable partial larger than this is started over. */
  size?: number;
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

export interface Storage {
  /** Opens a folder for listing; entries exclude temporary upload files. */
  list(segments: readonly string[]): Promise<AsyncIterable<Entry[]>>;
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
   * Removes what interrupted uploads left behind (§8); the server calls it once after
   * `listen()`, in the background. Optional: a storage without leftovers need not have it.
   */
  sweep?(options: SweepOptions): Promise<SweepResult>;
}

/** Maps a Node file-system error to a CFTP error code (§11). */
export function storageError(error: unknown, path: string): CftpError {
  if (error instanceof CftpError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = path === '' ? 'root' : `"${path}"`;
  switch (code) {
    case 'ENOENT':
      return new PathError('ENOENT', `no such file or directory: ${where}`);
    case 'ENOTDIR':
      return new PathError('ENOTDIR', `not a directory: ${where}`);
    case 'EISDIR':
      return new PathError('EISDIR', `is a directory: ${where}`);
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new PathError('EACCES', `permission denied: ${where}`);
    case 'ELOOP':
      return new PathError('EACCES', `symbolic link refused: ${where}`);
    case 'ENXIO':
      return new PathError('EACCES', `not a regular file: ${where}`);
    case 'EEXIST':
      return new PathError('EEXIST', `already exists: ${where}`);
    case 'ENOTEMPTY':
      return new PathError('ENOTEMPTY', `folder not empty: ${where}`);
    case 'ENAMETOOLONG':
      return new PathError('EBADNAME', `name too long: ${where}`);
    case 'ENOSPC':
    case 'EDQUOT':
    case 'EFBIG':
      return new CftpError('ENOSPC', `no space left on the server for ${where}`);
    default:
      return new CftpError('EIO', `storage error on ${where}: ${code ?? String(error)}`);
  }
}

function entryType(stats: {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}): EntryType {
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isDirectory()) return 'dir';
  if (stats.isFile()) return 'file';
  return 'other';
}

const LIST_BATCH = 256;

const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_APPEND, O_DIRECTORY, O_NOFOLLOW } =
  fsConstants;
/** Opening a FIFO for reading would block a thread-pool thread until a writer comes. */
const O_NONBLOCK = fsConstants.O_NONBLOCK ?? 0;

/** `/proc/self/fd/N` names the very file that descriptor N is open on (Linux). */
const FD_DIR = '/proc/self/fd';
let fdPathsChecked: Promise<boolean> | undefined;

/** Whether descriptor paths work here; without them the re-check after open is skipped. */
function fdPathsWork(): Promise<boolean> {
  fdPathsChecked ??= (async () => {
    try {
      const handle = await open('/', O_RDONLY | O_DIRECTORY);
      try {
        return (await readlink(`${FD_DIR}/${handle.fd}`)) === '/';
      } finally {
        await handle.close();
      }
    } catch {
      return false;
    }
  })();
  return fdPathsChecked;
}

function isInside(root: string, real: string): boolean {
  return real === root || real.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Characters whose canonical decomposition is ASCII: KELVIN SIGN → K, GREEK QUESTION MARK
 * → ;, GREEK VARIA → ` (checked over every code point by the server tests). A name without
 * them and without non-ASCII characters has no other Unicode form.
 */
const MAY_HAVE_OTHER_FORM = /[^ -~]|[K;`]/;

/**
 * File times come from a coarse kernel clock that may lag Date.now() by a tick (up to
 * 10 ms): a file written just after start-up may look older than the start by that much.
 */
const FS_CLOCK_SLACK_MS = 50;

/** A folder held open: entries are reached through its descriptor, not its path. */
interface Folder {
  /** The folder's real path when it was opened (messages, fsync grouping, bookkeeping). */
  readonly real: string;
  /** A path for the folder itself that keeps naming it wherever it moves. */
  readonly at: string;
  /** A path for `name` inside this folder. */
  entry(name: string): string;
  close(): Promise<void>;
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

export class LocalStorage implements Storage {
  private rootReal: Promise<string>;
  private readonly folders = new FolderSyncer();
  /** Resumable partial files with an upload in progress (see createUpload). */
  private readonly activeResumes = new Set<string>();
  /** Every temporary file with an upload in progress: the sweep leaves them alone. */
  private readonly activeTemps = new Set<string>();

  constructor(readonly root: string) {
    this.rootReal = realpath(root);
    this.rootReal.catch(() => {});
  }

  /**
   * The check before use: the real path of `segments`, refused unless it stays inside the
   * real root (§9). Callers open what it returns and check the descriptor again.
   */
  protected async resolveInside(segments: readonly string[]): Promise<string> {
    const root = await this.rootReal;
    const path = segments.join('/');
    let real: string;
    try {
      real = await realpath(join(root, ...segments));
    } catch (error) {
      throw storageError(error, path);
    }
    if (!isInside(root, real)) {
      throw new PathError('EACCES', `"${path}" leads outside the served folder`);
    }
    return real;
  }

  /**
   * The check after open: where the descriptor really points now. Closes the window between
   * resolveInside and open, in which a folder on the way may have been swapped for a symlink.
   */
  private async verifyOpened(handle: FileHandle, path: string): Promise<void> {
    if (!(await fdPathsWork())) return;
    let now: string;
    try {
      now = await readlink(`${FD_DIR}/${handle.fd}`);
    } catch (error) {
      throw storageError(error, path);
    }
    if (!isInside(await this.rootReal, now)) {
      throw new PathError('EACCES', `"${path}" leads outside the served folder`);
    }
  }

  /** Opens the folder `segments` (checked before and after), for work on its entries. */
  private async openFolder(segments: readonly string[]): Promise<Folder> {
    const path = segments.join('/');
    const real = await this.resolveInside(segments);
    let handle: FileHandle;
    try {
      handle = await open(real, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    } catch (error) {
      // A real path holds no symlink; one there now was swapped in after the check.
      if ((await lstat(real).catch(() => undefined))?.isSymbolicLink() === true) {
        throw new PathError('EACCES', `symbolic link refused: "${path}"`);
      }
      throw storageError(error, path);
    }
    try {
      await this.verifyOpened(handle, path);
    } catch (error) {
      await handle.close().catch(() => {});
      throw error;
    }
    const at = (await fdPathsWork()) ? `${FD_DIR}/${handle.fd}` : real;
    let closed = false;
    return {
      real,
      at,
      entry: (name) => `${at}/${name}`,
      close: async () => {
        if (closed) return;
        closed = true;
        await handle.close().catch(() => {});
      },
    };
  }

  private async inFolder<T>(
    segments: readonly string[],
    work: (folder: Folder) => Promise<T>,
  ): Promise<T> {
    const folder = await this.openFolder(segments);
    try {
      return await work(folder);
    } finally {
      await folder.close();
    }
  }

  /**
   * A new name (put, mkdir, rename target) must not differ only in Unicode normalisation
   * from another entry of its folder: names are NFC on the wire (§9), so both would list as
   * one name and only one could be reached. EEXIST. `except` is a rename's own source.
   */
  private async refuseOtherForm(
    folder: Folder,
    name: string,
    path: string,
    except?: string,
  ): Promise<void> {
    if (!MAY_HAVE_OTHER_FORM.test(name)) return;
    if (await exists(folder.entry(name))) return; // not a new name
    let dir: Dir;
    try {
      dir = await opendir(folder.at, { bufferSize: 256 });
    } catch (error) {
      throw storageError(error, path);
    }
    for await (const dirent of dir) {
      if (dirent.name === name || dirent.name === except) continue;
      if (dirent.name.normalize('NFC') === name) {
        throw new PathError(
          'EEXIST',
          `already exists: "${path}" (as a name that differs only in Unicode normalisation)`,
        );
      }
    }
  }

  async list(segments: readonly string[]): Promise<AsyncIterable<Entry[]>> {
    // Checked now, so a bad path fails before `ready`; opened (and checked) again when the
    // listing is first read: a request that fails before its data channel connects never
    // starts the generator, whose `finally` would not run.
    await (await this.openFolder(segments)).close();
    return this.listBatches(segments);
  }

  private async *listBatches(segments: readonly string[]): AsyncGenerator<Entry[]> {
    const path = segments.join('/');
    const folder = await this.openFolder(segments);
    try {
      let dir: Dir;
      try {
        dir = await opendir(folder.at, { bufferSize: 128 });
      } catch (error) {
        throw storageError(error, path);
      }
      try {
        let ended = false;
        while (!ended) {
          const dirents = [];
          for (let i = 0; i < LIST_BATCH; i++) {
            const dirent = await dir.read();
            if (dirent === null) {
              ended = true;
              break;
            }
            if (!isTempName(dirent.name)) dirents.push(dirent);
          }
          const entries = await Promise.all(
            dirents.map(async (dirent): Promise<Entry | undefined> => {
              try {
                return toEntry(dirent.name, await lstat(folder.entry(dirent.name)));
              } catch {
                return undefined; // removed while we were listing
              }
            }),
          );
          const present = entries.filter((e): e is Entry => e !== undefined);
          if (present.length > 0) yield present;
        }
      } finally {
        await dir.close().catch(() => {});
      }
    } finally {
      await folder.close();
    }
  }

  async openRead(segments: readonly string[]): Promise<ReadableFile> {
    const path = segments.join('/');
    if (segments.length === 0) throw new PathError('EISDIR', 'is a directory: root');
    const real = await this.resolveInside(segments);
    let handle: FileHandle;
    try {
      // O_NOFOLLOW: if the final component was swapped for a link after the check, refuse.
      // O_NONBLOCK: a FIFO would otherwise block the open until a writer comes.
      handle = await open(real, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    } catch (error) {
      throw storageError(error, path);
    }
    try {
      await this.verifyOpened(handle, path);
      const info = await handle.stat();
      if (info.isDirectory()) throw new PathError('EISDIR', `is a directory: "${path}"`);
      if (!info.isFile()) throw new PathError('EACCES', `not a regular file: "${path}"`);
      return {
        size: info.size,
        mtime: Math.max(0, Math.trunc(info.mtimeMs)),
        read: readFromHandle(handle),
        close: () => handle.close(),
      };
    } catch (error) {
      await handle.close();
      throw storageError(error, path);
    }
  }

  async createUpload(segments: readonly string[], options: UploadOptions = {}): Promise<Upload> {
    const path = segments.join('/');
    const name = segments.at(-1);
    if (name === undefined) throw new PathError('EISDIR', 'is a directory: root');
    // The folder is held open only while the temporary file is created, and opened (and
    // checked) again to commit or remove it: an upload costs one descriptor, not two.
    const parent = segments.slice(0, -1);
    const folder = await this.openFolder(parent);
    let handle: FileHandle | undefined;
    let release = () => {};
    let tempFile = '';
    let offset = 0;
    const resumable = options.resumeKey !== undefined;
    try {
      const existing = await lstat(folder.entry(name)).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw storageError(error, path);
      });
      if (existing?.isDirectory()) throw new PathError('EISDIR', `is a directory: "${path}"`);
      if (existing === undefined) await this.refuseOtherForm(folder, name, path);
      tempFile = tempName(name, options.resumeKey ?? randomBytes(8).toString('hex'), {
        resumable,
      });
      const key = join(folder.real, tempFile);
      if (resumable && this.activeResumes.has(key)) {
        // One upload at a time per resumable partial: two writers would interleave their bytes.
        throw new CftpError('EBUSY', `an upload of the same file to "${path}" is in progress`);
      }
      if (resumable) this.activeResumes.add(key);
      this.activeTemps.add(key);
      release = () => {
        this.activeResumes.delete(key);
        this.activeTemps.delete(key);
      };
      // A resumable partial is appended to; a fresh temporary file is created exclusively.
      // Neither follows a symlink planted under the temporary name.
      handle = await open(
        folder.entry(tempFile),
        resumable
          ? O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK
          : O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW,
        0o666,
      );
      if (resumable) {
        const info = await handle.stat();
        if (!info.isFile()) throw new PathError('EACCES', `not a regular file: "${tempFile}"`);
        offset = info.size;
        if (options.size !== undefined && offset > options.size) {
          await handle.truncate(0);
          offset = 0;
        }
      }
    } catch (error) {
      await handle?.close().catch(() => {});
      release();
      throw storageError(error, path);
    } finally {
      await folder.close();
    }
    const file = handle;
    // The sink fsyncs the file when it finishes (flushing in the background as it goes), and
    // pipeline waits for that, so a finished stream is on disk (§8: write, fsync, verify,
    // rename, fsync folder).
    const stream = new FileSink(file);
    let finished = false;
    return {
      offset,
      read: readFromHandle(file),
      stream,
      commit: async (mtime) => {
        try {
          if (!stream.closed) throw new CftpError('EIO', 'upload stream still open at commit');
          const real = await this.inFolder(parent, async (at) => {
            const temp = at.entry(tempFile);
            if (mtime !== undefined) await lutimes(temp, new Date(), new Date(mtime));
            await rename(temp, at.entry(name));
            return at.real;
          });
          finished = true;
          release();
          await this.folders.sync(real);
        } catch (error) {
          throw storageError(error, path);
        }
      },
      abort: async (keep = false) => {
        if (!stream.closed) {
          stream.destroy();
          await streamFinished(stream).catch(() => {}); // closed, with or without an error
        }
        if (!finished) {
          finished = true;
          if (!(resumable && keep)) {
            // A folder that cannot be reopened inside the root keeps it for the next sweep.
            await this.inFolder(parent, (at) => unlink(at.entry(tempFile))).catch(() => {});
          }
        }
        release();
      },
    };
  }

  async stat(segments: readonly string[]): Promise<Entry> {
    const path = segments.join('/');
    const name = segments.at(-1);
    try {
      if (name === undefined) return toEntry('.', await lstat(await this.rootReal));
      return await this.inFolder(segments.slice(0, -1), async (folder) =>
        toEntry(name, await lstat(folder.entry(name))),
      );
    } catch (error) {
      throw storageError(error, path);
    }
  }

  async mkdir(segments: readonly string[]): Promise<void> {
    const { name, path } = this.locate(segments, 'EEXIST');
    await this.inFolder(segments.slice(0, -1), async (folder) => {
      await this.refuseOtherForm(folder, name, path);
      await mkdir(folder.entry(name)).catch((error: unknown) => {
        throw storageError(error, path);
      });
    });
  }

  async rmdir(segments: readonly string[]): Promise<void> {
    const { name, path } = this.locate(segments, 'EACCES');
    await this.inFolder(segments.slice(0, -1), async (folder) => {
      await rmdir(folder.entry(name)).catch((error: unknown) => {
        throw storageError(error, path);
      });
    });
  }

  async remove(segments: readonly string[]): Promise<void> {
    const { name, path } = this.locate(segments, 'EISDIR');
    await this.inFolder(segments.slice(0, -1), async (folder) => {
      try {
        if ((await lstat(folder.entry(name))).isDirectory())
          throw new PathError('EISDIR', `is a directory: "${path}"`);
        await unlink(folder.entry(name));
      } catch (error) {
        throw storageError(error, path);
      }
    });
  }

  async rename(from: readonly string[], to: readonly string[]): Promise<void> {
    const source = this.locate(from, 'EACCES');
    const target = this.locate(to, 'EEXIST');
    await this.inFolder(from.slice(0, -1), (sourceFolder) =>
      this.inFolder(to.slice(0, -1), async (targetFolder) => {
        try {
          await lstat(sourceFolder.entry(source.name));
        } catch (error) {
          throw storageError(error, source.path);
        }
        if (await exists(targetFolder.entry(target.name))) {
          throw new PathError('EEXIST', `already exists: "${target.path}"`);
        }
        const sameFolder = sourceFolder.real === targetFolder.real;
        await this.refuseOtherForm(
          targetFolder,
          target.name,
          target.path,
          sameFolder ? source.name : undefined,
        );
        await rename(sourceFolder.entry(source.name), targetFolder.entry(target.name)).catch(
          (error: unknown) => {
            throw storageError(error, `${source.path} -> ${target.path}`);
          },
        );
      }),
    );
  }

  /**
   * An entry's last segment and path. The root itself is refused with `rootCode`: no
   * operation may create, remove or rename it. Its parent is opened by the caller (checked
   * inside the root, symlinks on the way followed and checked); the last segment is never
   * followed.
   */
  private locate(
    segments: readonly string[],
    rootCode: 'EEXIST' | 'EACCES' | 'EISDIR',
  ): { name: string; path: string } {
    const path = segments.join('/');
    const name = segments.at(-1);
    if (name === undefined) throw new PathError(rootCode, 'the served folder itself');
    return { name, path };
  }

  /**
   * Removes leftovers of interrupted uploads (§8): every `.NAME.cftp-<hex>.part` last
   * modified before the server started, and resumable partials older than the maximum age.
   * Uploads in progress are never touched. Breadth first, not following symlinks, at most
   * `maxEntries` entries; a folder that cannot be read is skipped.
   */
  async sweep(options: SweepOptions): Promise<SweepResult> {
    const started = performance.now();
    const result: SweepResult = {
      visited: 0,
      removedTemporary: 0,
      removedPartials: 0,
      keptPartials: 0,
      truncated: false,
      durationMs: 0,
    };
    const partialDeadline = Date.now() - options.partialMaxAgeMs;
    const queue: string[][] = [[]];
    walk: while (queue.length > 0) {
      const segments = queue.shift()!;
      let folder: Folder;
      try {
        folder = await this.openFolder(segments);
      } catch {
        continue; // gone, or refused: nothing of ours to clean there
      }
      try {
        const dir = await opendir(folder.at, { bufferSize: 128 });
        for await (const dirent of dir) {
          if (options.signal?.aborted || result.visited >= options.maxEntries) {
            result.truncated = true;
            break walk;
          }
          result.visited++;
          if (dirent.isDirectory()) {
            queue.push([...segments, dirent.name]);
            continue;
          }
          if (!dirent.isFile() || !isTempName(dirent.name)) continue;
          if (this.activeTemps.has(join(folder.real, dirent.name))) continue;
          const info = await lstat(folder.entry(dirent.name)).catch(() => undefined);
          if (info === undefined || !info.isFile()) continue;
          if (isResumeTempName(dirent.name)) {
            if (info.mtimeMs >= partialDeadline) {
              result.keptPartials++;
              continue;
            }
            result.removedPartials++;
          } else {
            if (info.mtimeMs >= options.startedAt - FS_CLOCK_SLACK_MS) continue;
            result.removedTemporary++;
          }
          await unlink(folder.entry(dirent.name)).catch(() => {});
        }
      } catch {
        // A folder that cannot be read is skipped.
      } finally {
        await folder.close();
      }
    }
    result.durationMs = performance.now() - started;
    return result;
  }
}

async function fsyncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Group commit for folder fsyncs (§8): a caller needs an fsync that *starts after* its
 * rename. While one runs, later callers share the next one, so N uploads finishing together
 * in one folder cost about two folder fsyncs instead of N.
 */
class FolderSyncer {
  private readonly state = new Map<string, { running: Promise<void>; next?: Promise<void> }>();

  sync(dir: string): Promise<void> {
    const current = this.state.get(dir);
    if (current === undefined) return this.start(dir);
    current.next ??= current.running.then(
      () => this.start(dir),
      () => this.start(dir),
    );
    return current.next;
  }

  private start(dir: string): Promise<void> {
    const running = fsyncFolder(dir).finally(() => {
      const entry = this.state.get(dir);
      if (entry?.running !== running) return;
      if (entry.next === undefined) this.state.delete(dir);
    });
    const entry = this.state.get(dir);
    if (entry === undefined) this.state.set(dir, { running });
    else {
      entry.running = running;
      entry.next = undefined;
    }
    return running;
  }
}

function toEntry(name: string, info: Stats): Entry {
  return {
    name: name.normalize('NFC'),
    type: entryType(info),
    size: info.isDirectory() ? 0 : info.size,
    mtime: Math.max(0, Math.trunc(info.mtimeMs)),
  };
}
