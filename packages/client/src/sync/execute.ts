// The sync executor: carries out a plan (plan.ts) with the client's existing paths, so each
// file lands as every transfer does (a partial file, verified, renamed into place, §8) and
// several move at once, small ones in batches (files.ts). Phase 2, the deletes, runs only
// after every copy of phase 1 succeeded, and only on the destination: a failure anywhere
// in phase 1 throws before anything is removed.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rmdir, stat, symlink, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CftpError, LINKS_FEATURE, tempName } from '@cftp/protocol';
import { localIoError } from '@cftp/transfer';
import type { FilesOptions } from '../files.js';
import {
  eachLimit,
  type FileItem,
  type FilesProgress,
  type FilesResult,
  joinRemote,
} from '../files.js';
import type { OperationOptions, ServerInfo } from '../types.js';
import type { PlanItem, SyncPlan } from './plan.js';

/** What sync needs of the client (CftpClient has all of it). */
export interface SyncClient {
  readonly server: ServerInfo | undefined;
  mkdir(path: string, options?: OperationOptions): Promise<void>;
  rmdir(path: string, options?: OperationOptions): Promise<void>;
  delete(path: string, options?: OperationOptions): Promise<void>;
  stat(path: string, options?: OperationOptions): Promise<{ type: string }>;
  symlink(path: string, target: string, options?: OperationOptions): Promise<void>;
  getFiles(items: readonly FileItem[], options?: FilesOptions): Promise<FilesResult>;
  putFiles(items: readonly FileItem[], options?: FilesOptions): Promise<FilesResult>;
}

export interface ExecuteOptions {
  /** `get`: the server's tree onto the local one; `put`: the local tree onto the server's. */
  direction: 'get' | 'put';
  local: string;
  remote: string;
  /** -p: every copied file gets exactly its source's mode (§6.8). */
  preserve?: boolean;
  signal?: AbortSignal;
  concurrency?: number;
  onProgress?: (progress: FilesProgress) => void;
  /** Told of what did not stop the sync: a folder left because it was not empty. */
  onWarning?: (warning: CftpError) => void;
}

export interface ExecuteResult {
  /** Bytes moved by the copies. */
  bytes: number;
  files: number;
  /** Entries removed in phase 2. */
  deleted: number;
  /** Symlinks made or remade (--links). */
  links: number;
  /** --links onto a server without the `links` feature: the links not made (each warned of). */
  linksSkipped: PlanItem[];
  /** Folders phase 2 could not remove because they still hold something (excluded entries). */
  keptFolders: number;
}

/** The destination side's operations, for one direction. */
interface Destination {
  ensureRoot(): Promise<void>;
  mkdir(item: PlanItem): Promise<void>;
  copy(items: readonly PlanItem[]): Promise<FilesResult>;
  /** Makes the link `item` (replacing the one there for an update); false: not made. */
  link(item: PlanItem): Promise<boolean>;
  remove(item: PlanItem): Promise<void>;
}

const isCode = (error: unknown, ...codes: string[]) =>
  (error instanceof CftpError || error instanceof Error) &&
  codes.includes((error as { code?: string }).code ?? '');

function localDestination(client: SyncClient, options: ExecuteOptions): Destination {
  const at = (item: PlanItem) => join(options.local, item.target?.local ?? item.path);
  return {
    async ensureRoot() {
      await mkdir(options.local, { recursive: true }).catch((error: unknown) => {
        throw localIoError(error, options.local, 'creating');
      });
    },
    async mkdir(item) {
      const path = at(item);
      try {
        await mkdir(path);
      } catch (error) {
        // Another sync into the same folder may have made it; a folder is all we need.
        if (isCode(error, 'EEXIST') && (await stat(path)).isDirectory()) return;
        throw localIoError(error, path, 'creating');
      }
    },
    copy(items) {
      const files = items.map((item) => ({
        local: at(item),
        remote: joinRemote(options.remote, item.path),
        size: item.source!.size,
        mtime: item.source!.mtime,
      }));
      // resume: a sync killed mid-file left a partial; the next run continues it (§6.2).
      return client.getFiles(files, { ...common(options), resume: true });
    },
    async link(item) {
      const path = at(item);
      // Made under a temporary name (§8: never part of a tree) and renamed over the name:
      // a link there is replaced at once, and an interrupted sync leaves no half state.
      const temp = join(dirname(path), tempName(basename(path), randomBytes(8).toString('hex')));
      try {
        await symlink(item.source!.target!, temp);
        await rename(temp, path);
      } catch (error) {
        await unlink(temp).catch(() => {});
        throw localIoError(error, path, 'creating');
      }
      return true;
    },
    async remove(item) {
      const path = at(item);
      try {
        if (item.type === 'dir') await rmdir(path);
        else await unlink(path);
      } catch (error) {
        if (isCode(error, 'ENOENT')) return; // gone already: the goal is met
        throw localIoError(error, path, 'writing');
      }
    },
  };
}

function remoteDestination(client: SyncClient, options: ExecuteOptions): Destination {
  const at = (item: PlanItem) => joinRemote(options.remote, item.path);
  const { signal } = options;
  const ensure = async (path: string) => {
    try {
      await client.mkdir(path, { signal });
    } catch (error) {
      if (!isCode(error, 'EEXIST')) throw error;
      const entry = await client.stat(path, { signal });
      if (entry.type !== 'dir')
        throw new CftpError('ENOTDIR', `remote "${path}" is not a folder`, { path });
    }
  };
  const remove = async (item: PlanItem) => {
    try {
      if (item.type === 'dir') await client.rmdir(at(item), { signal });
      else await client.delete(at(item), { signal });
    } catch (error) {
      if (isCode(error, 'ENOENT')) return;
      throw error;
    }
  };
  return {
    async ensureRoot() {
      const segments = options.remote.split('/').filter((s) => s !== '' && s !== '.');
      for (let i = 1; i <= segments.length; i++) await ensure(segments.slice(0, i).join('/'));
    },
    mkdir: (item) => ensure(at(item)),
    copy(items) {
      const files = items.map((item) => ({
        local: join(options.local, item.source!.local ?? item.path),
        remote: at(item),
        size: item.source!.size,
        mtime: item.source!.mtime,
      }));
      return client.putFiles(files, common(options));
    },
    async link(item) {
      if (client.server?.features.includes(LINKS_FEATURE) !== true) {
        options.onWarning?.(
          new CftpError(
            'EACCES',
            `skipped symlink ${item.path} -> ${item.source!.target}: the server does not offer symlinks`,
            { path: item.path },
          ),
        );
        return false;
      }
      // The server never replaces a name (§6.9): the old link goes first.
      if (item.action === 'update') await remove({ ...item, type: 'symlink' });
      await client.symlink(at(item), item.source!.target!, { signal });
      return true;
    },
    remove,
  };
}

function common(options: ExecuteOptions): FilesOptions {
  return {
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    exactMode: options.preserve === true,
  };
}

/**
 * Folders (parents first, one level at a time), then every file of `items` in one call, then
 * the links (--links).
 */
async function copyPhase(destination: Destination, items: readonly PlanItem[], lanes: number) {
  const folders = items.filter((item) => item.type === 'dir');
  const depth = (item: PlanItem) => item.path.split('/').length;
  for (let d = 1; folders.some((f) => depth(f) >= d); d++) {
    await eachLimit(
      folders.filter((f) => depth(f) === d),
      lanes,
      (folder) => destination.mkdir(folder),
    );
  }
  const files = items.filter((item) => item.type === 'file');
  const moved = files.length === 0 ? { bytes: 0, files: 0 } : await destination.copy(files);
  let links = 0;
  const linksSkipped: PlanItem[] = [];
  await eachLimit(
    items.filter((item) => item.type === 'symlink'),
    lanes,
    async (item) => {
      if (await destination.link(item)) links++;
      else linksSkipped.push(item);
    },
  );
  return { bytes: moved.bytes, files: moved.files, links, linksSkipped };
}

/** Runs `plan`: copies, then (with deletes planned and allowed) removals, then the rest. */
export async function executePlan(
  client: SyncClient,
  plan: SyncPlan,
  options: ExecuteOptions,
): Promise<ExecuteResult> {
  const destination =
    options.direction === 'get'
      ? localDestination(client, options)
      : remoteDestination(client, options);
  const lanes = Math.max(1, options.concurrency ?? 8);
  await destination.ensureRoot();
  const first = await copyPhase(destination, plan.copy, lanes);
  const result: ExecuteResult = {
    bytes: first.bytes,
    files: first.files,
    deleted: 0,
    keptFolders: 0,
    links: first.links,
    linksSkipped: first.linksSkipped,
  };
  if (plan.deleteRefused !== undefined || plan.remove.length === 0) return result;
  // Phase 2: every copy succeeded (a failure threw above). Files first, then folders deepest
  // first, each level after the one below it.
  const files = plan.remove.filter((item) => item.type !== 'dir');
  await eachLimit(files, lanes, (item) => destination.remove(item));
  result.deleted += files.length;
  for (const folder of plan.remove.filter((item) => item.type === 'dir')) {
    try {
      await destination.remove(folder);
      result.deleted++;
    } catch (error) {
      if (!isCode(error, 'ENOTEMPTY', 'EEXIST')) throw error;
      // Something the sync does not touch is inside (an excluded entry): the folder stays.
      result.keptFolders++;
      options.onWarning?.(
        new CftpError('ENOTEMPTY', `kept folder "${folder.path}": it holds excluded entries`, {
          path: folder.path,
        }),
      );
    }
  }
  const last = await copyPhase(destination, plan.after, lanes);
  result.bytes += last.bytes;
  result.files += last.files;
  result.links += last.links;
  result.linksSkipped.push(...last.linksSkipped);
  return result;
}
