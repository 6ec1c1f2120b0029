// Commands on the local side: lcd, lpwd, lls. The session keeps its own local folder, so the
// process's working directory never changes under the engine.
import type { Dirent } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Entry } from '@cftp/client';
import type { Call } from './context.js';
import { localError, pathError } from './errors.js';
import { entryName, longListing, sortEntries } from './format.js';
import { hasGlobMagic, matchNames } from './glob.js';
import { resolveLocal } from './local-path.js';
import { type CommandOutcome, outcome } from './output.js';
import { entryJson } from './remote-commands.js';

export async function lcd({ session, args }: Call): Promise<CommandOutcome> {
  const target = resolveLocal(session.localCwd, args[0] ?? '~');
  const info = await stat(target).catch((error: unknown) => {
    throw localError(error, target);
  });
  if (!info.isDirectory()) {
    throw pathError('ENOTDIR', `local "${target}" is not a folder`, target);
  }
  session.localCwd = target;
  return outcome({ path: target });
}

export async function lpwd({ session }: Call): Promise<CommandOutcome> {
  return outcome({ path: session.localCwd }, [session.localCwd]);
}

function typeOf(dirent: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }) {
  if (dirent.isFile()) return 'file' as const;
  if (dirent.isDirectory()) return 'dir' as const;
  if (dirent.isSymbolicLink()) return 'symlink' as const;
  return 'other' as const;
}

/** A local path as a listing entry (not following a final symlink, like the server). */
async function localEntry(path: string, name: string): Promise<Entry> {
  const info = await lstat(path).catch((error: unknown) => {
    throw localError(error, path);
  });
  const type = typeOf(info);
  return { name, type, size: type === 'dir' ? 0 : info.size, mtime: Math.trunc(info.mtimeMs) };
}

export async function lls({ session, args, flags }: Call): Promise<CommandOutcome> {
  const arg = args[0];
  let dir = arg === undefined ? session.localCwd : resolveLocal(session.localCwd, arg);
  let pattern: string | undefined;
  if (arg !== undefined && hasGlobMagic(basename(arg))) {
    pattern = basename(arg);
    dir = resolveLocal(session.localCwd, arg.slice(0, arg.length - pattern.length) || '.');
  }
  const self = await localEntry(dir, basename(dir));
  let entries: Entry[];
  if (self.type !== 'dir') {
    entries = [{ ...self, name: arg ?? self.name }];
  } else {
    const dirents: Dirent[] = await readdir(dir, { withFileTypes: true }).catch(
      (error: unknown) => {
        throw localError(error, dir);
      },
    );
    const chosen = pattern === undefined ? dirents : matchNames(dirents, pattern);
    entries = await Promise.all(chosen.map((d) => localEntry(join(dir, d.name), d.name)));
  }
  sortEntries(entries);
  const lines = flags.long ? longListing(entries) : entries.map(entryName);
  return outcome({ path: arg ?? session.localCwd, entries: entries.map(entryJson) }, lines);
}

/** `clear`: clears the screen when stdout is a terminal (console.clear does nothing else). */
export async function clear(): Promise<CommandOutcome> {
  console.clear();
  return outcome({});
}
