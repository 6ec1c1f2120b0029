// Confinement to the served folder (docs/security.md, docs/protocol.md §9): a path is checked
// (real path inside the real root), then opened, then the opened descriptor is checked again
// through /proc/self/fd, so a symlink swapped in between cannot lead outside. Entries inside a
// folder are reached through the folder's descriptor (`/proc/self/fd/N/name`, Node's stand-in
// for openat). LocalStorage builds on this; uploads and the sweep reach folders through it.
import {
  closeSync,
  constants as fsConstants,
  lstatSync,
  openSync,
  readlinkSync,
  realpathSync,
} from 'node:fs';
import { type FileHandle, lstat, open, readlink, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { PathError } from '@cftp/protocol';
import { storageError } from './storage.js';

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = fsConstants;

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

/** Whether the real path `real` is the real root `root` or below it. */
export function isInside(root: string, real: string): boolean {
  return real === root || real.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** A folder held open: entries are reached through its descriptor, not its path. */
export interface Folder {
  /** The folder's real path when it was opened (messages, fsync grouping, bookkeeping). */
  readonly real: string;
  /** A path for the folder itself that keeps naming it wherever it moves. */
  readonly at: string;
  /** A path for `name` inside this folder. */
  entry(name: string): string;
  close(): Promise<void>;
}

/** How uploads and the sweep reach folders: opened and checked inside the root. */
export interface FolderAccess {
  open(segments: readonly string[]): Promise<Folder>;
  /**
   * open with the same checks made on the calling thread (they are lookups: a realpath, an
   * open and a descriptor check), for a listing read onThread and for uploads: a walk of 500
   * folders spent most of its CPU on the thread-pool hops of their opens and closes.
   */
  openHere(segments: readonly string[]): Promise<Folder>;
  /** Opens the folder, runs `work` on it, and closes it. */
  within<T>(segments: readonly string[], work: (folder: Folder) => Promise<T>): Promise<T>;
}

export async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

/** A served folder: every path is resolved, opened and checked inside it. */
export class ConfinedRoot {
  protected readonly rootReal: Promise<string>;

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
  protected async verifyOpened(handle: FileHandle, path: string): Promise<void> {
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
  protected async openFolder(segments: readonly string[]): Promise<Folder> {
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
    return openedFolder(real, at, () => handle.close().catch(() => {}));
  }

  /** resolveInside on the calling thread, given the real root. */
  protected resolveInsideHere(root: string, segments: readonly string[]): string {
    const path = segments.join('/');
    let real: string;
    try {
      // The same realpath(3) as resolveInside's (libuv's), without the thread pool.
      real = realpathSync.native(join(root, ...segments));
    } catch (error) {
      throw storageError(error, path);
    }
    if (!isInside(root, real)) {
      throw new PathError('EACCES', `"${path}" leads outside the served folder`);
    }
    return real;
  }

  /** openFolder's checks and open on the calling thread (FolderAccess.openHere). */
  protected async openFolderHere(segments: readonly string[]): Promise<Folder> {
    const path = segments.join('/');
    const root = await this.rootReal;
    const fdPaths = await fdPathsWork();
    const real = this.resolveInsideHere(root, segments);
    let fd: number;
    try {
      fd = openSync(real, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    } catch (error) {
      // A real path holds no symlink; one there now was swapped in after the check.
      if (lstatSync(real, { throwIfNoEntry: false })?.isSymbolicLink() === true) {
        throw new PathError('EACCES', `symbolic link refused: "${path}"`);
      }
      throw storageError(error, path);
    }
    if (fdPaths) {
      // The check after open, as verifyOpened.
      let now: string | undefined;
      let failure: unknown;
      try {
        now = readlinkSync(`${FD_DIR}/${fd}`);
      } catch (error) {
        failure = storageError(error, path);
      }
      if (now !== undefined && !isInside(root, now)) {
        failure = new PathError('EACCES', `"${path}" leads outside the served folder`);
      }
      if (failure !== undefined) {
        closeSync(fd);
        throw failure;
      }
    }
    const at = fdPaths ? `${FD_DIR}/${fd}` : real;
    return openedFolder(real, at, async () => {
      try {
        closeSync(fd);
      } catch {
        // Nothing is left to release.
      }
    });
  }

  protected async inFolder<T>(
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

  /** openFolder and inFolder for the modules that work inside folders (uploads, sweep). */
  protected folderAccess(): FolderAccess {
    return {
      open: (segments) => this.openFolder(segments),
      openHere: (segments) => this.openFolderHere(segments),
      within: (segments, work) => this.inFolder(segments, work),
    };
  }
}

/** A Folder over an opened descriptor: its entries reached through `at`, released once. */
function openedFolder(real: string, at: string, release: () => Promise<void>): Folder {
  let closed = false;
  return {
    real,
    at,
    entry: (name) => `${at}/${name}`,
    close: async () => {
      if (closed) return;
      closed = true;
      await release();
    },
  };
}
