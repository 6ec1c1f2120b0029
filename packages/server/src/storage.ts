// Storage behind a small interface, and the local-disk implementation confined to a root
// (docs/protocol.md §6, §8, §9). Every path arrives as checked segments from parsePath.
import { randomBytes } from 'node:crypto';
import type { Dir, Stats } from 'node:fs';
import { createWriteStream, constants as fsConstants } from 'node:fs';
import {
  type FileHandle,
  lstat,
  open,
  opendir,
  realpath,
  rename,
  stat,
  unlink,
} from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { Writable } from 'node:stream';
import { CftpError, type Entry, type EntryType, isTempName, PathError } from '@cftp/protocol';

/** Large reads and writes: fewer syscalls and hash calls per byte (see docs/performance.md). */
export const IO_CHUNK_BYTES = 1024 * 1024;

export interface ReadableFile {
  readonly size: number;
  /** Reads up to `buffer.byteLength` bytes at `position`; 0 at the end of the file. */
  read(buffer: Uint8Array, position: number): Promise<number>;
  close(): Promise<void>;
}

export interface Upload {
  /** Where the bytes go; ends when the caller ends it. */
  readonly stream: Writable;
  /** fsync, rename into place, fsync the folder (§8). */
  commit(): Promise<void>;
  /** Removes the temporary file; safe to call more than once, and after a failed commit. */
  abort(): Promise<void>;
}

export interface Storage {
  /** Opens a folder for listing; entries exclude temporary upload files. */
  list(segments: readonly string[]): Promise<AsyncIterable<Entry[]>>;
  openRead(segments: readonly string[]): Promise<ReadableFile>;
  createUpload(segments: readonly string[]): Promise<Upload>;
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
        read: async (buffer, position) =>
          (await handle.read(buffer, 0, buffer.byteLength, position)).bytesRead,
        close: () => handle.close(),
      };
    } catch (error) {
      await handle.close();
      throw storageError(error, path);
    }
  }

  async createUpload(segments: readonly string[]): Promise<Upload> {
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
    const temp = join(dir, `.${name.slice(0, 64)}.cftp-${randomBytes(8).toString('hex')}.part`);
    let handle: FileHandle;
    try {
      handle = await open(temp, 'wx');
    } catch (error) {
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
    return {
      stream,
      commit: async () => {
        try {
          if (!stream.closed) throw new CftpError('EIO', 'upload stream still open at commit');
          await rename(temp, target);
          finished = true;
          const dirHandle = await open(dir, 'r');
          try {
            await dirHandle.sync();
          } finally {
            await dirHandle.close();
          }
        } catch (error) {
          throw storageError(error, path);
        }
      },
      abort: async () => {
        if (!stream.closed) {
          stream.destroy();
          await new Promise<void>((resolve) => stream.once('close', () => resolve()));
        }
        if (!finished) {
          finished = true;
          await unlink(temp).catch(() => {});
        }
      },
    };
  }
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
            const info = await lstat(join(dirPath, dirent.name));
            return {
              name: dirent.name.normalize('NFC'),
              type: entryType(info),
              size: info.isDirectory() ? 0 : info.size,
              mtime: Math.max(0, Math.trunc(info.mtimeMs)),
            };
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
