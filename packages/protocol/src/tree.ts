// Rules for `tree` lines (docs/protocol.md §6.10), shared by the server that writes them and
// the client that reads them. Pure: string checks only.
import { MAX_TREE_DEPTH } from './constants.js';
import { escapeControls } from './display.js';
import { ProtocolError } from './errors.js';
import { parsePath } from './paths.js';

/**
 * The segments of a `tree` line's path (§6.10): a relative path in its one spelling (NFC,
 * no `.` or empty segment, no `..`, every segment a §9 segment), at most MAX_TREE_DEPTH
 * segments. Anything else is EPROTO: a server that sends it is broken or hostile,
 * and a sync must not act on a tree it cannot trust.
 */
export function checkTreePath(path: string): string[] {
  let segments: string[];
  try {
    segments = parsePath(path);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new ProtocolError('EPROTO', `bad tree path "${escapeControls(path)}" (${why})`);
  }
  if (segments.length === 0 || segments.join('/') !== path) {
    throw new ProtocolError('EPROTO', `tree path "${escapeControls(path)}" is not canonical`);
  }
  if (segments.length > MAX_TREE_DEPTH) {
    throw new ProtocolError('EPROTO', `tree path deeper than ${MAX_TREE_DEPTH} folders`);
  }
  return segments;
}
