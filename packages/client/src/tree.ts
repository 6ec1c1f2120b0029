// Folder trees: walks one side, creates the folders on the other, and moves the files
// several at a time on the one session (the protocol pipelines requests by id), so many
// small files do not pay a round trip each in turn.
import { lstat, mkdir, readdir, utimes } from 'node:fs/promises';
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
    const files: string[] = [];
    for (const entry of entries) {
      const path = join2(folder, checkName(entry.name));
      if (entry.isDirectory()) plan.folders.push(path);
      else if (entry.isFile()) files.push(path);
      else plan.skipped.push(path);
    }
    const sizes = await Promise.all(files.map(async (path) => (await lstat(join(top, path))).size));
    files.forEach((path, n) => {
      plan.files.push({ path, size: sizes[n]!, mtime: 0 });
    });
  }
  return plan;
}

/** Files at most this big travel in batches (§6.7) when the server offers them. */
const SMALL_FILE_BYTES = 256 * 1024;
const BATCH_FILES = 128;
const BATCH_BYTES = 8 * 1024 * 1024;

type Work = { kind: 'one'; file: PlannedFile } | { kind: 'batch'; files: PlannedFile[] };
type PlannedFile = Plan['files'][number];

/**
 * Groups small files into batches that fit a control frame, and leaves big files on their
 * own: one round trip per batch instead of per file, while big files keep their own stream.
 */
function schedule(files: readonly PlannedFile[], remoteTop: string, frameBudget: number): Work[] {
  const work: Work[] = [];
  let batch: PlannedFile[] = [];
  let bytes = 0;
  let frame = 0;
  const flush = () => {
    if (batch.length === 1) work.push({ kind: 'one', file: batch[0]! });
    else if (batch.length > 1) work.push({ kind: 'batch', files: batch });
    batch = [];
    bytes = 0;
    frame = 0;
  };
  for (const file of files) {
    if (file.size > SMALL_FILE_BYTES) {
      work.push({ kind: 'one', file });
      continue;
    }
    // Path bytes (JSON-escaped at most 6× for control characters, which paths cannot have;
    // 2× covers escaping of quotes and non-ASCII) plus the per-file fields.
    const cost = 2 * Buffer.byteLength(join2(remoteTop, file.path)) + 64;
    if (
      batch.length === BATCH_FILES ||
      bytes + file.size > BATCH_BYTES ||
      frame + cost > frameBudget
    ) {
      flush();
    }
    batch.push(file);
    bytes += file.size;
    frame += cost;
  }
  flush();
  return work;
}

function batching(client: CftpClient): number {
  const server = client.server;
  if (server === undefined || !server.features.includes('batch')) return 0;
  return Math.max(0, server.maxFrameSize - 1024);
}

function oneByOne(files: readonly PlannedFile[]): Work[] {
  return files.map((file) => ({ kind: 'one', file }));
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
  const budget = options.resume === true ? 0 : batching(client);
  const work = budget > 0 ? schedule(plan.files, remote, budget) : oneByOne(plan.files);
  await eachLimit(work, options.concurrency ?? 8, async (item) => {
    if (item.kind === 'one') {
      const { file } = item;
      const result = await client.get(join2(remote, file.path), join(local, file.path), perFile);
      bytes += result.bytes;
      done(file.path, result.bytes);
      return;
    }
    await client.getMany(
      item.files.map((file) => ({
        remote: join2(remote, file.path),
        local: join(local, file.path),
      })),
      { signal: options.signal },
    );
    for (const file of item.files) {
      bytes += file.size;
      done(file.path, file.size);
    }
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
  const budget = options.resume === true ? 0 : batching(client);
  const work = budget > 0 ? schedule(plan.files, remote, budget) : oneByOne(plan.files);
  await eachLimit(work, options.concurrency ?? 8, async (item) => {
    if (item.kind === 'one') {
      const { file } = item;
      const result = await client.put(join(local, file.path), join2(remote, file.path), {
        signal: options.signal,
        resume: options.resume,
      });
      bytes += result.bytes;
      done(file.path, result.bytes);
      return;
    }
    const result = await client.putMany(
      item.files.map((file) => ({
        local: join(local, file.path),
        remote: join2(remote, file.path),
      })),
      { signal: options.signal },
    );
    bytes += result.bytes;
    for (const file of item.files) done(file.path, file.size);
  });
  return {
    files: plan.files.length,
    folders: plan.folders.length - 1,
    bytes,
    durationMs: performance.now() - started,
    skipped: plan.skipped,
  };
}
