// Symlinks as links (feature `links`, docs/protocol.md §6.9): the `symlink` request creates a
// link whose text leads inside the root — judged from the real folder it is made in, so a
// folder reached through another link cannot carry it outside — and never replaces anything
// that is there (EEXIST). A dangling link is allowed: it leads inside, to nothing yet.
import { readlink, symlink } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Entry, MAX_PATH_BYTES, PathError } from '@cftp/protocol';
import { type Folder, isInside } from './confinement.js';
import { storageError } from './storage.js';

/**
 * Creates the link `name` in `folder` (`path` as the request names it) holding `target`:
 * EACCES when `target` is absolute or leads outside `rootReal`, EBADNAME when it is no text
 * a path may hold, EEXIST when the name is taken (its other Unicode forms are the caller's).
 */
export async function createLink(
  folder: Folder,
  name: string,
  path: string,
  target: string,
  rootReal: string,
): Promise<void> {
  if (target.includes('\0') || Buffer.byteLength(target) > MAX_PATH_BYTES) {
    throw new PathError('EBADNAME', `symlink target is not a path: "${path}"`);
  }
  if (target.startsWith('/') || !isInside(rootReal, resolve(folder.real, target))) {
    throw new PathError('EACCES', `symlink would lead outside the root: "${path}"`);
  }
  // symlink(2) never follows or replaces an existing name: EEXIST, whatever is there.
  await symlink(target, folder.entry(name)).catch((error: unknown) => {
    throw storageError(error, path);
  });
}

/**
 * A listed or stat'ed symlink with its text (`target`, §6.1 with `links`), read from `at`;
 * any other entry, or a link whose text cannot be read or carried, as it is.
 */
export async function withTarget(entry: Entry, at: string): Promise<Entry> {
  if (entry.type !== 'symlink') return entry;
  const target = await readlink(at).catch(() => '');
  const carried = target !== '' && Buffer.byteLength(target) <= MAX_PATH_BYTES;
  return carried ? { ...entry, target } : entry;
}
