// One error hierarchy for server and client; callers branch on `code` (docs/protocol.md §11).

export const ERROR_CODES = [
  'EPROTO',
  'EFRAMESIZE',
  'EUNKNOWN',
  'EVERSION',
  'EBADNAME',
  'ENOENT',
  'ENOTDIR',
  'EISDIR',
  'EACCES',
  'EEXIST',
  'ENOTEMPTY',
  'ENOSPC',
  'EIO',
  'EINTEGRITY',
  'EDATAAUTH',
  'EDATA',
  'ETIMEDOUT',
  'ECANCELED',
  'EBUSY',
  'ESHUTDOWN',
  'ECONNECTION',
  'EUSAGE',
  'EAUTH',
  'ETLS',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

export class CftpError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Malformed bytes or messages, unknown types, bad versions. */
export class ProtocolError extends CftpError {}
/** A path refused by docs/protocol.md §9, or a file-system refusal tied to a path. */
export class PathError extends CftpError {}
/** Byte count or digest mismatch (§7). */
export class IntegrityError extends CftpError {
  constructor(message: string) {
    super('EINTEGRITY', message);
  }
}
/** A deadline passed (data-channel accept, handshake). */
export class TimeoutError extends CftpError {
  constructor(message: string) {
    super('ETIMEDOUT', message);
  }
}
/** Data channel refused or lost (§5). */
export class DataChannelError extends CftpError {}
/** The operation was cancelled by its caller (§6.4). */
export class AbortError extends CftpError {
  constructor(message = 'operation aborted') {
    super('ECANCELED', message);
  }
}
/** The control connection could not be made or was lost. */
export class ConnectionError extends CftpError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ECONNECTION', message, options);
  }
}

const PATH_CODES: ReadonlySet<ErrorCode> = new Set([
  'EBADNAME',
  'EEXIST',
  'ENOTEMPTY',
  'ENOENT',
  'ENOTDIR',
  'EISDIR',
  'EACCES',
]);
const PROTOCOL_CODES: ReadonlySet<ErrorCode> = new Set([
  'EPROTO',
  'EFRAMESIZE',
  'EUNKNOWN',
  'EVERSION',
]);

/** Rebuilds a typed error from a wire `error` message (or any code string). */
export function errorFromCode(code: string, message: string): CftpError {
  if (!isErrorCode(code)) return new ProtocolError('EPROTO', `${message} (unknown code ${code})`);
  if (code === 'EINTEGRITY') return new IntegrityError(message);
  if (code === 'ETIMEDOUT') return new TimeoutError(message);
  if (code === 'ECANCELED') return new AbortError(message);
  if (code === 'ECONNECTION') return new ConnectionError(message);
  if (code === 'EDATA' || code === 'EDATAAUTH') return new DataChannelError(code, message);
  if (PATH_CODES.has(code)) return new PathError(code, message);
  if (PROTOCOL_CODES.has(code)) return new ProtocolError(code, message);
  return new CftpError(code, message);
}
