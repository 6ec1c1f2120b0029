// Storage behind a small interface, and the local-disk implementation confined to a root
// (docs/protocol.md §6, §8, §9). Every path arrives as checked segments from parsePath.
import { randomBytes } from 'node:crypto';
import type { Dir, Stats } from 'node:fs';
import { createWriteStream, constants as fsConstants } from 'node:fs';
import {
  type FileHandle,
  lstat,
  mkdir,
  open,
  opendir,
  realpath,
  rename,
  rmdir,
  stat,
  unlink,
  utimes,
} from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { Writable } from 'node:stream';
import { CftpError, type Entry, type EntryType, isTempName, PathError } from '@cftp/protocol';

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
      return new PathError('EACCES', `permission denied: ${where}`);
    case 'ELOOP':
      return new PathError('EACCES', `symbolic link refused: ${where}`);
    case 'EEXIST':
      return new PathError('EEXIST', `already exists: ${where}`);
    case 'ENOTEMPTY':
      return new PathError('ENOTEMPTY', `folder not empty: ${where}`);
    case 'ENAMETOOLONG':
      return new PathError('EBADNAME', `name too long: ${where}`);
    case 'ENOSPC':
    case 'EDQUOT':
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

export class LocalStorage implements Storage {
  private rootReal: Promise<string>;
  /** Resumable partial files with an upload in progress (see createUpload). */
  private readonly activeResumes = new Set<string>();

  constructor(readonly root: string) {
    this.rootReal = realpath(root);
    this.rootReal.catch(() => {});
  }

  /** The real path of `segments`, refused unless it stays inside the real root (§9). */
  private async resolveInside(segments: readonly string[]): Promise<string> {
    const root = await this.rootReal;
    const path = segments.join('/');
    let real: string;
    try {
      real = await realpath(join(root, ...segments));
    } catch (error) {
      throw storageError(error, path);
    }
    if (real !== root && !real.startsWith(root + sep)) {
      throw new PathError('EACCES', `"${path}" leads outside the served folder`);
    }
    return real;
  }

  async list(segments: readonly string[]): Promise<AsyncIterable<Entry[]>> {
    const path = segments.join('/');
    const dirPath = await this.resolveInside(segments);
    let info: Stats;
    try {
      info = await stat(dirPath);
    } catch (error) {
      throw storageError(error, path);
    }
    if (!info.isDirectory()) throw new PathError('ENOTDIR', `not a directory: "${path}"`);
    // The folder is opened when the listing is first read: a request that fails before its
    // data channel connects never starts the generator, whose `finally` would not run.
    return listBatches(dirPath, path);
  }

  async openRead(segments: readonly string[]): Promise<ReadableFile> {
    const path = segments.join('/');
    if (segments.length === 0) throw new PathError('EISDIR', 'is a directory: root');
    const real = await this.resolveInside(segments);
    let handle: FileHandle;
    try {
      // O_NOFOLLOW: if the final component was swapped for a link after the check, refuse.
      handle = await open(real, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
    } catch (error) {
      throw storageError(error, path);
    }
    try {
      const info = await handle.stat();
      if (info.isDirectory()) throw new PathError('EISDIR', `is a directory: "${path}"`);
      if (!info.isFile()) throw new PathError('EACCES', `not a regular file: "${path}"`);
      return {
        size: info.size,
        mtime: Math.max(0, Math.trunc(info.mtimeMs)),
        read: async (buffer, position) =>
          (await handle.read(buffer, 0, buffer.byteLength, position)).bytesRead,
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
    const dir = await this.resolveInside(segments.slice(0, -1));
    const target = join(dir, name);
    try {
      if ((await stat(target)).isDirectory())
        throw new PathError('EISDIR', `is a directory: "${path}"`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw storageError(error, path);
    }
    const stem = `.${truncateName(name)}.cftp-`;
    const resumable = options.resumeKey !== undefined;
    const temp = join(
      dir,
      resumable
        ? `${stem}resume-${options.resumeKey}.part`
        : `${stem}${randomBytes(8).toString('hex')}.part`,
    );
    if (resumable) {
      // One upload at a time per resumable partial: two writers would interleave their bytes.
      if (this.activeResumes.has(temp)) {
        throw new CftpError('EBUSY', `an upload of the same file to "${path}" is in progress`);
      }
      this.activeResumes.add(temp);
    }
    let handle: FileHandle;
    let offset = 0;
    try {
      // A resumable partial is appended to; a fresh temporary file is created exclusively.
      handle = await open(temp, resumable ? 'a+' : 'wx');
      if (resumable) {
        offset = (await handle.stat()).size;
        if (options.size !== undefined && offset > options.size) {
          await handle.truncate(0);
          offset = 0;
        }
      }
    } catch (error) {
      this.activeResumes.delete(temp);
      throw storageError(error, path);
    }
    // `flush`: the stream fsyncs the file before it closes, and pipeline waits for the close,
    // so a finished stream is on disk (§8: write, fsync, verify, rename, fsync folder).
    const stream = createWriteStream(temp, {
      fd: handle,
      flush: true,
      highWaterMark: IO_CHUNK_BYTES,
    });
    let finished = false;
    const release = () => this.activeResumes.delete(temp);
    return {
      offset,
      read: async (buffer, position) =>
        (await handle.read(buffer, 0, buffer.byteLength, position)).bytesRead,
      stream,
      commit: async (mtime) => {
        try {
          if (!stream.closed) throw new CftpError('EIO', 'upload stream still open at commit');
          if (mtime !== undefined) await utimes(temp, new Date(), new Date(mtime));
          await rename(temp, target);
          finished = true;
          release();
          await syncFolder(dir);
        } catch (error) {
          throw storageError(error, path);
        }
      },
      abort: async (keep = false) => {
        if (!stream.closed) {
          stream.destroy();
          await new Promise<void>((resolve) => stream.once('close', () => resolve()));
        }
        if (!finished) {
          finished = true;
          if (!(resumable && keep)) await unlink(temp).catch(() => {});
        }
        release();
      },
    };
  }

  async stat(segments: readonly string[]): Promise<Entry> {
    const path = segments.join('/');
    const name = segments.at(-1);
    const full =
      name === undefined
        ? await this.rootReal
        : join(await this.resolveInside(segments.slice(0, -1)), name);
    try {
      return toEntry(name ?? '.', await lstat(full));
    } catch (error) {
      throw storageError(error, path);
    }
  }

  async mkdir(segments: readonly string[]): Promise<void> {
    const { full, path } = await this.locate(segments, 'EEXIST');
    await mkdir(full).catch((error: unknown) => {
      throw storageError(error, path);
    });
  }

  async rmdir(segments: readonly string[]): Promise<void> {
    const { full, path } = await this.locate(segments, 'EACCES');
    await rmdir(full).catch((error: unknown) => {
      throw storageError(error, path);
    });
  }

  async remove(segments: readonly string[]): Promise<void> {
    const { full, path } = await this.locate(segments, 'EISDIR');
    try {
      if ((await lstat(full)).isDirectory())
        throw new PathError('EISDIR', `is a directory: "${path}"`);
      await unlink(full);
    } catch (error) {
      throw storageError(error, path);
    }
  }

  async rename(from: readonly string[], to: readonly string[]): Promise<void> {
    const source = await this.locate(from, 'EACCES');
    const target = await this.locate(to, 'EEXIST');
    try {
      await lstat(source.full);
    } catch (error) {
      throw storageError(error, source.path);
    }
    const exists = await lstat(target.full).then(
      () => true,
      () => false,
    );
    if (exists) throw new PathError('EEXIST', `already exists: "${target.path}"`);
    await rename(source.full, target.full).catch((error: unknown) => {
      throw storageError(error, `${source.path} -> ${target.path}`);
    });
  }

  /**
   * An entry's own path: its parent resolved inside the root (symlinks in the parent are
   * followed and checked), its last segment not followed. The root itself is refused with
   * `rootCode`: no operation may create, remove or rename it.
   */
  private async locate(
    segments: readonly string[],
    rootCode: 'EEXIST' | 'EACCES' | 'EISDIR',
  ): Promise<{ full: string; path: string }> {
    const path = segments.join('/');
    const name = segments.at(-1);
    if (name === undefined) throw new PathError(rootCode, 'the served folder itself');
    return { full: join(await this.resolveInside(segments.slice(0, -1)), name), path };
  }
}

/** Keeps temporary names within the 255-byte limit without splitting a character. */
function truncateName(name: string): string {
  return [...name].slice(0, 64).join('');
}

async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
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

async function* listBatches(dirPath: string, path: string): AsyncGenerator<Entry[]> {
  let dir: Dir;
  try {
    dir = await opendir(dirPath, { bufferSize: 128 });
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
            return toEntry(dirent.name, await lstat(join(dirPath, dirent.name)));
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
}
