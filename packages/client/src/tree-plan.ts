// Walking a folder tree into a plan of folders and files, on either side (tree.ts moves
// them). Symlinks and special entries are not copied: they are listed as skipped, a link with
// its text. With `keepGoing` a folder or entry that cannot be read is left out (one failure
// each, its contents with it) and the walk goes on; only the top must be readable.
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Entry } from '@cftp/protocol';
import {
  concurrencyOf,
  eachLimit,
  entryFailure,
  type FailedEntry,
  type FilesOptions,
  failure,
  joinRemote,
  type TransferFailure,
} from './files.js';
import type { RemoteFiles } from './types.js';

export interface PlanOptions extends FilesOptions {
  /** Told the number of folders walked so far while the tree is scanned, before any file moves. */
  onScan?: (folders: number) => void;
}

/** An entry that is neither a file nor a folder, not copied: a link (with its text) or other. */
export interface SkippedEntry {
  /** Its path below the top of the tree, `/`-separated. */
  name: string;
  type: 'symlink' | 'other';
  /** A symlink's own text, when known (always locally; remotely with the `links` feature). */
  target?: string;
}

/** A path below the top of a tree: `local` as on this machine, `remote` NFC, `/`-separated. */
export interface Place {
  local: string;
  remote: string;
}

export interface Plan {
  /** Folders below the top, parents before children; mtimes of remote folders. */
  folders: (Place & { mtime: number })[];
  files: (Place & { size: number; mtime: number })[];
  skipped: SkippedEntry[];
  /** Entries left out because they could not be read (`keepGoing`). */
  failed: FailedEntry[];
}

const depth = (path: string) => path.split('/').length;

/** Folders by depth then name, files by name: a stable order whichever way the walk went. */
function sorted(plan: Plan): Plan {
  const byName = (a: { name: string }, b: { name: string }) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  plan.folders.sort((a, b) => depth(a.remote) - depth(b.remote) || (a.remote < b.remote ? -1 : 1));
  plan.files.sort((a, b) => (a.remote < b.remote ? -1 : a.remote > b.remote ? 1 : 0));
  plan.skipped.sort(byName);
  plan.failed.sort(byName);
  return plan;
}

/**
 * Runs one step of the walk below the top: its failure is thrown (mapped), or with
 * `keepGoing`, if it is about that entry only, recorded in `plan.failed` (undefined back).
 */
export async function stepOrSkip<T>(
  plan: Plan,
  options: FilesOptions,
  name: string,
  about: TransferFailure,
  step: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await step();
  } catch (error) {
    const mapped = failure(options, error, about);
    if (name === '' || options.keepGoing !== true || !entryFailure(error)) throw mapped;
    plan.failed.push({ name, error: mapped });
    return undefined;
  }
}

/** Walks the remote folder `top`, listing the folders of one depth several at a time. */
export async function planRemote(
  client: RemoteFiles,
  top: string,
  options: PlanOptions,
): Promise<Plan> {
  const plan: Plan = { folders: [], files: [], skipped: [], failed: [] };
  const unlisted = new Set<string>();
  let scanned = 0;
  let level = [''];
  while (level.length > 0) {
    const below: string[] = [];
    await eachLimit(level, concurrencyOf(client, options), async (folder) => {
      const remote = joinRemote(top, folder);
      const entries = await stepOrSkip(plan, options, folder, { step: 'list', remote }, () =>
        client.list(remote, { signal: options.signal }),
      );
      options.onScan?.(++scanned);
      if (entries === undefined) {
        unlisted.add(folder);
        return;
      }
      for (const entry of entries) addRemote(plan, below, folder, entry);
    });
    level = below;
  }
  // A folder that could not be listed is not created either: it stays a failure, not empty.
  plan.folders = plan.folders.filter((folder) => !unlisted.has(folder.remote));
  return sorted(plan);
}

function addRemote(plan: Plan, below: string[], folder: string, entry: Entry): void {
  const path = joinRemote(folder, entry.name);
  const place = { local: path, remote: path, mtime: entry.mtime };
  if (entry.type === 'dir') {
    plan.folders.push(place);
    below.push(path);
  } else if (entry.type === 'file') {
    plan.files.push({ ...place, size: entry.size });
  } else {
    const target = entry.target === undefined ? {} : { target: entry.target };
    plan.skipped.push({
      name: path,
      type: entry.type === 'symlink' ? 'symlink' : 'other',
      ...target,
    });
  }
}

/** Walks the local folder `top`, with each file's size and mtime. */
export async function planLocal(top: string, options: PlanOptions): Promise<Plan> {
  const plan: Plan = { folders: [], files: [], skipped: [], failed: [] };
  const unread = new Set<string>();
  let scanned = 0;
  const pending: Place[] = [{ local: '', remote: '' }];
  for (let folder = pending.shift(); folder !== undefined; folder = pending.shift()) {
    const dir = join(top, folder.local);
    const entries = await stepOrSkip(
      plan,
      options,
      folder.local,
      { step: 'local', local: dir },
      () => readdir(dir, { withFileTypes: true }),
    );
    options.onScan?.(++scanned);
    if (entries === undefined) {
      unread.add(folder.remote);
      continue;
    }
    await Promise.all(
      entries.map(async (entry) => {
        const path = join(dir, entry.name);
        const place = {
          local: joinRemote(folder.local, entry.name),
          remote: joinRemote(folder.remote, entry.name.normalize('NFC')),
        };
        const local = { step: 'local', local: path } as const;
        if (entry.isDirectory()) {
          plan.folders.push({ ...place, mtime: 0 });
          pending.push(place);
        } else if (entry.isFile()) {
          // A file that vanished since the folder was read is a failure of its own.
          const info = await stepOrSkip(plan, options, place.local, local, () => lstat(path));
          if (info === undefined) return;
          plan.files.push({ ...place, size: info.size, mtime: Math.trunc(info.mtimeMs) });
        } else if (entry.isSymbolicLink()) {
          const target = await readlink(path).catch(() => undefined);
          plan.skipped.push({
            name: place.local,
            type: 'symlink',
            ...(target === undefined ? {} : { target }),
          });
        } else plan.skipped.push({ name: place.local, type: 'other' });
      }),
    );
  }
  // A folder that could not be read is not created either: it stays a failure, not empty.
  plan.folders = plan.folders.filter((folder) => !unread.has(folder.remote));
  return sorted(plan);
}
