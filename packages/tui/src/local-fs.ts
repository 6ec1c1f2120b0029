// The local side of the panes: list a folder as engine-style entries, and the few file
// operations the TUI offers (mkdir, rename, delete), and the partial downloads a cancelled
// or cut-off get leaves for a resume. Plain node:fs, no engine code.
import { lstat, mkdir, readdir, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CftpError, type Entry } from '@cftp/client';
import { isResumeTempName, resumeTempName, TEMP_KEY_HEX_DIGITS } from '@cftp/protocol';
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
  let names: string[];
  try {
    names = (await readdir(dir)).filter(isResumeTempName);
  } catch (error) {
    throw localError(error, `cannot list "${dir}"`);
  }
  const found = await Promise.all(
    names.map(async (name) => {
      const info = await lstat(join(dir, name)).catch(() => undefined);
      return info?.isFile() === true ? { name, size: info.size } : undefined;
    }),
  );
  return found
    .filter((partial) => partial !== undefined)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** `.NAME.cftp-resume-`: a partial's name with the key cut off (the rule's own stem). */
export function partialStem(name: string): string {
  const key = '0'.repeat(TEMP_KEY_HEX_DIGITS);
  return resumeTempName(name, key).slice(0, -`${key}.part`.length);
}

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
