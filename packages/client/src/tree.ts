// Folder trees: walks one side into a plan (tree-plan.ts), creates the folders on the other,
// and moves the files with transferFiles (files.ts: batches, several at a time, byte
// progress, -c skips). Symlinks and special entries are skipped (and reported), never
// followed. With `keepGoing` what cannot be read or created is left out and the rest goes on.
import { mkdir, symlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { CftpError, type Entry } from '@cftp/protocol';
import {
  concurrencyOf,
  eachLimit,
  type FailedEntry,
  type FilesProgress,
  type FilesResult,
  failure,
  type Job,
  joinRemote,
  transferFiles,
} from './files.js';
import {
  type Place,
  type Plan,
  type PlanOptions,
  planLocal,
  planRemote,
  type SkippedEntry,
  stepOrSkip,
} from './tree-plan.js';
import type { RemoteFiles } from './types.js';

export type { LinkMode, SkippedEntry } from './tree-plan.js';
export type TreeOptions = PlanOptions;
export type TreeProgress = FilesProgress;

export interface TreeResult extends FilesResult {
  /** Folders below the top (created, or there already). */
  folders: number;
  /** Entries that are neither files nor folders (symlinks, devices), not copied. */
  skipped: SkippedEntry[];
  /** Symlinks made as links on the other side (`links: 'recreate'`). */
  links: number;
}

const depth = (path: string) => path.split('/').length;

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

/** Leaves out of the plan everything inside the folders that could not be created. */
function without(plan: Plan, lost: ReadonlySet<string>): void {
  if (lost.size === 0) return;
  const inside = (path: string) => {
    for (let at = path.lastIndexOf('/'); at > 0; at = path.lastIndexOf('/', at - 1)) {
      if (lost.has(path.slice(0, at))) return true;
    }
    return false;
  };
  plan.folders = plan.folders.filter((f) => !lost.has(f.remote) && !inside(f.remote));
  plan.files = plan.files.filter((f) => !inside(f.remote));
}

function result(plan: Plan, moved: FilesResult, started: number, links: number): TreeResult {
  const failed: FailedEntry[] = [...plan.failed, ...moved.failed];
  return {
    ...moved,
    links,
    failed: failed.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
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
  const lost = new Set<string>();
  for (const folder of [{ local: '', remote: '' }, ...plan.folders]) {
    const path = join(local, folder.local);
    if ([...lost].some((gone) => folder.remote.startsWith(`${gone}/`))) continue;
    const made = await stepOrSkip(
      plan,
      options,
      folder.remote,
      { step: 'local', local: path },
      () => mkdir(path, { recursive: true }).then(() => true),
    );
    if (made === undefined) lost.add(folder.remote);
  }
  without(plan, lost);
  const moved = await transferFiles(client, 'get', jobsOf(plan, local, remote), options);
  let links = 0;
  for (const link of plan.links) {
    if ([...lost].some((gone) => link.remote.startsWith(`${gone}/`))) continue;
    const path = join(local, link.local);
    // symlink(2) never replaces what is there: an existing name is EEXIST, one failure.
    const made = await stepOrSkip(plan, options, link.remote, { step: 'local', local: path }, () =>
      symlink(link.target, path).then(() => true),
    );
    if (made) links++;
  }
  // Folder times last, deepest first: writing into a folder changes its mtime. Best effort.
  for (const folder of [{ local: '', mtime: top.mtime }, ...plan.folders].reverse()) {
    await utimes(join(local, folder.local), new Date(), new Date(folder.mtime)).catch(() => {});
  }
  return result(plan, moved, started, links);
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
  const lost = new Set<string>();
  // With keepGoing a folder that cannot be made is one failure; what it would hold is not tried.
  const keep = { ...options, mapError: (error: unknown) => error };
  for (const level of byDepth(plan.folders)) {
    await eachLimit(level, concurrencyOf(client, options), async (folder) => {
      if ([...lost].some((gone) => folder.remote.startsWith(`${gone}/`))) return;
      const path = joinRemote(remote, folder.remote);
      const made = await stepOrSkip(
        plan,
        keep,
        folder.remote,
        { step: 'mkdir', remote: path },
        () => ensureRemoteFolder(client, path, options).then(() => true),
      );
      if (made === undefined) lost.add(folder.remote);
    });
  }
  without(plan, lost);
  const moved = await transferFiles(client, 'put', jobsOf(plan, local, remote), options);
  let links = 0;
  for (const link of plan.links) {
    if ([...lost].some((gone) => link.remote.startsWith(`${gone}/`))) continue;
    const path = joinRemote(remote, link.remote);
    const made = await stepOrSkip(plan, options, link.remote, { step: 'mkdir', remote: path }, () =>
      client.symlink(path, link.target, { signal: options.signal }).then(() => true),
    );
    if (made) links++;
  }
  return result(plan, moved, started, links);
}
