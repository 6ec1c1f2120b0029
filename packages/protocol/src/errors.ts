// One error hierarchy for server, client, CLI and TUI; callers branch on `code`
// (docs/protocol.md §11) and `path`, never on message text, which is for people.

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
  'EPARTIAL',
  'EAUTH',
  'ETLS',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** What a CftpError may carry besides its code and message. */
export interface CftpErrorOptions extends ErrorOptions {
  /**
   * The path the failure is about, as its creator names it (a local path for local file
   * failures, a remote one for the server's), so callers need not dig it out of the message.
   */
  path?: string;
}

export class CftpError extends Error {
  readonly code: ErrorCode;
  /** The path the failure is about, when there is one (`declare`: no own key when absent). */
  declare readonly path?: string;
  /** `cause` (ErrorOptions) keeps the underlying error, e.g. the node:fs one, for debugging. */
  constructor(code: ErrorCode, message: string, options?: CftpErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
    if (options?.path !== undefined) this.path = options.path;
  }
}

/** Malformed bytes or messages, unknown types, bad versions. */
export class ProtocolError extends CftpError {}
/** A path refused by docs/protocol.md §9, or a file-system refusal tied to a path. */
export class PathError extends CftpError {}
/** Byte count or digest mismatch (§7). */
export class IntegrityError extends CftpError {
  constructor(message: string, options?: CftpErrorOptions) {
    super('EINTEGRITY', message, options);
  }
}
/** A deadline passed (data-channel accept, handshake). */
export class TimeoutError extends CftpError {
  constructor(message: string, options?: CftpErrorOptions) {
    super('ETIMEDOUT', message, options);
  }
}
/** Data channel refused or lost (§5). */
export class DataChannelError extends CftpError {}
/** The operation was cancelled by its caller (§6.4). */
export class AbortError extends CftpError {
  constructor(message = 'operation aborted', options?: CftpErrorOptions) {
    super('ECANCELED', message, options);
  }
}
/** The control connection could not be made or was lost. */
export class ConnectionError extends CftpError {
  constructor(message: string, options?: CftpErrorOptions) {
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

/**
 * Rebuilds a typed error from a wire `error` message (or any code string); `options` adds the
 * path and cause the wire does not carry.
 */
export function errorFromCode(
  code: string,
  message: string,
  options?: CftpErrorOptions,
): CftpError {
  if (!isErrorCode(code)) {
    return new ProtocolError('EPROTO', `${message} (unknown code ${code})`, options);
  }
  if (code === 'EINTEGRITY') return new IntegrityError(message, options);
  if (code === 'ETIMEDOUT') return new TimeoutError(message, options);
  if (code === 'ECANCELED') return new AbortError(message, options);
  if (code === 'ECONNECTION') return new ConnectionError(message, options);
  if (code === 'EDATA' || code === 'EDATAAUTH') return new DataChannelError(code, message, options);
  if (PATH_CODES.has(code)) return new PathError(code, message, options);
  if (PROTOCOL_CODES.has(code)) return new ProtocolError(code, message, options);
  return new CftpError(code, message, options);
}
