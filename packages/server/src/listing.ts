// Reading folders (docs/protocol.md §6.1, §6.6, §9): entries as the protocol states them, a
// listing in batches that leaves temporary files out, and the Unicode-form check for new names.
import type { Dir, Stats } from 'node:fs';
import { lstat, opendir } from 'node:fs/promises';
import { type Entry, type EntryType, isTempName, PathError } from '@cftp/protocol';
import { exists, type Folder, type FolderAccess } from './confinement.js';
import { storageError } from './storage.js';

const LIST_BATCH = 256;

/**
 * Characters whose canonical decomposition is ASCII: KELVIN SIGN → K, GREEK QUESTION MARK
 * → ;, GREEK VARIA → ` (checked over every code point by the server tests). A name without
 * them and without non-ASCII characters has no other Unicode form.
 */
const MAY_HAVE_OTHER_FORM = /[^ -~]|[K;`]/;

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

export function toEntry(name: string, info: Stats): Entry {
  return {
    name: name.normalize('NFC'),
    type: entryType(info),
    size: info.isDirectory() ? 0 : info.size,
    mtime: Math.max(0, Math.trunc(info.mtimeMs)),
  };
}

/**
 * A new name (put, mkdir, rename target) must not differ only in Unicode normalisation
 * from another entry of its folder: names are NFC on the wire (§9), so both would list as
 * one name and only one could be reached. EEXIST. `except` is a rename's own source.
 */
export async function refuseOtherForm(
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

/** The entries of a folder, in batches, without temporary files (§8). */
export async function* listBatches(
  folders: FolderAccess,
  segments: readonly string[],
): AsyncGenerator<Entry[]> {
  const path = segments.join('/');
  const folder = await folders.open(segments);
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
