// Folder trees: walks one side, creates the folders on the other, and moves the files
// several at a time on the one session (the protocol pipelines requests by id), so many
// small files do not pay a round trip each in turn.
import { mkdir, readdir, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { CftpError, checkName, type Entry } from '@cftp/protocol';
import type { CftpClient, GetOptions } from './client.js';

export interface TreeProgress {
  files: number;
  totalFiles: number;
  bytes: number;
  totalBytes: number;
  /** The file that just finished. */
  current: string;
}

export interface TreeOptions {
  signal?: AbortSignal;
  onProgress?: (progress: TreeProgress) => void;
  /** Files in flight at once (default 8; the server allows `maxInFlight`). */
  concurrency?: number;
  /** Continue interrupted files (see get/put `resume`). */
  resume?: boolean;
}

export interface TreeResult {
  files: number;
  folders: number;
  bytes: number;
  durationMs: number;
  /** Entries that are neither files nor folders (symlinks, devices), not copied. */
  skipped: string[];
}

interface Plan {
  /** Relative folder paths, parents before children ('' is the top). */
  folders: string[];
  files: { path: string; size: number; mtime: number }[];
  skipped: string[];
}

const join2 = (a: string, b: string) => (a === '' ? b : b === '' ? a : `${a}/${b}`);

/** Runs `work` over `items` with at most `limit` in flight; the first failure stops the rest. */
export async function eachLimit<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

async function planRemote(client: CftpClient, top: string, signal?: AbortSignal): Promise<Plan> {
  const plan: Plan = { folders: [''], files: [], skipped: [] };
  for (let i = 0; i < plan.folders.length; i++) {
    const folder = plan.folders[i]!;
    const entries: Entry[] = await client.list(join2(top, folder), { signal });
    for (const entry of entries) {
      const path = join2(folder, entry.name);
      if (entry.type === 'dir') plan.folders.push(path);
      else if (entry.type === 'file')
        plan.files.push({ path, size: entry.size, mtime: entry.mtime });
      else plan.skipped.push(path);
    }
  }
  return plan;
}

async function planLocal(top: string): Promise<Plan> {
  const plan: Plan = { folders: [''], files: [], skipped: [] };
  for (let i = 0; i < plan.folders.length; i++) {
    const folder = plan.folders[i]!;
    const entries = await readdir(join(top, folder), { withFileTypes: true });
    for (const entry of entries) {
      const path = join2(folder, checkName(entry.name));
      if (entry.isDirectory()) plan.folders.push(path);
      else if (entry.isFile()) plan.files.push({ path, size: 0, mtime: 0 });
      else plan.skipped.push(path);
    }
  }
  return plan;
}

function progressOf(plan: Plan, options: TreeOptions) {
  const totalBytes = plan.files.reduce((sum, f) => sum + f.size, 0);
  let files = 0;
  let bytes = 0;
  return (path: string, moved: number) => {
    files += 1;
    bytes += moved;
    options.onProgress?.({
      files,
      totalFiles: plan.files.length,
      bytes,
      totalBytes,
      current: path,
    });
  };
}

/** Downloads the remote folder `remote` into the local folder `local` (created if needed). */
export async function getTree(
  client: CftpClient,
  remote: string,
  local: string,
  options: TreeOptions = {},
): Promise<TreeResult> {
  const started = performance.now();
  const plan = await planRemote(client, remote, options.signal);
  for (const folder of plan.folders) await mkdir(join(local, folder), { recursive: true });
  const done = progressOf(plan, options);
  let bytes = 0;
  const perFile: GetOptions = { signal: options.signal, resume: options.resume };
  await eachLimit(plan.files, options.concurrency ?? 8, async (file) => {
    const result = await client.get(join2(remote, file.path), join(local, file.path), perFile);
    bytes += result.bytes;
    done(file.path, result.bytes);
  });
  // Folder times last: writing files into a folder changes its mtime.
  for (const folder of [...plan.folders].reverse()) {
    if (folder === '') continue;
    const entry = await client.stat(join2(remote, folder), { signal: options.signal });
    await utimes(join(local, folder), new Date(), new Date(entry.mtime));
  }
  return {
    files: plan.files.length,
    folders: plan.folders.length - 1,
    bytes,
    durationMs: performance.now() - started,
    skipped: plan.skipped,
  };
}

/** Uploads the local folder `local` into the remote folder `remote` (created if needed). */
export async function putTree(
  client: CftpClient,
  local: string,
  remote: string,
  options: TreeOptions = {},
): Promise<TreeResult> {
  const started = performance.now();
  const plan = await planLocal(local);
  for (const folder of plan.folders) {
    const path = join2(remote, folder);
    if (path === '') continue;
    try {
      await client.mkdir(path, { signal: options.signal });
    } catch (error) {
      // An existing folder is fine (merging into it); an existing file is not.
      if (!(error instanceof CftpError && error.code === 'EEXIST')) throw error;
      const entry = await client.stat(path, { signal: options.signal });
      if (entry.type !== 'dir') throw new CftpError('ENOTDIR', `remote "${path}" is not a folder`);
    }
  }
  const done = progressOf(plan, options);
  let bytes = 0;
  await eachLimit(plan.files, options.concurrency ?? 8, async (file) => {
    const result = await client.put(join(local, file.path), join2(remote, file.path), {
      signal: options.signal,
      resume: options.resume,
    });
    bytes += result.bytes;
    done(file.path, result.bytes);
  });
  return {
    files: plan.files.length,
    folders: plan.folders.length - 1,
    bytes,
    durationMs: performance.now() - started,
    skipped: plan.skipped,
  };
}
