// The receiver's permission-bit rule (docs/protocol.md §6.8), one home for client and server:
// a new file gets the source's mode masked by the receiver's umask, an overwritten file
// keeps its own mode, `-p` copies the source's mode exactly. Pure arithmetic, no I/O.
import { MODE_MASK } from './constants.js';

/** Mode of a file created without a source mode (a v1 peer): rw for all, masked (§6.8). */
export const DEFAULT_FILE_MODE = 0o666;

export interface ModeInputs {
  /** The source's permission bits (`mode` on the wire), when the sender stated them. */
  source: number | undefined;
  /** The receiver's umask: the server's `--umask` (default 022), the client's process umask. */
  umask: number;
  /** The permission bits of the file the commit replaces, when there is one. */
  existing: number | undefined;
  /** `-p` / `exactMode`: copy the source's bits exactly, new or overwritten. */
  exact: boolean;
}

/**
 * The permission bits the receiver gives the file it commits (§6.8). Never setuid, setgid
 * or sticky; a new file is never wider than its source.
 */
export function receivedMode({ source, umask, existing, exact }: ModeInputs): number {
  if (exact && source !== undefined) return source & MODE_MASK;
  if (existing !== undefined) return existing & MODE_MASK;
  return (source ?? DEFAULT_FILE_MODE) & ~umask & MODE_MASK;
}
