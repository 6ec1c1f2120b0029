// Every failure the screen shows is a code plus a sentence: CftpError codes from the engine,
// local file-system errors turned into the same codes by the one OS-error table of
// @cftp/protocol, anything else as EIO.
import { CftpError, describeOsError, errorFromCode } from '@cftp/protocol';

export interface ErrorInfo {
  code: string;
  message: string;
}

/**
 * A local file-system error (from node:fs) as a CftpError with the matching code:
 * `cannot delete "x": folder not empty`; `path`, when given, is carried for callers.
 */
export function localError(error: unknown, what: string, path?: string): CftpError {
  if (error instanceof CftpError) return error;
  const { code, words } = describeOsError(error);
  return errorFromCode(code, `${what}: ${words}`, {
    cause: error,
    ...(path === undefined ? {} : { path }),
  });
}

export function errorInfo(error: unknown): ErrorInfo {
  if (error instanceof CftpError) return { code: error.code, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { code: describeOsError(error).code, message };
}

/** `cannot delete "x": folder not empty (ENOTEMPTY)`. */
export function describeError(error: unknown): string {
  const { code, message } = errorInfo(error);
  return `${message} (${code})`;
}
