// Reading folders (docs/protocol.md §6.1, §6.6, §9): entries as the protocol states them, a
// listing in batches that leaves temporary files out and names it cannot carry out (counted,
// see names.ts), and the Unicode-form check for new names.
import type { Dir, Stats } from 'node:fs';
import { lstat, opendir } from 'node:fs/promises';
import { type Entry, type EntryType, MAX_LIST_ENTRIES, MODE_MASK, PathError } from '@cftp/protocol';
import { exists, type Folder, type FolderAccess } from './confinement.js';
import { judgeName, MAY_HAVE_OTHER_FORM, OtherForms, openRawDir, rawName } from './names.js';
import { type Listing, storageError } from './storage.js';

const LIST_BATCH = 256;

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
  const type = entryType(info);
  return {
    name: name.normalize('NFC'),
    type,
    size: info.isDirectory() ? 0 : info.size,
    mtime: Math.max(0, Math.trunc(info.mtimeMs)),
    // Permission bits of files and folders only (§6.1, §6.8): never setuid, setgid, sticky.
    ...(type === 'file' || type === 'dir' ? { mode: info.mode & MODE_MASK } : {}),
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

/** A folder's listing (§6.1); `skipped` is complete once the batches have been read. */
export function listFolder(folders: FolderAccess, segments: readonly string[]): Listing {
  const counts = { skipped: 0 };
  return {
    get skipped() {
      return counts.skipped;
    },
    [Symbol.asyncIterator]: () => listBatches(folders, segments, counts),
  };
}

/**
 * The entries of a folder, in batches (§6.1): without temporary files (§8); without, but
 * counted in `counts.skipped`, names the wire cannot carry, other forms of a name that
 * another entry answers to, and entries past MAX_LIST_ENTRIES.
 */
async function* listBatches(
  folders: FolderAccess,
  segments: readonly string[],
  counts: { skipped: number },
): AsyncGenerator<Entry[]> {
  const path = segments.join('/');
  const folder = await folders.open(segments);
  try {
    let dir: Dir;
    try {
      dir = await openRawDir(folder.at);
    } catch (error) {
      throw storageError(error, path);
    }
    const otherForms = new OtherForms(folder.at);
    let listed = 0;
    try {
      let ended = false;
      while (!ended) {
        const names: string[] = [];
        for (let i = 0; i < LIST_BATCH; i++) {
          const dirent = await dir.read();
          if (dirent === null) {
            ended = true;
            break;
          }
          const verdict = judgeName(rawName(dirent.name));
          if (verdict.kind === 'temp') continue;
          if (
            verdict.kind === 'bad' ||
            listed + names.length >= MAX_LIST_ENTRIES ||
            (verdict.name !== verdict.nfc && !(await otherForms.reaches(verdict.name, verdict.nfc)))
          ) {
            counts.skipped++;
            continue;
          }
          names.push(verdict.name);
        }
        const entries = await Promise.all(
          names.map(async (name): Promise<Entry | undefined> => {
            try {
              return toEntry(name, await lstat(folder.entry(name)));
            } catch {
              return undefined; // removed while we were listing
            }
          }),
        );
        const present = entries.filter((e): e is Entry => e !== undefined);
        listed += present.length;
        if (present.length > 0) yield present;
      }
    } finally {
      await dir.close().catch(() => {});
    }
  } finally {
    await folder.close();
  }
}
