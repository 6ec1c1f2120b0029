// A failure of the local file system during a transfer, as the one plain CftpError a person
// reads (issue 11: "local disk full while writing `a.bin` (ENOSPC)"), coded by the one OS-error
// table (@cftp/protocol os-errors.ts), with the path it is about and the node:fs error as
// `cause`. Never an EDATA that blames the network, never an unhandled 'error' event.
import { CftpError, describeOsError, errnoOf } from '@cftp/protocol';

/** What the transfer was doing with the local file when it failed. */
export type LocalAction = 'writing' | 'reading' | 'creating' | 'opening';

/**
 * `error` (from node:fs) as a CftpError about the local file `path`: `local disk full while
 * writing \`path\`` for ENOSPC and its kin (EDQUOT, EFBIG), `local <words> while <action>
 * \`path\`` otherwise. A CftpError passes through unchanged: it already says what happened.
 */
export function localIoError(error: unknown, path: string, action: LocalAction): CftpError {
  if (error instanceof CftpError) return error;
  const { code, words } = describeOsError(error);
  const errno = errnoOf(error);
  const what =
    code === 'ENOSPC'
      ? `local disk full while ${action} \`${path}\`${errno === 'ENOSPC' ? '' : ` (${words})`}`
      : `local ${words} while ${action} \`${path}\``;
  return new CftpError(code, what, { path, cause: error });
}
