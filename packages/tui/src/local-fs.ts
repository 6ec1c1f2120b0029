// The local side of the panes: list a folder as engine-style entries, and the few file
// operations the TUI offers (mkdir, rename, delete). Plain node:fs, no engine code.
import { lstat, mkdir, readdir, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CftpError, type Entry } from '@cftp/client';
import { isTempName } from '@cftp/protocol';
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
    // The engine's own temporary files (docs/protocol.md §8) are not shown in the pane.
    names = (await readdir(dir)).filter((name) => !isTempName(name));
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
