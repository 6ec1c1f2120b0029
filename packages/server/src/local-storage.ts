// The local-disk Storage (docs/protocol.md §6, §8, §9), confined to its root (see
// confinement.ts): every path arrives as checked segments from parsePath, folders are opened
// and checked before their entries are touched, and final components are never followed.
import { createHash, randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { type FileHandle, lstat, mkdir, open, rename, rmdir, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { type Entry, MODE_MASK, PathError } from '@cftp/protocol';
import { readFromHandle } from '@cftp/transfer';
import { ConfinedRoot, exists } from './confinement.js';
import { FolderSyncer } from './folder-sync.js';
import { fileIdentity, listFolder, refuseOtherForm, toEntry } from './listing.js';
import { onDiskSegments } from './names.js';
import {
  type Listing,
  type ListOptions,
  type ReadableFile,
  type Storage,
  type SweepOptions,
  type SweepResult,
  storageError,
  type Upload,
  type UploadOptions,
} from './storage.js';
import { sweepLeftovers } from './sweep.js';
import { createLink, withTarget } from './symlink.js';
import { openUpload, type UploadRoom } from './upload.js';

const { O_RDONLY, O_NOFOLLOW } = fsConstants;
/** Opening a FIFO for reading would block a thread-pool thread until a writer comes. */
const O_NONBLOCK = fsConstants.O_NONBLOCK ?? 0;

export class LocalStorage extends ConfinedRoot implements Storage {
  private readonly uploads: UploadRoom = {
    folders: this.folderAccess(),
    syncer: new FolderSyncer(),
    activeResumes: new Set<string>(),
    activeTemps: new Set<string>(),
    // 4 hex digits of the host (the same after a restart), 4 of this process (§8).
    instance:
      createHash('sha256').update(hostname()).digest('hex').slice(0, 4) +
      randomBytes(2).toString('hex'),
    lastStamp: 0,
  };

  /**
   * The on-disk names of checked NFC segments (§9): a name stored in another Unicode form is
   * reached by its NFC form, so what a listing shows can be fetched by the name shown.
   */
  private async onDisk(segments: readonly string[]): Promise<string[]> {
    return onDiskSegments(await this.rootReal, segments);
  }

  /**
   * For a name an operation creates (put, mkdir, the `to` of rename): its folders are
   * resolved, the name itself is not, so another form of it on disk stays EEXIST (§6.3, §9).
   */
  private async forCreate(segments: readonly string[]): Promise<string[]> {
    if (segments.length === 0) return [];
    return [...(await this.onDisk(segments.slice(0, -1))), segments.at(-1)!];
  }

  async list(asked: readonly string[], options: ListOptions = {}): Promise<Listing> {
    const segments = await this.onDisk(asked);
    // Checked now, so a bad path fails before `ready`; opened (and checked) again when the
    // listing is first read: a request that fails before its data channel connects never
    // starts the generator, whose `finally` would not run. A lazy caller reads at once.
    // The check runs on the calling thread when the listing will (onThread): a realpath walk
    // and an open through the thread pool were four hops before `ready`, for lookups that
    // take microseconds.
    if (options.lazy !== true) {
      const folder =
        options.onThread === true ? this.openFolderHere(segments) : this.openFolder(segments);
      await (await folder).close();
    }
    return listFolder(this.folderAccess(), segments, options);
  }

  async openRead(asked: readonly string[]): Promise<ReadableFile> {
    const segments = await this.onDisk(asked);
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
        mode: info.mode & MODE_MASK,
        identity: fileIdentity(info),
        read: readFromHandle(handle),
        close: () => handle.close(),
      };
    } catch (error) {
      await handle.close();
      throw storageError(error, path);
    }
  }

  async createUpload(asked: readonly string[], options: UploadOptions = {}): Promise<Upload> {
    return openUpload(this.uploads, await this.forCreate(asked), options);
  }

  async stat(asked: readonly string[]): Promise<Entry> {
    const segments = await this.onDisk(asked);
    const path = segments.join('/');
    const name = segments.at(-1);
    try {
      if (name === undefined) return toEntry('.', await lstat(await this.rootReal));
      return await this.inFolder(segments.slice(0, -1), async (folder) =>
        withTarget(toEntry(name, await lstat(folder.entry(name))), folder.entry(name)),
      );
    } catch (error) {
      throw storageError(error, path);
    }
  }

  async mkdir(asked: readonly string[]): Promise<void> {
    const segments = await this.forCreate(asked);
    const { name, path } = this.locate(segments, 'EEXIST');
    await this.inFolder(segments.slice(0, -1), async (folder) => {
      await refuseOtherForm(folder, name, path);
      await mkdir(folder.entry(name)).catch((error: unknown) => {
        throw storageError(error, path);
      });
    });
  }

  /** A symlink that leads inside the root (feature `links`, §6.9; the rules: symlink.ts). */
  async symlink(asked: readonly string[], target: string): Promise<void> {
    const segments = await this.forCreate(asked);
    const { name, path } = this.locate(segments, 'EEXIST');
    const rootReal = await this.rootReal;
    await this.inFolder(segments.slice(0, -1), async (folder) => {
      await refuseOtherForm(folder, name, path);
      await createLink(folder, name, path, target, rootReal);
    });
  }

  async rmdir(asked: readonly string[]): Promise<void> {
    const segments = await this.onDisk(asked);
    const { name, path } = this.locate(segments, 'EACCES');
    await this.inFolder(segments.slice(0, -1), async (folder) => {
      await rmdir(folder.entry(name)).catch((error: unknown) => {
        throw storageError(error, path);
      });
    });
  }

  async remove(asked: readonly string[]): Promise<void> {
    const segments = await this.onDisk(asked);
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

  async rename(askedFrom: readonly string[], askedTo: readonly string[]): Promise<void> {
    const from = await this.onDisk(askedFrom);
    const to = await this.forCreate(askedTo);
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
        await refuseOtherForm(
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
   * Removes leftovers of interrupted uploads (§8); uploads in progress are never touched.
   * See sweep.ts.
   */
  sweep(options: SweepOptions): Promise<SweepResult> {
    return sweepLeftovers(this.folderAccess(), this.uploads, options);
  }
}
