// How the CLI names a failure: a stable code and a message that names the path. Engine errors
// (CftpError) keep their code; local file-system errors keep theirs when the spec lists it.
import { CftpError } from '@cftp/client';

/** A failure found by the CLI itself, with a code the engine's ErrorCode may not list. */
export class CommandError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A command line the CLI does not understand (docs/protocol.md §11: EUSAGE). */
export function usageError(message: string): CftpError {
  return new CftpError('EUSAGE', message);
}

const LOCAL_CODES = new Set([
  'ENOENT',
  'EACCES',
  'EPERM',
  'ENOTDIR',
  'EISDIR',
  'EEXIST',
  'ENOTEMPTY',
  'ENOSPC',
]);

const LOCAL_WORDS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'not a folder',
  EISDIR: 'is a folder',
  EEXIST: 'already exists',
  ENOTEMPTY: 'folder not empty',
  ENOSPC: 'no space left on device',
};

function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/** A local file-system error about `path`, as `local "path": no such file or directory`. */
export function localError(error: unknown, path: string): Error {
  if (error instanceof CftpError || error instanceof CommandError) return error;
  const code = errnoCode(error);
  const known = code !== undefined && LOCAL_CODES.has(code);
  const words = known ? LOCAL_WORDS[code]! : error instanceof Error ? error.message : String(error);
  return new CommandError(known ? code : 'EIO', `local "${path}": ${words}`);
}

/** The code and message to show for any failure. */
export function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof CftpError || error instanceof CommandError) {
    return { code: error.code, message: error.message };
  }
  const code = errnoCode(error);
  const message = error instanceof Error ? error.message : String(error);
  return { code: code !== undefined && LOCAL_CODES.has(code) ? code : 'EIO', message };
}

/**
 * Makes sure an engine error names the remote path it is about: the server's messages
 * usually do; when one does not, the shown path goes in front.
 */
export function aboutPath(error: unknown, shown: string): unknown {
  if (!(error instanceof CftpError)) return error;
  // The server names paths without the leading `/` that the session shows.
  const bare = shown.replace(/^\/+/, '');
  if (error.message.includes(shown) || (bare !== '' && error.message.includes(`"${bare}"`))) {
    return error;
  }
  if (error.code === 'ECONNECTION' || error.code === 'ESHUTDOWN') return error;
  return new CommandError(error.code, `"${shown}": ${error.message}`);
}
