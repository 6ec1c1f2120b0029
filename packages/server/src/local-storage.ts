// The local-disk Storage (docs/protocol.md §6, §8, §9), confined to its root (see
// confinement.ts): every path arrives as checked segments from parsePath, folders are opened
// and checked before their entries are touched, and final components are never followed.
import { constants as fsConstants } from 'node:fs';
import { type FileHandle, lstat, mkdir, open, rename, rmdir, unlink } from 'node:fs/promises';
import { type Entry, PathError } from '@cftp/protocol';
import { readFromHandle } from '@cftp/transfer';
import { ConfinedRoot, exists } from './confinement.js';
import { FolderSyncer } from './folder-sync.js';
import { listBatches, refuseOtherForm, toEntry } from './listing.js';
import {
  type ReadableFile,
  type Storage,
  type SweepOptions,
  type SweepResult,
  storageError,
  type Upload,
  type UploadOptions,
} from './storage.js';
import { sweepLeftovers } from './sweep.js';
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
  };

  async list(segments: readonly string[]): Promise<AsyncIterable<Entry[]>> {
    // Checked now, so a bad path fails before `ready`; opened (and checked) again when the
    // listing is first read: a request that fails before its data channel connects never
    // starts the generator, whose `finally` would not run.
    await (await this.openFolder(segments)).close();
    return listBatches(this.folderAccess(), segments);
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

  createUpload(segments: readonly string[], options: UploadOptions = {}): Promise<Upload> {
    return openUpload(this.uploads, segments, options);
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
      await refuseOtherForm(folder, name, path);
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
    return sweepLeftovers(this.folderAccess(), this.uploads.activeTemps, options);
  }
}
