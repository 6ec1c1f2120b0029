// Symlinks as links (feature `links`, docs/protocol.md §6.9): where a link's text leads,
// read as a path, so that both peers can tell a link that stays inside a tree from one that
// leaves it. Pure string work: the server checks the real path too (symlinks on the way).

/**
 * Where a symlink at `path` (`/`-separated, below some top) holding `target` leads, as a
 * path below that top (`''` is the top itself), reading `.` and `..` lexically; undefined
 * when it leaves the top (an absolute target, or `..` above it).
 */
export function linkDestination(path: string, target: string): string | undefined {
  if (target.startsWith('/')) return undefined;
  const parts = path.split('/').filter((segment) => segment !== '');
  parts.pop(); // a link's text is read from the folder that holds it
  for (const segment of target.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment !== '..') parts.push(segment);
    else if (parts.pop() === undefined) return undefined;
  }
  return parts.join('/');
}
