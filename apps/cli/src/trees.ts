// Walks a folder tree, local or remote, into a plan for `put -r` / `get -r`: the folders to
// create (parents first) and the files to move, with their sizes and mtimes. Symlinks and
// other special entries are counted as skipped, never followed.
import { lstat, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { localError } from './errors.js';
import { runPool } from './pool.js';
import type { RemoteFs } from './remote-fs.js';
import { remoteJoin } from './remote-path.js';

export interface TreeFile {
  /** Path below the tree's root, `/`-separated. */
  rel: string;
  size: number;
  mtime: number;
}

export interface TreeDir {
  rel: string;
  mtime: number;
}

export interface TreePlan {
  /** Every folder below the root, parents before children. */
  dirs: TreeDir[];
  files: TreeFile[];
  skipped: number;
}

const depth = (rel: string) => rel.split('/').length;

function sortPlan(plan: TreePlan): TreePlan {
  plan.dirs.sort((a, b) => depth(a.rel) - depth(b.rel) || (a.rel < b.rel ? -1 : 1));
  plan.files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return plan;
}

/** Walks the local folder `root`. */
export async function walkLocal(root: string): Promise<TreePlan> {
  const entries = await readdir(root, { withFileTypes: true, recursive: true }).catch(
    (error: unknown) => {
      throw localError(error, root);
    },
  );
  const plan: TreePlan = { dirs: [], files: [], skipped: 0 };
  await Promise.all(
    entries.map(async (entry) => {
      const path = join(entry.parentPath, entry.name);
      const rel = relative(root, path).split(sep).join('/');
      if (entry.isDirectory()) {
        const info = await lstat(path);
        plan.dirs.push({ rel, mtime: info.mtimeMs });
      } else if (entry.isFile()) {
        const info = await lstat(path).catch((error: unknown) => {
          throw localError(error, path);
        });
        plan.files.push({ rel, size: info.size, mtime: info.mtimeMs });
      } else {
        plan.skipped++;
      }
    }),
  );
  return sortPlan(plan);
}

/** Walks the remote folder `root` (a protocol path), listing up to `limit` folders at once. */
export async function walkRemote(fs: RemoteFs, root: string, limit: number): Promise<TreePlan> {
  const plan: TreePlan = { dirs: [], files: [], skipped: 0 };
  let level = [''];
  while (level.length > 0) {
    const below: string[] = [];
    await runPool(level, limit, async (rel) => {
      for (const entry of await fs.list(remoteJoin(root, rel))) {
        const childRel = remoteJoin(rel, entry.name);
        if (entry.type === 'dir') {
          plan.dirs.push({ rel: childRel, mtime: entry.mtime });
          below.push(childRel);
        } else if (entry.type === 'file') {
          plan.files.push({ rel: childRel, size: entry.size, mtime: entry.mtime });
        } else {
          plan.skipped++;
        }
      }
    });
    level = below;
  }
  return sortPlan(plan);
}

/** The local path of `rel` below `root`. */
export function localBelow(root: string, rel: string): string {
  return rel === '' ? root : join(root, ...rel.split('/'));
}

/** Folders grouped by depth: each group can be created at once, after the one before. */
export function byDepth(dirs: readonly TreeDir[]): TreeDir[][] {
  const levels = new Map<number, TreeDir[]>();
  for (const dir of dirs) {
    const d = depth(dir.rel);
    const level = levels.get(d);
    if (level === undefined) levels.set(d, [dir]);
    else level.push(dir);
  }
  return [...levels.keys()].sort((a, b) => a - b).map((d) => levels.get(d)!);
}
