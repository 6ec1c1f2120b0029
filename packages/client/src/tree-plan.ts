// Walking a folder tree into a plan of folders and files, on either side (tree.ts moves
// them). Symlinks and special entries are not copied: they are listed as skipped, a link with
// its text. With `keepGoing` a folder or entry that cannot be read is left out (one failure
// each, its contents with it) and the walk goes on; only the top must be readable.
import type { Stats } from 'node:fs';
import { lstat, readdir, readlink, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CftpError, type Entry, linkDestination } from '@cftp/protocol';
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

/**
 * What a tree copy does with symlinks: `skip` them (named in `skipped`, the default),
 * `follow` them (-L: copy what they lead to; a folder link that leads back to a folder that
 * holds it is skipped as a loop), or `recreate` them as links (--links, feature `links`
 * remotely: only those that stay inside the copied tree).
 */
export type LinkMode = 'skip' | 'follow' | 'recreate';

export interface PlanOptions extends FilesOptions {
  /** Told the number of folders walked so far while the tree is scanned, before any file moves. */
  onScan?: (folders: number) => void;
  /** Symlinks: skipped (default), followed (-L) or recreated as links (--links). */
  links?: LinkMode;
}

/** Most folder links followed on one path down a remote tree: a loop the text cannot show. */
const MAX_FOLLOWED = 16;

/** An entry that is neither a file nor a folder, not copied: a link (with its text) or other. */
export interface SkippedEntry {
  /** Its path below the top of the tree, `/`-separated. */
  name: string;
  type: 'symlink' | 'other';
  /** A symlink's own text, when known (always locally; remotely with the `links` feature). */
  target?: string;
  /**
   * Why a link was not followed or recreated: it leads back to a folder that holds it (-L),
   * to nothing (-L), outside the copied tree (--links) or outside the server's root (-L).
   */
  reason?: 'loop' | 'dangling' | 'outside-tree' | 'outside-root';
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
  /** Symlinks to make on the other side (`recreate`), each with its text. */
  links: (Place & { target: string })[];
}

export const emptyPlan = (): Plan => ({
  folders: [],
  files: [],
  skipped: [],
  failed: [],
  links: [],
});

/** A skipped link as the plan lists it. */
function skippedLink(
  name: string,
  target: string | undefined,
  reason?: SkippedEntry['reason'],
): SkippedEntry {
  return {
    name,
    type: 'symlink',
    ...(target === undefined ? {} : { target }),
    ...(reason === undefined ? {} : { reason }),
  };
}

/**
 * A link's text climbs (`..`) only before its first name: `../a/b`, never `a/../b`. Read
 * lexically, `up/..` stays inside the tree, but if `up` is itself a link (`up -> ..`) it
 * leads out; with every `..` first, each climbs from the link's own (real) folder.
 */
function climbsFirst(target: string): boolean {
  const segments = target.split('/').filter((segment) => segment !== '' && segment !== '.');
  const firstName = segments.findIndex((segment) => segment !== '..');
  return firstName === -1 || !segments.slice(firstName).includes('..');
}

/**
 * --links: whether the link at `path` (below the top of the copied tree) holding `target`
 * stays inside that tree, so that it may be made on the other side (sync uses it too).
 */
export function linkStaysInside(path: string, target: string | undefined): target is string {
  return target !== undefined && linkDestination(path, target) !== undefined && climbsFirst(target);
}

/** --links: a link is made on the other side only if its text stays inside the tree. */
function recreateOrSkip(plan: Plan, place: Place, target: string | undefined): void {
  if (linkStaysInside(place.remote, target)) {
    plan.links.push({ ...place, target });
  } else plan.skipped.push(skippedLink(place.local, target, 'outside-tree'));
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
  plan.links.sort((a, b) => (a.remote < b.remote ? -1 : 1));
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
  const plan = emptyPlan();
  const unlisted = new Set<string>();
  /** Folder links followed on the way down to each folder reached through one (-L). */
  const followed = new Map<string, number>();
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
      for (const entry of entries) {
        const path = joinRemote(folder, entry.name);
        if (entry.type === 'symlink' && options.links === 'follow') {
          await followRemote(client, top, { path, entry, followed, folder }, plan, below, options);
        } else if (entry.type === 'symlink' && options.links === 'recreate') {
          recreateOrSkip(plan, { local: path, remote: path }, entry.target);
        } else addRemote(plan, below, folder, entry);
        // A folder below a followed link counts the links on its way down too.
        const way = followed.get(folder);
        if (entry.type === 'dir' && way !== undefined) followed.set(path, way);
      }
    });
    level = below;
  }
  // A folder that could not be listed is not created either: it stays a failure, not empty.
  plan.folders = plan.folders.filter((folder) => !unlisted.has(folder.remote));
  return sorted(plan);
}

/**
 * -L on a remote link: listed as a folder it is one (unless it leads back to a folder that
 * holds it: a loop); otherwise a file; a link to nothing, or outside the server's root, is
 * skipped.
 */
export async function followRemote(
  client: Pick<RemoteFiles, 'list' | 'stat'>,
  top: string,
  link: { path: string; entry: Entry; followed: Map<string, number>; folder: string },
  plan: Plan,
  below: string[],
  options: PlanOptions,
): Promise<void> {
  const { path, entry, followed, folder } = link;
  const whole = joinRemote(top, path);
  const depth = (followed.get(folder) ?? 0) + 1;
  const leads = entry.target === undefined ? undefined : linkDestination(whole, entry.target);
  const holds = leads !== undefined && (leads === '' || `${whole}/`.startsWith(`${leads}/`));
  if (holds || depth > MAX_FOLLOWED) {
    plan.skipped.push(skippedLink(path, entry.target, 'loop'));
    return;
  }
  try {
    await client.list(whole, { signal: options.signal });
    plan.folders.push({ local: path, remote: path, mtime: entry.mtime });
    followed.set(path, depth);
    below.push(path);
  } catch (error) {
    const code = error instanceof CftpError ? error.code : undefined;
    if (code === 'ENOTDIR') {
      // A file: its size and mtime from where the text leads, when that is known and a file
      // (progress totals, -c); else learnt when it moves.
      const there =
        leads === undefined ? undefined : await client.stat(leads).catch(() => undefined);
      const known = there?.type === 'file' ? { size: there.size, mtime: there.mtime } : undefined;
      plan.files.push({ local: path, remote: path, ...(known ?? { size: 0, mtime: 0 }) });
    } else if (code === 'ENOENT' || code === 'EACCES') {
      const reason = code === 'ENOENT' ? 'dangling' : 'outside-root';
      plan.skipped.push(skippedLink(path, entry.target, reason));
    } else throw failure(options, error, { step: 'list', remote: whole });
  }
}

function addRemote(plan: Plan, below: string[], folder: string, entry: Entry): void {
  const path = joinRemote(folder, entry.name);
  const place = { local: path, remote: path, mtime: entry.mtime };
  if (entry.type === 'dir') {
    plan.folders.push(place);
    below.push(path);
  } else if (entry.type === 'file') {
    plan.files.push({ ...place, size: entry.size });
  } else if (entry.type === 'symlink') {
    plan.skipped.push(skippedLink(path, entry.target));
  } else plan.skipped.push({ name: path, type: 'other' });
}

/** A local folder to walk, with the real paths of the folders that hold it (-L loops). */
interface Pending extends Place {
  chain: readonly string[];
}

/** Walks the local folder `top`, with each file's size and mtime. */
export async function planLocal(top: string, options: PlanOptions): Promise<Plan> {
  const plan = emptyPlan();
  const unread = new Set<string>();
  let scanned = 0;
  const topReal = options.links === 'follow' ? await realpath(top).catch(() => top) : top;
  const pending: Pending[] = [{ local: '', remote: '', chain: [topReal] }];
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
    const real = folder.chain.at(-1)!;
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
          pending.push({ ...place, chain: [...folder.chain, join(real, entry.name)] });
        } else if (entry.isFile()) {
          // A file that vanished since the folder was read is a failure of its own.
          const info = await stepOrSkip(plan, options, place.local, local, () => lstat(path));
          if (info === undefined) return;
          plan.files.push({ ...place, size: info.size, mtime: Math.trunc(info.mtimeMs) });
        } else if (entry.isSymbolicLink()) {
          const target = await readlink(path).catch(() => undefined);
          if (options.links === 'recreate') recreateOrSkip(plan, place, target);
          else if (options.links === 'follow') {
            await followLocal(plan, pending, { ...place, chain: folder.chain }, path, target);
          } else plan.skipped.push(skippedLink(place.local, target));
        } else plan.skipped.push({ name: place.local, type: 'other' });
      }),
    );
  }
  // A folder that could not be read is not created either: it stays a failure, not empty.
  plan.folders = plan.folders.filter((folder) => !unread.has(folder.remote));
  return sorted(plan);
}

/** What a local link leads to under -L (sync follows links with the same rule). */
export type FollowedLocal =
  | { kind: 'dangling' | 'loop' | 'other' }
  | { kind: 'file'; info: Stats }
  | { kind: 'dir'; info: Stats; real: string };

/**
 * -L on the local link at `path`: what it leads to; a folder that is one of `chain` (the
 * real paths of the folders that hold the link) is a loop.
 */
export async function followLocalLink(
  path: string,
  chain: readonly string[],
): Promise<FollowedLocal> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) return { kind: 'dangling' };
  if (info.isFile()) return { kind: 'file', info };
  if (!info.isDirectory()) return { kind: 'other' };
  const real = await realpath(path).catch(() => path);
  return chain.includes(real) ? { kind: 'loop' } : { kind: 'dir', info, real };
}

/** -L on a local link: what it leads to, a folder walked unless it holds the link (a loop). */
async function followLocal(
  plan: Plan,
  pending: Pending[],
  place: Pending,
  path: string,
  target: string | undefined,
): Promise<void> {
  const led = await followLocalLink(path, place.chain);
  if (led.kind === 'dangling' || led.kind === 'loop') {
    plan.skipped.push(skippedLink(place.local, target, led.kind));
  } else if (led.kind === 'file') {
    plan.files.push({ ...place, size: led.info.size, mtime: Math.trunc(led.info.mtimeMs) });
  } else if (led.kind === 'dir') {
    plan.folders.push({ local: place.local, remote: place.remote, mtime: 0 });
    pending.push({ ...place, chain: [...place.chain, led.real] });
  } else plan.skipped.push({ name: place.local, type: 'other' });
}
