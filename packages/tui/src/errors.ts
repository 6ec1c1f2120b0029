// Every failure the screen shows is a code plus a sentence: CftpError codes from the engine,
// local file-system errors turned into the same codes, anything else as EIO.
import { CftpError, type ErrorCode } from '@cftp/client';

export interface ErrorInfo {
  code: string;
  message: string;
}

const LOCAL_CODES: Record<string, ErrorCode> = {
  ENOENT: 'ENOENT',
  EACCES: 'EACCES',
  EPERM: 'EACCES',
  EEXIST: 'EEXIST',
  ENOTEMPTY: 'ENOTEMPTY',
  ENOTDIR: 'ENOTDIR',
  EISDIR: 'EISDIR',
  ENOSPC: 'ENOSPC',
  EBUSY: 'EBUSY',
};

function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/** A local file-system error (from node:fs) as a CftpError with the matching code. */
export function localError(error: unknown, what: string): CftpError {
  if (error instanceof CftpError) return error;
  const errno = errnoCode(error);
  const code = (errno !== undefined ? LOCAL_CODES[errno] : undefined) ?? 'EIO';
  return new CftpError(code, `${what}: ${describeErrno(errno, error)}`, { cause: error });
}

function describeErrno(errno: string | undefined, error: unknown): string {
  switch (errno) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EEXIST':
      return 'already exists';
    case 'ENOTEMPTY':
      return 'folder is not empty';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

export function errorInfo(error: unknown): ErrorInfo {
  if (error instanceof CftpError) return { code: error.code, message: error.message };
  const errno = errnoCode(error);
  const message = error instanceof Error ? error.message : String(error);
  return { code: (errno !== undefined ? LOCAL_CODES[errno] : undefined) ?? 'EIO', message };
}

/** `cannot delete "x": folder is not empty (ENOTEMPTY)`. */
export function describeError(error: unknown): string {
  const { code, message } = errorInfo(error);
  return `${message} (${code})`;
}
