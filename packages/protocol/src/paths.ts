// Path rules shared by server and client (docs/protocol.md §9). Pure string checks.
import { MAX_PATH_BYTES, MAX_SEGMENT_BYTES } from './constants.js';
import { CONTROL_CHARACTERS, escapeControls } from './display.js';
import { PathError } from './errors.js';

const utf8 = new TextEncoder();
/** A lone surrogate (a JSON `\ud800` escape): not Unicode, so no UTF-8 spelling (§9). */
const LONE_SURROGATE = /\p{Cs}/u;
const DRIVE = /^[A-Za-z]:/;

/**
 * Checks a protocol path and returns its segments (NFC, `.` dropped); `[]` is the root.
 * Throws PathError EBADNAME for anything §9 refuses.
 */
export function parsePath(path: string): string[] {
  const plain = plainSegments(path);
  if (plain !== undefined) return plain;
  // UTF-8 takes at most 3 bytes per UTF-16 unit: most paths need no encoding to be counted.
  if (path.length * 3 > MAX_PATH_BYTES && utf8.encode(path).byteLength > MAX_PATH_BYTES) {
    throw new PathError('EBADNAME', `path longer than ${MAX_PATH_BYTES} bytes`);
  }
  // C0, DEL, C1 and bidi controls (§9): they would reach a terminal or reorder a name.
  if (CONTROL_CHARACTERS.test(path)) {
    throw new PathError('EBADNAME', 'path contains a control character');
  }
  if (LONE_SURROGATE.test(path)) throw new PathError('EBADNAME', 'path is not valid Unicode');
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
    if (
      segment.length * 3 > MAX_SEGMENT_BYTES &&
      utf8.encode(segment).byteLength > MAX_SEGMENT_BYTES
    ) {
      throw new PathError('EBADNAME', `path segment longer than ${MAX_SEGMENT_BYTES} bytes`);
    }
    segments.push(segment);
  }
  return segments;
}

/**
 * Segments of letters, digits and `_ - . + @ = , ~ %` only, joined by single `/`s: ASCII, so
 * already NFC, and with nothing §9 refuses (no control, `\\`, `:`, leading `/`, empty
 * segment). Such a path needs only its length, `.` and `..` checked: most paths in a tree of
 * thousands take this way (a sync checks every one, on both sides).
 */
const PLAIN_PATH = /^[\w\-.+@=,~%]+(?:\/[\w\-.+@=,~%]+)*$/;

/** parsePath's answer for a plain path, or undefined when the full check must decide. */
function plainSegments(path: string): string[] | undefined {
  if (path.length > MAX_PATH_BYTES || !PLAIN_PATH.test(path)) return undefined;
  const segments = path.split('/');
  for (const segment of segments) {
    if (segment === '.' || segment === '..' || segment.length > MAX_SEGMENT_BYTES) return undefined;
  }
  return segments;
}

/** Checks a single entry name (no `/`, not `.` or `..`), e.g. from a listing (§6.1). */
export function checkName(name: string): string {
  // The name came off the network: quoted escaped, so the message is safe to print. Only
  // escaped for a message: a listing checks every name (docs/performance.md, LIST).
  if (name.includes('/')) {
    throw new PathError('EBADNAME', `name "${escapeControls(name)}" contains "/"`);
  }
  const segments = parsePath(name);
  if (segments.length !== 1) {
    throw new PathError('EBADNAME', `"${escapeControls(name)}" is not a file name`);
  }
  return segments[0]!;
}

/** Joins checked segments back into a protocol path. */
export function joinPath(segments: readonly string[]): string {
  return segments.join('/');
}

/**
 * The one spelling of a path (§9): NFC, `.` segments dropped, `""` for the root. Two
 * spellings of one file give the same canonical path, e.g. for the resume partial (§8).
 * Throws PathError EBADNAME as parsePath does.
 */
export function canonicalPath(path: string): string {
  return joinPath(parsePath(path));
}
