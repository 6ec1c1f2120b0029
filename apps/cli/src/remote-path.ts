// Remote paths as the `ftp>` session sees them: relative to a current remote folder that the
// client keeps (the protocol has no "current folder", docs/protocol.md §9), joined and
// normalised here before they go on the wire. The root is `''` on the wire and `/` on screen.
import { CftpError } from '@cftp/client';

/** The server's root, as a protocol path. */
export const REMOTE_ROOT = '';

function segmentsOf(path: string): string[] {
  return path === REMOTE_ROOT ? [] : path.split('/');
}

/**
 * Resolves `path` against the remote folder `cwd` (a normalised protocol path): `.` and
 * empty segments drop out, `..` climbs. `/` alone names the root. Other absolute paths,
 * and paths that climb above the root, are refused with EBADNAME rather than silently
 * redirected to some other file.
 */
export function resolveRemote(cwd: string, path: string): string {
  if (path === '/') return REMOTE_ROOT;
  if (path.startsWith('/')) {
    throw new CftpError(
      'EBADNAME',
      `"${path}" is absolute: remote paths are relative to the current folder (cd alone goes to the root)`,
    );
  }
  const segments = segmentsOf(cwd);
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (segments.length === 0) {
        throw new CftpError('EBADNAME', `"${path}" leads above the server's root`);
      }
      segments.pop();
    } else {
      segments.push(segment.normalize('NFC'));
    }
  }
  return segments.join('/');
}

/**
 * Where `cd path` goes from `cwd`: like `resolveRemote`, except that `..` at the root stays
 * at the root (as `cd /..` does in a shell) and that no argument, `/` and `~` go to the root.
 */
export function changeRemoteDir(cwd: string, path: string | undefined): string {
  if (path === undefined || path === '' || path === '/' || path === '~') return REMOTE_ROOT;
  if (path.startsWith('/')) return resolveRemote(cwd, path); // refused, with the reason
  const segments = segmentsOf(cwd);
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment.normalize('NFC'));
  }
  return segments.join('/');
}

/** `''` → `/`, `a/b` → `/a/b`: how a remote path is shown. */
export function displayRemote(path: string): string {
  return `/${path}`;
}

/** The last segment of a protocol path (`''` for the root). */
export function remoteBasename(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? path : path.slice(slash + 1);
}

/** The parent of a protocol path (the root is its own parent). */
export function remoteDirname(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? REMOTE_ROOT : path.slice(0, slash);
}

/** `dir` + `/` + `name`, without a leading slash at the root. */
export function remoteJoin(dir: string, ...names: string[]): string {
  return [dir, ...names].filter((part) => part !== REMOTE_ROOT).join('/');
}
