// -L on the server's side of a sync. The `tree` request never follows a link (§6.10), so each
// link in the server's tree is looked at as get -r -L does (tree-plan.ts followRemote): one
// that lists is a folder, read with a `tree` of its own; else a file, its size from a stat;
// a loop, a link to nothing and one leading outside the root stay links, skipped and named.
import { joinRemote } from '../files.js';
import { emptyPlan, followRemote } from '../tree-plan.js';
import type { RemoteFiles } from '../types.js';
import type { SyncEntry, SyncTree } from './plan.js';

/** Reads the server's tree below a path, as sync.ts's remoteTree does. */
export type ReadTree = (path: string) => Promise<SyncTree>;

/**
 * Replaces each symlink of `entries` (the tree below `top`) by what it leads to, and adds
 * what a folder link holds; false when a tree read on the way was incomplete.
 */
export async function followRemoteLinks(
  client: Pick<RemoteFiles, 'list' | 'stat'>,
  top: string,
  entries: Map<string, SyncEntry>,
  readTree: ReadTree,
  signal?: AbortSignal,
): Promise<boolean> {
  let complete = true;
  /** Folder links followed on the way down to each folder reached through one (loops). */
  const followed = new Map<string, number>();
  /** Each link to look at, with the followed link it was found below (`''`: none). */
  const queue = [...entries.values()]
    .filter((entry) => entry.type === 'symlink')
    .map((entry) => ({ path: entry.path, via: '' }));
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const { path, via } = next;
    const link = entries.get(path)!;
    const plan = emptyPlan();
    const entry = {
      name: path.slice(path.lastIndexOf('/') + 1),
      type: 'symlink' as const,
      size: link.size,
      mtime: link.mtime,
      ...(link.target === undefined ? {} : { target: link.target }),
    };
    await followRemote(client, top, { path, entry, followed, folder: via }, plan, [], { signal });
    const file = plan.files[0];
    if (plan.folders.length > 0) {
      entries.set(path, { path, type: 'dir', size: 0, mtime: link.mtime });
      const below = await readTree(joinRemote(top, path));
      complete &&= below.complete;
      for (const inner of below.entries.values()) {
        const at = `${path}/${inner.path}`;
        entries.set(at, { ...inner, path: at });
        if (inner.type === 'symlink') queue.push({ path: at, via: path });
      }
    } else if (file !== undefined) {
      const digest = digestInTree(entries, path, via, link.target, file.size, file.mtime);
      entries.set(path, {
        path,
        type: 'file',
        size: file.size,
        mtime: file.mtime,
        ...(digest === undefined ? {} : { digest }),
      });
    } else {
      const reason = plan.skipped[0]?.reason;
      const unfollowed = reason === 'loop' || reason === 'outside-root' ? reason : 'dangling';
      entries.set(path, { ...link, unfollowed });
    }
  }
  return complete;
}

/**
 * The digest a followed file link can take from the tree read with digests (--checksum),
 * since a link's own entry carries none: the file its relative text names, found by joining
 * that text to the link's folder, if that file is in the tree with a digest and the size and
 * mtime the server's stat through the link gave. `..` is taken only at the start of the text
 * and only for a link whose folders are real ones (`via` empty): after a folder link a
 * lexical `..` is not where the server's lookup goes. Otherwise undefined, and the planner
 * copies the file, as it must when nothing proves it unchanged.
 */
function digestInTree(
  entries: ReadonlyMap<string, SyncEntry>,
  path: string,
  via: string,
  text: string | undefined,
  size: number,
  mtime: number,
): string | undefined {
  if (text === undefined || text.startsWith('/')) return undefined;
  const parts = path.split('/').slice(0, -1);
  let descended = false;
  for (const segment of text.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (descended || via !== '' || parts.length === 0) return undefined;
      parts.pop();
    } else {
      parts.push(segment);
      descended = true;
    }
  }
  const named = entries.get(parts.join('/'));
  if (named?.type !== 'file' || named.digest === undefined) return undefined;
  if (named.size !== size || Math.trunc(named.mtime) !== Math.trunc(mtime)) return undefined;
  return named.digest;
}
