// Reading folders (docs/protocol.md §6.1, §6.6, §9): entries as the protocol states them, a
// listing in batches that leaves temporary files out and names it cannot carry out (counted,
// see names.ts), and the Unicode-form check for new names.
import type { Dir, Stats } from 'node:fs';
import { lstatSync } from 'node:fs';
import { lstat, opendir } from 'node:fs/promises';
import { type Entry, type EntryType, MAX_LIST_ENTRIES, MODE_MASK, PathError } from '@cftp/protocol';
import { exists, type Folder, type FolderAccess } from './confinement.js';
import {
  judgeName,
  MAY_HAVE_OTHER_FORM,
  OtherForms,
  openRawDir,
  openRawDirSync,
  rawName,
} from './names.js';
import { type Listing, type ListOptions, storageError } from './storage.js';
import { withTarget } from './symlink.js';

/** Entries stat'ed (and sent) together; the event loop is let go between batches. */
const LIST_BATCH = 128;
/** Names one getdents fetches into the Dir's buffer. */
const LIST_READ = 1024;

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

/**
 * The entries of `names` in `folder`: one batch of lstat calls in flight together on the
 * thread pool (at most LIST_BATCH), no sync call on the event loop. For a caller that does
 * not ask for ListOptions.onThread; the server's own `list` and `tree` do ask (a slice of
 * LIST_BATCH calls then blocks the loop for about a millisecond on a local disk; on a slow
 * network disk, longer: docs/server.md, "Listings").
 */
async function statBatch(
  folder: Folder,
  names: readonly string[],
  identities?: Map<string, string>,
): Promise<Entry[]> {
  const infos = await Promise.all(
    // Unreadable now (removed, or EACCES on a race): left out, as if removed while listing.
    names.map((name) => lstat(folder.entry(name)).catch(() => undefined)),
  );
  const entries: (Entry | Promise<Entry>)[] = [];
  infos.forEach((info, i) => {
    if (info === undefined) return;
    // A symlink's text (§6.1, feature `links`), read in the same batch; runList drops it
    // for a client that did not ask for links.
    const name = names[i]!;
    const entry = toEntry(name, info);
    entries.push(entry.type === 'symlink' ? withTarget(entry, folder.entry(name)) : entry);
    if (identities !== undefined && info.isFile()) identities.set(name, fileIdentity(info));
  });
  return Promise.all(entries);
}

/**
 * statBatch on the calling thread (ListOptions.onThread): each lstat takes microseconds on a
 * local disk, its hop through the thread pool and its promise several times that. A batch
 * is at most LIST_BATCH calls, and the listing lets the event loop run after each batch.
 */
function statBatchHere(
  folder: Folder,
  names: readonly string[],
  identities?: Map<string, string>,
): Entry[] | Promise<Entry[]> {
  const entries: Entry[] = [];
  let links = false;
  for (const name of names) {
    let info: Stats | undefined;
    try {
      info = lstatSync(folder.entry(name), { throwIfNoEntry: false });
    } catch {
      info = undefined; // unreadable now (EACCES on a race): left out, as statBatch does
    }
    if (info === undefined) continue;
    const entry = toEntry(name, info);
    if (entry.type === 'symlink') links = true;
    entries.push(entry);
    if (identities !== undefined && info.isFile()) identities.set(name, fileIdentity(info));
  }
  if (!links) return entries;
  // A symlink's text (§6.1, feature `links`): rare, read through the thread pool.
  return Promise.all(
    entries.map((entry) =>
      entry.type === 'symlink' ? withTarget(entry, folder.entry(entry.name)) : entry,
    ),
  );
}

function closeQuietly(dir: Dir): void {
  try {
    dir.closeSync();
  } catch {
    // Already closed; nothing is left to release.
  }
}

/** What changes whenever a file's content may have: the key of `tree`'s digest cache. */
export function fileIdentity(info: Stats): string {
  return `${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}`;
}

/** A folder's listing (§6.1); `skipped` is complete once the batches have been read. */
export function listFolder(
  folders: FolderAccess,
  segments: readonly string[],
  options: ListOptions = {},
): Listing {
  const counts = { skipped: 0 };
  const identities = options.identities === true ? new Map<string, string>() : undefined;
  return {
    get skipped() {
      return counts.skipped;
    },
    ...(identities === undefined ? {} : { identities }),
    [Symbol.asyncIterator]: () =>
      listBatches(folders, segments, counts, identities, options.onThread === true),
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
  identities: Map<string, string> | undefined,
  onThread: boolean,
): AsyncGenerator<Entry[]> {
  const path = segments.join('/');
  const folder = onThread ? await folders.openHere(segments) : await folders.open(segments);
  try {
    let dir: Dir;
    try {
      // onThread: an opendir and a close on this thread too, two thread-pool hops a folder.
      dir = onThread
        ? openRawDirSync(folder.at, LIST_READ)
        : await openRawDir(folder.at, LIST_READ);
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
          // Served from the Dir's buffer; one getdents per LIST_READ names, on the thread pool
          // (or, onThread, on this one).
          const dirent = onThread ? dir.readSync() : await dir.read();
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
        const present = onThread
          ? await statBatchHere(folder, names, identities)
          : await statBatch(folder, names, identities);
        listed += present.length;
        if (present.length > 0) yield present;
        // The event loop's turn: the caller may consume batch after batch without any I/O.
        if (onThread && !ended) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      if (onThread) closeQuietly(dir);
      else await dir.close().catch(() => {});
    }
  } finally {
    await folder.close();
  }
}
