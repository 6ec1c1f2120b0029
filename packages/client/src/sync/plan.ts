// The sync planner: two trees and the flags in, the plan out (what `cftp sync --dry-run`
// prints, and what the executor does). Pure: no file system, no network, so a property test
// can check that applying a plan makes the destination equal the source and that a second
// plan is empty.
//
// The plan runs in three phases, so that nothing is deleted before every copy succeeded:
// 1. `copy`: folders to create (parents first) and files to create or update;
// 2. `remove`: with --delete only, destination entries the source does not have (files
//    first, then folders, deepest first), and the ones in the way of a source entry of
//    another type (a folder where the source has a file, or the reverse);
// 3. `after`: what goes where phase 2 made room.
import type { EntryType } from '@cftp/protocol';
import { type LinkMode, linkStaysInside } from '../tree-plan.js';
import { makeIncluded, type PathFilter } from './filter.js';

/** One entry of a tree, named by its path below the top (NFC, `/`-separated). */
export interface SyncEntry {
  path: string;
  type: EntryType;
  size: number;
  mtime: number;
  mode?: number;
  /** The file's digest in the session's algorithm, when the tree was read with digests. */
  digest?: string;
  /** The entry's path below the top as the local disk spells it, when it is not `path`. */
  local?: string;
  /** A symlink's own text, when known (always locally; remotely with the `links` feature). */
  target?: string;
  /** -L: a symlink that was not followed, and why (it is skipped, named). */
  unfollowed?: 'loop' | 'dangling' | 'outside-root';
}

export interface SyncTree {
  entries: ReadonlyMap<string, SyncEntry>;
  /** False when entries were left out (unreadable, bounds): nothing is deleted on its word. */
  complete: boolean;
}

export type SyncAction = 'create' | 'update' | 'delete' | 'unchanged';
/**
 * Why: `missing` (not at the destination for a create, not at the source for a delete),
 * `size`, `mtime`, `digest`, `mode` (with -p), `type` (an entry of another type is in the way),
 * `target` (--links: a link whose text differs), `same` (unchanged).
 */
export type SyncReason =
  | 'missing'
  | 'size'
  | 'mtime'
  | 'digest'
  | 'mode'
  | 'type'
  | 'target'
  | 'same';

export interface PlanItem {
  action: SyncAction;
  path: string;
  reason: SyncReason;
  type: EntryType;
  /** Bytes a create or update moves (0 for folders and deletes). */
  bytes: number;
  /** The source entry, for a create or an update. */
  source?: SyncEntry;
  /** The destination entry, for an update, a delete or an unchanged file. */
  target?: SyncEntry;
}

/** What the sync leaves alone, and why: a symlink or special file, or a type conflict. */
export interface SyncSkip {
  path: string;
  /**
   * `exists`: -n, the destination has the file and it is never overwritten. A link under -L
   * that leads to a folder holding it (`loop`), to nothing (`dangling`) or outside the server's
   * root (`outside-root`); under --links one that leads outside the tree (`outside-tree`).
   */
  reason:
    | 'symlink'
    | 'other'
    | 'type'
    | 'exists'
    | 'loop'
    | 'dangling'
    | 'outside-root'
    | 'outside-tree';
  /** A skipped symlink's text, when known. */
  target?: string;
}

export interface SyncPlan {
  copy: PlanItem[];
  remove: PlanItem[];
  after: PlanItem[];
  unchanged: PlanItem[];
  skipped: SyncSkip[];
  /** Set when --delete was asked but cannot run: the source tree was incomplete. */
  deleteRefused?: string;
}

export interface PlanOptions {
  /** --delete: remove what the source does not have (phase 2). */
  delete?: boolean;
  /** --checksum: compare files by digest instead of size and mtime. */
  checksum?: boolean;
  /** -p: a file whose mode differs is updated (the copy gives it the source's mode). */
  preserve?: boolean;
  /** --exclude/--include (filter.ts); excluded entries are neither copied nor deleted. */
  filter?: PathFilter;
  /** -n: never overwrite; a file the destination has is left as it is (skipped: `exists`). */
  noClobber?: boolean;
  /**
   * Symlinks at the source: skipped (default); `recreate` (--links): compared by their text
   * and made as links, those that stay inside the tree; `follow` (-L): the trees were read
   * through them, so a link still in the source tree is one that could not be followed.
   */
  links?: LinkMode;
}

const byPath = (a: { path: string }, b: { path: string }) =>
  a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
const depthOf = (path: string) => path.split('/').length;
const parentOf = (path: string) => path.slice(0, Math.max(0, path.lastIndexOf('/')));

/** Why a file must be copied over an existing one, or undefined when it is unchanged. */
function fileChange(
  source: SyncEntry,
  target: SyncEntry,
  options: PlanOptions,
): SyncReason | undefined {
  if (source.size !== target.size) return 'size';
  if (options.checksum === true) {
    // Without both digests nothing proves them equal (a server without `tree`): copy.
    if (source.digest === undefined || source.digest !== target.digest) return 'digest';
  } else if (Math.trunc(source.mtime) !== Math.trunc(target.mtime)) return 'mtime';
  if (
    options.preserve === true &&
    source.mode !== undefined &&
    target.mode !== undefined &&
    source.mode !== target.mode
  ) {
    return 'mode';
  }
  return undefined;
}

/** Why a source entry is not synced (a link or special file), or undefined when it is. */
function leftAlone(entry: SyncEntry, links: LinkMode | undefined): SyncSkip | undefined {
  if (entry.type === 'other') return { path: entry.path, reason: 'other' };
  if (entry.type !== 'symlink') return undefined;
  const text = entry.target === undefined ? {} : { target: entry.target };
  if (entry.unfollowed !== undefined)
    return { path: entry.path, reason: entry.unfollowed, ...text };
  // Without its text (a server without `links`) a link cannot be made: skipped as by default.
  if (links !== 'recreate' || entry.target === undefined) {
    return { path: entry.path, reason: 'symlink', ...text };
  }
  // The same rule as get -r/put -r --links (tree-plan.ts).
  if (linkStaysInside(entry.path, entry.target)) return undefined;
  return { path: entry.path, reason: 'outside-tree', ...text };
}

/** Plans a sync of `source` onto `target` (see the phases above). */
export function planSync(source: SyncTree, target: SyncTree, options: PlanOptions = {}): SyncPlan {
  const included = makeIncluded(options.filter ?? (() => true));
  const takes = (entry: SyncEntry) => included(entry.path, entry.type === 'dir');
  const plan: SyncPlan = { copy: [], remove: [], after: [], unchanged: [], skipped: [] };
  const deleting = options.delete === true;
  /** Source paths whose content cannot go in phase 1: the destination has a non-folder there. */
  const blocked = new Set<string>();
  /** Of those, the ones phase 2 clears (with --delete): their content goes in phase 3. */
  const cleared = new Set<string>();
  /** Destination paths removed in phase 2 because a source entry of another type is there. */
  const inTheWay = new Set<string>();

  const underBlocked = (path: string): string | undefined => {
    for (let p = parentOf(path); p !== ''; p = parentOf(p)) if (blocked.has(p)) return p;
    return undefined;
  };

  for (const entry of [...source.entries.values()].sort(byPath)) {
    if (!takes(entry)) continue;
    const skip = leftAlone(entry, options.links);
    if (skip !== undefined) {
      plan.skipped.push(skip);
      continue;
    }
    const blocker = underBlocked(entry.path);
    if (blocker !== undefined && !cleared.has(blocker)) continue; // skipped with its folder
    const phase = blocker === undefined ? plan.copy : plan.after;
    const there = blocker === undefined ? target.entries.get(entry.path) : undefined;
    const bytes = entry.type === 'file' ? entry.size : 0;
    if (there === undefined) {
      phase.push({
        action: 'create',
        path: entry.path,
        reason: 'missing',
        type: entry.type,
        bytes,
        source: entry,
      });
      continue;
    }
    if (there.type === entry.type) {
      if (entry.type === 'dir') continue; // folders are there or not; nothing to compare
      const reason =
        entry.type === 'symlink'
          ? entry.target === there.target
            ? undefined
            : 'target'
          : fileChange(entry, there, options);
      if (reason !== undefined && options.noClobber === true) {
        plan.skipped.push({ path: entry.path, reason: 'exists' });
      } else if (reason === undefined) {
        plan.unchanged.push({
          action: 'unchanged',
          path: entry.path,
          reason: 'same',
          type: entry.type,
          bytes: 0,
          target: there,
        });
      } else {
        phase.push({
          action: 'update',
          path: entry.path,
          reason,
          type: entry.type,
          bytes,
          source: entry,
          target: there,
        });
      }
      continue;
    }
    // Another type is in the way: it goes in phase 2 (with --delete), the entry in phase 3.
    if (entry.type === 'dir') blocked.add(entry.path);
    if (!deleting || options.noClobber === true) {
      plan.skipped.push({ path: entry.path, reason: 'type' });
      continue;
    }
    if (entry.type === 'dir') cleared.add(entry.path);
    inTheWay.add(entry.path);
    plan.after.push({
      action: 'update',
      path: entry.path,
      reason: 'type',
      type: entry.type,
      bytes,
      source: entry,
      target: there,
    });
  }

  if (!deleting) return plan;
  if (!source.complete) {
    plan.deleteRefused =
      'the source tree is incomplete (entries were left out), so nothing is deleted';
    // Still make room for the entries of another type? No: that is a delete too.
    plan.after = [];
    for (const path of inTheWay) plan.skipped.push({ path, reason: 'type' });
    return plan;
  }
  /** The source entry at `path` or above it that decides the fate of a destination entry. */
  const decides = (path: string): SyncEntry | undefined => {
    for (let p = path; p !== ''; p = parentOf(p)) {
      const entry = source.entries.get(p);
      if (entry !== undefined) return entry;
    }
    return undefined;
  };
  const files: PlanItem[] = [];
  const folders: PlanItem[] = [];
  /** Folders that hold something the sync must not touch: they cannot be removed. */
  const keep = new Set<string>();
  const protect = (path: string) => {
    for (let p = parentOf(path); p !== '' && !keep.has(p); p = parentOf(p)) keep.add(p);
  };
  for (const entry of [...target.entries.values()].sort(byPath)) {
    if (!takes(entry)) {
      // Excluded entries are protected (rsync's default), and so are their folders.
      keep.add(entry.path);
      protect(entry.path);
      continue;
    }
    const own = source.entries.get(entry.path);
    let reason: SyncReason;
    if (own !== undefined && takes(own)) {
      if (!inTheWay.has(entry.path)) continue;
      reason = 'type';
    } else {
      // Not at the source (or excluded there, as a folder-only rule does): judged by the
      // nearest source entry above. Below a source link or special file: not ours to judge.
      const above = decides(parentOf(entry.path));
      if (above !== undefined && above.type !== 'dir' && !inTheWay.has(above.path)) {
        protect(entry.path);
        continue;
      }
      reason = 'missing';
    }
    const item: PlanItem = {
      action: 'delete',
      path: entry.path,
      reason,
      type: entry.type,
      bytes: 0,
      target: entry,
    };
    (entry.type === 'dir' ? folders : files).push(item);
  }
  // Something protected in the way of a source entry (or holding such): it stays, and the
  // source entry is not copied.
  for (const path of inTheWay) {
    if (!keep.has(path)) continue;
    plan.after = plan.after.filter((item) => item.path !== path);
    plan.skipped.push({ path, reason: 'type' });
  }
  const removable = folders.filter((item) => !keep.has(item.path));
  removable.sort((a, b) => depthOf(b.path) - depthOf(a.path) || byPath(a, b));
  plan.remove = [...files, ...removable];
  return plan;
}

/** Every item of a plan in the order it runs (the unchanged ones last), for output. */
export function planItems(plan: SyncPlan): PlanItem[] {
  return [...plan.copy, ...plan.remove, ...plan.after, ...plan.unchanged];
}

export interface PlanSummary {
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
  /** Bytes the copies move. */
  bytes: number;
}

export function summarize(
  plan: SyncPlan,
  withDeletes = plan.deleteRefused === undefined,
): PlanSummary {
  const summary: PlanSummary = {
    created: 0,
    updated: 0,
    deleted: 0,
    unchanged: plan.unchanged.length,
    bytes: 0,
  };
  for (const item of [...plan.copy, ...plan.after]) {
    if (item.action === 'create') summary.created++;
    else summary.updated++;
    summary.bytes += item.bytes;
  }
  if (withDeletes) summary.deleted = plan.remove.length;
  return summary;
}
