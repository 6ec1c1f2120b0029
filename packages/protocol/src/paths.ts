// Path rules shared by server and client (docs/protocol.md §9). Pure string checks.
import { MAX_PATH_BYTES, MAX_SEGMENT_BYTES } from './constants.js';
import { PathError } from './errors.js';

const utf8 = new TextEncoder();
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we refuse.
const CONTROL = /[\u0000-\u001f\u007f]/;
const DRIVE = /^[A-Za-z]:/;

/**
 * Checks a protocol path and returns its segments (NFC, `.` dropped); `[]` is the root.
 * Throws PathError EBADNAME for anything §9 refuses.
 */
export function parsePath(path: string): string[] {
  if (utf8.encode(path).byteLength > MAX_PATH_BYTES) {
    throw new PathError('EBADNAME', `path longer than ${MAX_PATH_BYTES} bytes`);
  }
  if (CONTROL.test(path)) throw new PathError('EBADNAME', 'path contains a control character');
  if (path.includes('\\')) throw new PathError('EBADNAME', 'path contains a backslash');
  if (path.startsWith('/')) throw new PathError('EBADNAME', 'absolute paths are not allowed');
  if (DRIVE.test(path)) throw new PathError('EBADNAME', 'drive letters are not allowed');
  if (path === '' || path === '.') return [];
  const segments: string[] = [];
  for (const raw of path.split('/')) {
    const segment = raw.normalize('NFC');
    if (segment === '') throw new PathError('EBADNAME', 'path has an empty segment');
    if (segment === '..') throw new PathError('EBADNAME', 'path has a ".." segment');
    if (segment === '.') continue;
    if (utf8.encode(segment).byteLength > MAX_SEGMENT_BYTES) {
      throw new PathError('EBADNAME', `path segment longer than ${MAX_SEGMENT_BYTES} bytes`);
    }
    segments.push(segment);
  }
  return segments;
}

/** Checks a single entry name (no `/`, not `.` or `..`), e.g. from a listing (§6.1). */
export function checkName(name: string): string {
  if (name.includes('/')) throw new PathError('EBADNAME', `name "${name}" contains "/"`);
  const segments = parsePath(name);
  if (segments.length !== 1) throw new PathError('EBADNAME', `"${name}" is not a file name`);
  return segments[0]!;
}

/** Joins checked segments back into a protocol path. */
export function joinPath(segments: readonly string[]): string {
  return segments.join('/');
}
