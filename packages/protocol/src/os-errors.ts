// The one table from operating-system error codes (the `code` of a failed node:fs call:
// ENOENT, EPERM, ENOSPC...) to the CFTP codes of docs/protocol.md §11, with the plain words a
// person reads. Server storage, client engine, `cftp` and the TUI all map through it, so one
// OS failure gets one code everywhere. Pure data: no Node import, the package stays I/O-free.
//
// The rule: the CFTP code is always one §11 lists.
// - An OS code that §11 lists keeps it (ENOENT, ENOTDIR, EISDIR, EEXIST, ENOTEMPTY, EACCES,
//   ENOSPC, EIO, EBUSY).
// - Every form of "the system refuses you" is EACCES, §11's "permission denied": EPERM,
//   EROFS (read-only file system), ELOOP (a symlink not followed), ENXIO (not a regular file).
// - Every form of "no room" is ENOSPC: EDQUOT (quota), EFBIG (file too large).
// - A name the file system finds too long is EBADNAME (§11: "too long").
// - Running out of handles, or a busy file, is EBUSY: the same request may work later.
// - Anything else, listed here or not, is EIO, §11's "other storage error".
// The words say what the OS code means (EPERM reads "operation not permitted" under EACCES),
// so a person still learns what happened while programs branch on the CFTP code.
import type { ErrorCode } from './errors.js';

export interface OsError {
  /** The CFTP code (§11) that this OS failure is reported as. */
  readonly code: ErrorCode;
  /** What happened, in plain words, for people. */
  readonly words: string;
}

export const OS_ERRORS: Readonly<Record<string, OsError>> = {
  ENOENT: { code: 'ENOENT', words: 'no such file or directory' },
  ENOTDIR: { code: 'ENOTDIR', words: 'not a folder' },
  EISDIR: { code: 'EISDIR', words: 'is a folder' },
  EEXIST: { code: 'EEXIST', words: 'already exists' },
  ENOTEMPTY: { code: 'ENOTEMPTY', words: 'folder not empty' },
  EACCES: { code: 'EACCES', words: 'permission denied' },
  EPERM: { code: 'EACCES', words: 'operation not permitted' },
  EROFS: { code: 'EACCES', words: 'read-only file system' },
  ELOOP: { code: 'EACCES', words: 'symbolic link refused' },
  ENXIO: { code: 'EACCES', words: 'not a regular file' },
  ENAMETOOLONG: { code: 'EBADNAME', words: 'name too long' },
  ENOSPC: { code: 'ENOSPC', words: 'no space left on device' },
  EDQUOT: { code: 'ENOSPC', words: 'disk quota exceeded' },
  EFBIG: { code: 'ENOSPC', words: 'file too large' },
  EMFILE: { code: 'EBUSY', words: 'too many open files' },
  ENFILE: { code: 'EBUSY', words: 'too many open files in the system' },
  EBUSY: { code: 'EBUSY', words: 'resource busy or locked' },
  ETXTBSY: { code: 'EBUSY', words: 'file is busy' },
  EIO: { code: 'EIO', words: 'input/output error' },
  EXDEV: { code: 'EIO', words: 'cannot move between file systems' },
};

/** The OS code string of an error-like value (`error.code`), if it has one. */
export function errnoOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/** The table's entry for an OS code; `undefined` for a code it does not list. */
export function osError(errno: string | undefined): OsError | undefined {
  // `Object.hasOwn`: a code named like an Object.prototype key must not find a function.
  return errno !== undefined && Object.hasOwn(OS_ERRORS, errno) ? OS_ERRORS[errno] : undefined;
}

/**
 * The CFTP code and words for any failure from the OS: the table's entry for its code, or
 * EIO with the error's own message when the table does not list it.
 */
export function describeOsError(error: unknown): OsError {
  const known = osError(errnoOf(error));
  if (known !== undefined) return known;
  return { code: 'EIO', words: error instanceof Error ? error.message : String(error) };
}

/**
 * Plain words for the network's error codes (node:net, node:tls, DNS). They are not storage
 * failures, so they live apart from OS_ERRORS and carry no CFTP code: the caller knows
 * whether it is ECONNECTION, EDATA or ETLS.
 */
export const NETWORK_WORDS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused (nothing listens on that port)',
  ECONNRESET: 'connection reset by the other side',
  EPIPE: 'connection closed by the other side',
  ECONNABORTED: 'connection aborted',
  ETIMEDOUT: 'no answer (timed out)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'host name lookup failed for now',
  ERR_SSL_WRONG_VERSION_NUMBER: 'the answer is not TLS',
  ERR_SSL_PACKET_LENGTH_TOO_LONG: 'the answer is not TLS',
};

/** What a network failure means in plain words: the table's, or the error's own message. */
export function networkWords(error: unknown): string {
  const errno = errnoOf(error);
  if (errno !== undefined && Object.hasOwn(NETWORK_WORDS, errno)) return NETWORK_WORDS[errno]!;
  return error instanceof Error ? error.message : String(error);
}
