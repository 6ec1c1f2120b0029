// Folder trees: walks one side into a plan, creates the folders on the other, and moves the
// files with transferFiles (files.ts: batches, several at a time, byte progress, -c skips).
// Symlinks and special entries are skipped (and reported), never followed. `onScan` counts
// the folders walked, so a long walk is not silence.
import { lstat, mkdir, readdir, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { CftpError, type Entry } from '@cftp/protocol';
import {
  concurrencyOf,
  eachLimit,
  type FilesOptions,
  type FilesProgress,
  type FilesResult,
  failure,
  type Job,
  joinRemote,
  transferFiles,
} from './files.js';
import type { RemoteFiles } from './types.js';

export interface TreeOptions extends FilesOptions {
  /** Told the number of folders walked so far while the tree is scanned, before any file moves. */
  onScan?: (folders: number) => void;
}
export type TreeProgress = FilesProgress;

export interface TreeResult extends FilesResult {
  /** Folders below the top. */
  folders: number;
  /** Entries that are neither files nor folders (symlinks, devices), not copied. */
  skipped: string[];
}

/** A path below the top of a tree: `local` as on this machine, `remote` NFC, `/`-separated. */
interface Place {
  local: string;
  remote: string;
}

interface Plan {
  /** Folders below the top, parents before children; mtimes of remote folders. */
  folders: (Place & { mtime: number })[];
  files: (Place & { size: number; mtime: number })[];
  skipped: string[];
}

const depth = (path: string) => path.split('/').length;

/** Folders by depth then name, files by name: a stable order whichever way the walk went. */
function sorted(plan: Plan): Plan {
  plan.folders.sort((a, b) => depth(a.remote) - depth(b.remote) || (a.remote < b.remote ? -1 : 1));
  plan.files.sort((a, b) => (a.remote < b.remote ? -1 : a.remote > b.remote ? 1 : 0));
  return plan;
}

/** Walks the remote folder `top`, listing the folders of one depth several at a time. */
async function planRemote(client: RemoteFiles, top: string, options: TreeOptions): Promise<Plan> {
  const plan: Plan = { folders: [], files: [], skipped: [] };
  let scanned = 0;
  let level = [''];
  while (level.length > 0) {
    const below: string[] = [];
    await eachLimit(level, concurrencyOf(client, options), async (folder) => {
      const remote = joinRemote(top, folder);
      let entries: Entry[];
      try {
        entries = await client.list(remote, { signal: options.signal });
      } catch (error) {
        throw failure(options, error, { step: 'list', remote });
      }
      for (const entry of entries) {
        const path = joinRemote(folder, entry.name);
        const place = { local: path, remote: path, mtime: entry.mtime };
        if (entry.type === 'dir') {
          plan.folders.push(place);
          below.push(path);
        } else if (entry.type === 'file') plan.files.push({ ...place, size: entry.size });
        else plan.skipped.push(path);
      }
      options.onScan?.(++scanned);
    });
    level = below;
  }
  return sorted(plan);
}

/** Walks the local folder `top`, with each file's size and mtime. */
async function planLocal(top: string, options: TreeOptions): Promise<Plan> {
  const plan: Plan = { folders: [], files: [], skipped: [] };
  const locally = async <T>(path: string, step: () => Promise<T>): Promise<T> => {
    try {
      return await step();
    } catch (error) {
      throw failure(options, error, { step: 'local', local: path });
    }
  };
  let scanned = 0;
  const pending: Place[] = [{ local: '', remote: '' }];
  for (let folder = pending.shift(); folder !== undefined; folder = pending.shift()) {
    const dir = join(top, folder.local);
    const entries = await locally(dir, () => readdir(dir, { withFileTypes: true }));
    options.onScan?.(++scanned);
    await Promise.all(
      entries.map(async (entry) => {
        const path = join(dir, entry.name);
        const place = {
          local: joinRemote(folder.local, entry.name),
          remote: joinRemote(folder.remote, entry.name.normalize('NFC')),
        };
        if (entry.isDirectory()) {
          plan.folders.push({ ...place, mtime: 0 });
          pending.push(place);
        } else if (entry.isFile()) {
          const info = await locally(path, () => lstat(path));
          plan.files.push({ ...place, size: info.size, mtime: Math.trunc(info.mtimeMs) });
        } else plan.skipped.push(place.local);
      }),
    );
  }
  return sorted(plan);
}

/** The plan's files between the tops `local` and `remote`, named by their remote path below. */
function jobsOf(plan: Plan, local: string, remote: string): Job[] {
  return plan.files.map((file) => ({
    item: {
      local: join(local, file.local),
      remote: joinRemote(remote, file.remote),
      size: file.size,
      mtime: file.mtime,
    },
    name: file.remote,
  }));
}

/** Sorted folders grouped by depth: each group can be created at once, after the one before. */
function byDepth<T extends Place>(folders: readonly T[]): T[][] {
  const levels: T[][] = [];
  for (const folder of folders) {
    const level = levels.at(-1);
    if (level !== undefined && depth(level[0]!.remote) === depth(folder.remote)) level.push(folder);
    else levels.push([folder]);
  }
  return levels;
}

function result(plan: Plan, moved: FilesResult, started: number): TreeResult {
  return {
    ...moved,
    durationMs: performance.now() - started,
    folders: plan.folders.length,
    skipped: plan.skipped,
  };
}

/** Downloads the remote folder `remote` into the local folder `local` (created if needed). */
export async function getTree(
  client: RemoteFiles,
  remote: string,
  local: string,
  options: TreeOptions = {},
): Promise<TreeResult> {
  const started = performance.now();
  let top: Entry;
  try {
    top = await client.stat(remote, { signal: options.signal });
  } catch (error) {
    throw failure(options, error, { step: 'list', remote });
  }
  const plan = await planRemote(client, remote, options);
  const folders = [{ local: '', mtime: top.mtime }, ...plan.folders];
  for (const folder of folders) {
    const path = join(local, folder.local);
    await mkdir(path, { recursive: true }).catch((error: unknown) => {
      throw failure(options, error, { step: 'local', local: path });
    });
  }
  const moved = await transferFiles(client, 'get', jobsOf(plan, local, remote), options);
  // Folder times last, deepest first: writing into a folder changes its mtime. Best effort.
  for (const folder of folders.reverse()) {
    await utimes(join(local, folder.local), new Date(), new Date(folder.mtime)).catch(() => {});
  }
  return result(plan, moved, started);
}

/** Creates a remote folder, or accepts a folder that is already there. */
async function ensureRemoteFolder(
  client: RemoteFiles,
  path: string,
  options: TreeOptions,
): Promise<void> {
  if (path === '') return;
  const { signal } = options;
  try {
    await client.mkdir(path, { signal });
    return;
  } catch (error) {
    if (!(error instanceof CftpError && error.code === 'EEXIST')) {
      throw failure(options, error, { step: 'mkdir', remote: path });
    }
  }
  const entry = await client.stat(path, { signal }).catch((error: unknown) => {
    throw failure(options, error, { step: 'mkdir', remote: path });
  });
  if (entry.type !== 'dir') {
    const error = new CftpError('ENOTDIR', `remote "${path}" is not a folder`);
    throw failure(options, error, { step: 'not-a-folder', remote: path });
  }
}

/** Uploads the local folder `local` into the remote folder `remote` (created if needed). */
export async function putTree(
  client: RemoteFiles,
  local: string,
  remote: string,
  options: TreeOptions = {},
): Promise<TreeResult> {
  const started = performance.now();
  const plan = await planLocal(local, options);
  await ensureRemoteFolder(client, remote, options);
  for (const level of byDepth(plan.folders)) {
    await eachLimit(level, concurrencyOf(client, options), (folder) =>
      ensureRemoteFolder(client, joinRemote(remote, folder.remote), options),
    );
  }
  const moved = await transferFiles(client, 'put', jobsOf(plan, local, remote), options);
  return result(plan, moved, started);
}
