// `sync`: keep a destination tree in step with a source tree, one side local and the other
// on the server, either way. Reads both trees (the server's with one `tree` request,
// docs/protocol.md §6.10), plans (plan.ts: pure), tells the caller the plan, and unless it is
// a dry run carries it out (execute.ts). Every path stays below one of the two tops: the
// server's tree is checked line by line (§6.10), the local one is walked without following
// a link.
import { CftpError, type DigestAlgorithm } from '@cftp/protocol';
import type { FilesProgress } from '../files.js';
import type { TreeListing, TreeListOptions } from '../tree-list.js';
import type { LinkMode } from '../tree-plan.js';
import type { RemoteFiles } from '../types.js';
import { type ExecuteResult, executePlan, type SyncClient } from './execute.js';
import { type FilterRule, makeIncluded, pathFilter } from './filter.js';
import { localTree } from './local-tree.js';
import {
  type PlanSummary,
  planSync,
  type SyncEntry,
  type SyncPlan,
  type SyncTree,
  summarize,
} from './plan.js';
import { followRemoteLinks } from './remote-follow.js';

export interface SyncOptions {
  /** `get`: make `local` like the server's `remote`; `put`: make `remote` like `local`. */
  direction: 'get' | 'put';
  local: string;
  /** A protocol path (`''` is the server's root). */
  remote: string;
  /** --delete: remove what the source does not have, after every copy succeeded. */
  delete?: boolean;
  /** --dry-run: plan and report, change nothing. */
  dryRun?: boolean;
  /** --checksum: compare files by digest (the server's from its cache) instead of size + mtime. */
  checksum?: boolean;
  /** -p: copied files get exactly the source's mode, and a mode change is a change. */
  preserve?: boolean;
  /** -n: never overwrite a file the destination has. */
  noClobber?: boolean;
  /** --exclude/--include, in the order given (filter.ts). */
  rules?: readonly FilterRule[];
  /**
   * Symlinks at the source: skipped and named (default), followed (-L: loops, dangling links
   * and links outside the root skipped) or recreated as links (--links: compared by their
   * text; those that stay inside the tree). get -r/put -r's rules (tree-plan.ts).
   */
  links?: LinkMode;
  signal?: AbortSignal;
  concurrency?: number;
  /** Told the plan once both trees are read, before anything changes. */
  onPlan?: (plan: SyncPlan) => void;
  onProgress?: (progress: FilesProgress) => void;
  onWarning?: (warning: CftpError) => void;
}

export interface SyncResult {
  plan: SyncPlan;
  /** What was done (for a dry run: what would be). */
  summary: PlanSummary;
  /** Bytes the copies moved (0 for a dry run). */
  bytes: number;
  durationMs: number;
  dryRun: boolean;
}

/** The client as sync uses it: the executor's needs, the tree listing and the digest. */
export interface SyncSession extends SyncClient {
  readonly digest: DigestAlgorithm;
  /** -L on the server's side: a link is listed to learn whether it leads to a folder. */
  list: RemoteFiles['list'];
  stat: RemoteFiles['stat'];
  tree(path: string, options?: TreeListOptions): TreeListing;
}

/** The server's tree below `remote`; a missing `remote` is empty when it is the destination. */
export async function remoteTree(
  client: SyncSession,
  remote: string,
  options: { digest?: boolean; signal?: AbortSignal; follow?: boolean },
  missingOk: boolean,
): Promise<SyncTree> {
  const entries = new Map<string, SyncEntry>();
  const listing = client.tree(remote, {
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.digest === true ? { digest: true } : {}),
  });
  try {
    for await (const entry of listing) entries.set(entry.path, entry);
  } catch (error) {
    if (missingOk && error instanceof CftpError && error.code === 'ENOENT' && entries.size === 0) {
      return { entries, complete: true };
    }
    throw error;
  }
  if (options.follow !== true) return { entries, complete: listing.complete };
  const below = { ...options, follow: false };
  const whole = await followRemoteLinks(
    client,
    remote,
    entries,
    (path) => remoteTree(client, path, below, false),
    options.signal,
  );
  return { entries, complete: listing.complete && whole };
}

export async function sync(client: SyncSession, options: SyncOptions): Promise<SyncResult> {
  const started = performance.now();
  const filter = pathFilter(options.rules ?? []);
  const included = makeIncluded(filter);
  const { signal } = options;
  const checksum = options.checksum === true;
  const links = options.links ?? 'skip';
  // -L reads the source through its links; the destination's links are entries (with their
  // text under --links, to compare).
  const followAt = (side: 'get' | 'put') => links === 'follow' && options.direction === side;
  const localLinks = links === 'follow' && !followAt('put') ? 'skip' : links;
  const local = localTree(
    options.local,
    {
      ...(checksum ? { digest: client.digest } : {}),
      links: localLinks,
      enter: (path) => included(path, true),
      ...(signal === undefined ? {} : { signal }),
      ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
    },
    options.direction === 'get',
  );
  const remote = remoteTree(
    client,
    options.remote,
    { digest: checksum, follow: followAt('get'), ...(signal === undefined ? {} : { signal }) },
    options.direction === 'put',
  );
  // Both read at once; a failure of either is thrown once both have settled.
  const [localRead, remoteRead] = await Promise.allSettled([local, remote]);
  if (localRead.status === 'rejected') throw localRead.reason;
  if (remoteRead.status === 'rejected') throw remoteRead.reason;
  const localSide = localRead.value;
  const remoteSide = remoteRead.value;
  const [source, target] =
    options.direction === 'get' ? [remoteSide, localSide] : [localSide, remoteSide];
  const plan = planSync(source, target, {
    ...(options.delete === true ? { delete: true } : {}),
    checksum,
    ...(options.preserve === true ? { preserve: true } : {}),
    ...(options.noClobber === true ? { noClobber: true } : {}),
    filter,
    links,
  });
  if (plan.deleteRefused !== undefined) {
    options.onWarning?.(new CftpError('EIO', `--delete refused: ${plan.deleteRefused}`));
  }
  options.onPlan?.(plan);
  const dryRun = options.dryRun === true;
  if (dryRun) {
    return {
      plan,
      summary: summarize(plan),
      bytes: 0,
      durationMs: performance.now() - started,
      dryRun,
    };
  }
  const done: ExecuteResult = await executePlan(client, plan, {
    direction: options.direction,
    local: options.local,
    remote: options.remote,
    ...(options.preserve === true ? { preserve: true } : {}),
    ...(signal === undefined ? {} : { signal }),
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
  });
  const summary = summarize(plan);
  summary.deleted = done.deleted;
  // Links the server could not take (no `links` feature): not made, so skipped, not counted.
  for (const item of done.linksSkipped) {
    if (item.action === 'create') summary.created--;
    else summary.updated--;
    const target = item.source?.target;
    plan.skipped.push({
      path: item.path,
      reason: 'symlink',
      ...(target === undefined ? {} : { target }),
    });
  }
  return { plan, summary, bytes: done.bytes, durationMs: performance.now() - started, dryRun };
}
