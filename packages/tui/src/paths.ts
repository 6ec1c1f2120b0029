// Paths on both sides. Remote paths are '/'-separated and relative to the server's root
// ('' is the root, docs/protocol.md §9); local paths are the platform's absolute paths.
import { basename, dirname, join } from 'node:path';

export type Side = 'local' | 'remote';

export function otherSide(side: Side): Side {
  return side === 'local' ? 'remote' : 'local';
}

/** `photos` + `a.jpg` → `photos/a.jpg`; `''` + `a.jpg` → `a.jpg`. */
export function remoteJoin(folder: string, name: string): string {
  return folder === '' ? name : `${folder}/${name}`;
}

/** The folder above a remote path (`a/b` → `a`, `a` → `''`); the root has none. */
export function remoteParent(path: string): string | undefined {
  if (path === '') return undefined;
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

export function remoteBase(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** How a remote folder is shown: `/` for the root, `/photos/2026` below it. */
export function remoteDisplay(path: string): string {
  return `/${path}`;
}

export function joinPath(side: Side, folder: string, name: string): string {
  return side === 'remote' ? remoteJoin(folder, name) : join(folder, name);
}

/** The parent folder on either side, or undefined at the top. */
export function parentPath(side: Side, path: string): string | undefined {
  if (side === 'remote') return remoteParent(path);
  const parent = dirname(path);
  return parent === path ? undefined : parent;
}

export function baseName(side: Side, path: string): string {
  return side === 'remote' ? remoteBase(path) : basename(path);
}

export function displayPath(side: Side, path: string): string {
  return side === 'remote' ? remoteDisplay(path) : path;
}
