// How the CLI names a failure: every error it shows is a CftpError with a stable code
// (docs/protocol.md §11) and a message that names its path. Decisions are made on `code` and
// `path`, never on message text: an error whose `path` is set already names that path.
// Local file-system errors take their code and words from the one OS-error table.
import {
  CftpError,
  describeOsError,
  type ErrorCode,
  errnoOf,
  errorFromCode,
  osError,
  PathError,
} from '@cftp/protocol';

/** A command line the CLI does not understand (docs/protocol.md §11: EUSAGE). */
export function usageError(message: string): CftpError {
  return new CftpError('EUSAGE', message);
}

/** A failure the CLI finds itself about `path` (shown as the session shows it). */
export function pathError(code: ErrorCode, message: string, path: string): CftpError {
  return new PathError(code, message, { path });
}

/** A local file-system error about `path`, as `local "path": no such file or directory`. */
export function localError(error: unknown, path: string): CftpError {
  if (error instanceof CftpError) return error;
  const { code, words } = describeOsError(error);
  return errorFromCode(code, `local "${path}": ${words}`, { path, cause: error });
}

/**
 * The code and message to show for any failure. A bare OS error (`EACCES: permission
 * denied, open 'x'`) is said in the table's words with its path, so the code shows once,
 * at the end of the line.
 */
export function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof CftpError) return { code: error.code, message: error.message };
  const known = osError(errnoOf(error));
  if (known !== undefined) {
    const path = (error as { path?: unknown }).path;
    const message = typeof path === 'string' ? `"${path}": ${known.words}` : known.words;
    return { code: known.code, message };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: describeOsError(error).code, message };
}

/**
 * Codes whose server messages name the path of the request (the server's storage errors:
 * `no such file or directory: "a/b"`): these are shown as they are. Any other code is about
 * the transfer or the session (EINTEGRITY, ETIMEDOUT, EBADNAME...) and gets the path in front.
 */
const NAMED_BY_SERVER: ReadonlySet<string> = new Set([
  'ENOENT',
  'ENOTDIR',
  'EISDIR',
  'EEXIST',
  'ENOTEMPTY',
  'EACCES',
  'ENOSPC',
]);
/** About the whole connection, not one path: never given a path. */
const SESSION_CODES: ReadonlySet<string> = new Set(['ECONNECTION', 'ESHUTDOWN']);

/**
 * Whether `error` still needs a path in front to say what it is about. The server names the
 * root as "root" or "the served folder itself", never as the `/` the session shows, so an
 * error about the root always gets it.
 */
function needsPath(error: CftpError, root: boolean): boolean {
  if (error.path !== undefined || SESSION_CODES.has(error.code)) return false;
  return root || !NAMED_BY_SERVER.has(error.code);
}

/**
 * Makes sure an engine error names the remote path it is about: the server's messages
 * usually do (by code, NAMED_BY_SERVER); when one does not, the shown path goes in front.
 */
export function aboutPath(error: unknown, shown: string): unknown {
  if (!(error instanceof CftpError) || !needsPath(error, shown === '/')) return error;
  return errorFromCode(error.code, `"${shown}": ${error.message}`, { path: shown, cause: error });
}

/**
 * Makes sure a batch's error names one of its paths (`shown`, as the session shows them):
 * `batch of 3 files from "/a": ...` when the server's message does not name one.
 */
export function aboutBatch(error: unknown, shown: readonly string[]): unknown {
  if (!(error instanceof CftpError) || !needsPath(error, false)) return error;
  const first = `batch of ${shown.length} files from "${shown[0]}"`;
  return errorFromCode(error.code, `${first}: ${error.message}`, {
    ...(shown[0] === undefined ? {} : { path: shown[0] }),
    cause: error,
  });
}
