// Folder opens shared by the uploads of one batch (docs/protocol.md §6.7, §8, §9): the files
// of a putmany land in a few folders, and each upload opened and checked its folder twice
// (to create its temporary file, then to commit it): a realpath (a readlink per path
// component), an open and a descriptor check each time, for every file. Uploads of one
// group that open the same folder while it is open for another share that one checked
// descriptor; it is closed when the last of them is done. The window between check and use
// stays that of one phase (create, or commit): sharing ends once nobody holds the folder,
// so the commit phase opens and checks the folder again, as a lone upload does.
import type { Folder, FolderAccess } from './confinement.js';

interface Held {
  folder: Promise<Folder>;
  users: number;
}

/** The folders each group holds open, by path; a group is any object its uploads share. */
const groups = new WeakMap<object, Map<string, Held>>();

/**
 * `access`, sharing each folder among the uploads of `group` that hold it at the same time.
 * A failed open fails each sharer with its error and is not kept.
 */
export function sharedFolders(access: FolderAccess, group: object): FolderAccess {
  let held = groups.get(group);
  if (held === undefined) {
    held = new Map();
    groups.set(group, held);
  }
  const open = async (segments: readonly string[]): Promise<Folder> => {
    const key = segments.join('/');
    let entry = held.get(key);
    if (entry === undefined) {
      const folder = access.openHere(segments);
      entry = { folder, users: 0 };
      held.set(key, entry);
      const mine = entry;
      folder.catch(() => {
        if (held.get(key) === mine) held.delete(key);
      });
    }
    entry.users++;
    const mine = entry;
    let shared: Folder;
    try {
      shared = await mine.folder;
    } catch (error) {
      mine.users--;
      throw error;
    }
    let closed = false;
    return {
      real: shared.real,
      at: shared.at,
      entry: (name) => shared.entry(name),
      close: async () => {
        if (closed) return;
        closed = true;
        if (--mine.users > 0) return;
        if (held.get(key) === mine) held.delete(key);
        await shared.close();
      },
    };
  };
  return {
    open,
    openHere: open,
    async within(segments, work) {
      const folder = await open(segments);
      try {
        return await work(folder);
      } finally {
        await folder.close();
      }
    },
  };
}
