// The local side of the panes: list a folder as engine-style entries, and the few file
// operations the TUI offers (mkdir, rename, delete), and the partial downloads a cancelled
// or cut-off get leaves for a resume (found by the engine's rule, @cftp/client).
import { lstat, mkdir, readdir, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CftpError, type Entry, listPartials as listKeptPartials, partialStem } from '@cftp/client';
import { localError } from './errors.js';

function typeOf(info: {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}): Entry['type'] {
  if (info.isSymbolicLink()) return 'symlink';
  if (info.isDirectory()) return 'dir';
  if (info.isFile()) return 'file';
  return 'other';
}

/** The entries of a local folder (not following symlinks), unsorted. */
export async function listLocal(dir: string): Promise<Entry[]> {
  let names: string[];
  try {
    // The engine's own temporary files (docs/protocol.md §8) are dot files: the pane hides
    // them with the other dot files unless hidden files are shown (so partials can be seen).
    names = await readdir(dir);
  } catch (error) {
    throw localError(error, `cannot list "${dir}"`);
  }
  const entries = await Promise.all(
    names.map(async (name): Promise<Entry | undefined> => {
      // An entry removed between readdir and lstat is simply gone.
      const info = await lstat(join(dir, name)).catch(() => undefined);
      if (info === undefined) return undefined;
      return {
        name,
        type: typeOf(info),
        size: info.isFile() ? info.size : 0,
        mtime: Math.max(0, Math.trunc(info.mtimeMs)),
      };
    }),
  );
  return entries.filter((entry): entry is Entry => entry !== undefined);
}

/** What a local entry is once symlinks are followed (copies follow them). */
export async function resolvedType(path: string): Promise<Entry['type']> {
  try {
    return typeOf(await stat(path));
  } catch (error) {
    throw localError(error, `cannot read "${path}"`);
  }
}

export async function mkdirLocal(path: string): Promise<void> {
  try {
    await mkdir(path);
  } catch (error) {
    throw localError(error, `cannot create folder "${path}"`);
  }
}

/** Renames like the server does: never replaces an existing `to` (EEXIST). */
export async function renameLocal(from: string, to: string): Promise<void> {
  const existing = await lstat(to).catch(() => undefined);
  if (existing !== undefined) throw new CftpError('EEXIST', `"${to}" already exists`);
  try {
    await rename(from, to);
  } catch (error) {
    throw localError(error, `cannot rename "${from}"`);
  }
}

/** Deletes a file or symlink, or an empty folder. A folder with contents is refused. */
export async function removeLocal(path: string): Promise<void> {
  let info: Awaited<ReturnType<typeof lstat>>;
  try {
    info = await lstat(path);
  } catch (error) {
    throw localError(error, `cannot delete "${path}"`);
  }
  try {
    if (info.isDirectory()) await rmdir(path);
    else await unlink(path);
  } catch (error) {
    throw localError(error, `cannot delete "${path}"`);
  }
}

/** The partial downloads kept for resume in `dir` (`.NAME.cftp-resume-KEY.part`), by name. */
export async function listPartials(dir: string): Promise<{ name: string; size: number }[]> {
  // The engine's rule (shared with `cftp`'s `partials` command); the TUI's words on failure.
  try {
    return (await listKeptPartials(dir)).map(({ name, size }) => ({ name, size }));
  } catch (error) {
    throw localError(error, `cannot list "${dir}"`);
  }
}

export { partialStem };

/**
 * The partial a get of the file `name` left in `dir`, if one is there: its key is the
 * engine's, so this matches by the name part (`.NAME.cftp-resume-`), the largest if several.
 */
export async function partialFor(
  dir: string,
  name: string,
): Promise<{ name: string; size: number } | undefined> {
  const stem = partialStem(name);
  const partials = await listPartials(dir).catch(() => []);
  const mine = partials.filter((partial) => partial.name.startsWith(stem));
  return mine.sort((a, b) => b.size - a.size)[0];
}
