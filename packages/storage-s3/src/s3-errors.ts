// S3 failures as CFTP errors (docs/protocol.md §11, docs/server.md "S3 storage"): the one
// place that reads an AWS SDK error's name and HTTP status. Throttling has already been
// retried with back-off by the client (client.ts) when it arrives here, so it is EBUSY.
import { CftpError, type ErrorCode, errorFromCode } from '@cftp/protocol';

interface SdkError {
  name?: string;
  Code?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  message?: string;
}

function asSdkError(error: unknown): SdkError {
  return typeof error === 'object' && error !== null ? (error as SdkError) : {};
}

/** The S3 error code (`NoSuchKey`, `SlowDown`...) or the HTTP status of a bodyless reply. */
export function s3Code(error: unknown): string | undefined {
  const e = asSdkError(error);
  return e.Code ?? e.name ?? e.code;
}

export function httpStatus(error: unknown): number | undefined {
  return asSdkError(error).$metadata?.httpStatusCode;
}

/** A missing key or upload: HEAD gives a bare 404 (`NotFound`), GET gives `NoSuchKey`. */
export function isNotFound(error: unknown): boolean {
  const code = s3Code(error);
  return code === 'NoSuchKey' || code === 'NotFound' || httpStatus(error) === 404;
}

/** A conditional request whose condition failed: `If-None-Match: *` on an existing key. */
export function isPreconditionFailed(error: unknown): boolean {
  return s3Code(error) === 'PreconditionFailed' || httpStatus(error) === 412;
}

const THROTTLING = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequests',
  'ServiceUnavailable',
]);

const BY_CODE: Record<string, ErrorCode> = {
  NoSuchKey: 'ENOENT',
  NotFound: 'ENOENT',
  NoSuchUpload: 'ENOENT',
  NoSuchBucket: 'EIO',
  AccessDenied: 'EACCES',
  Forbidden: 'EACCES',
  InvalidAccessKeyId: 'EACCES',
  SignatureDoesNotMatch: 'EACCES',
  QuotaExceeded: 'ENOSPC',
  EntityTooLarge: 'ENOSPC',
};

/** Maps an S3 (or network) failure on `path` to a CFTP error; a CftpError passes unchanged. */
export function s3Error(error: unknown, path: string): CftpError {
  if (error instanceof CftpError) return error;
  const where = path === '' ? 'root' : `"${path}"`;
  const code = s3Code(error);
  const status = httpStatus(error);
  let mapped: ErrorCode =
    (code === undefined ? undefined : BY_CODE[code]) ??
    (status === 404 ? 'ENOENT' : status === 403 ? 'EACCES' : 'EIO');
  if ((code !== undefined && THROTTLING.has(code)) || status === 429 || status === 503) {
    mapped = 'EBUSY';
  }
  // A reply without a body (any HEAD) has no S3 code: the SDK names it `Unknown`.
  const named = code === 'Unknown' ? undefined : code;
  const detail = named ?? (status === undefined ? String(error) : `HTTP ${status}`);
  const words: Partial<Record<ErrorCode, string>> = {
    ENOENT: 'no such file or folder',
    EACCES: 'the object store refused access',
    EBUSY: 'the object store is busy (throttled, retried)',
    ENOSPC: 'the object store is full',
  };
  return errorFromCode(mapped, `${words[mapped] ?? 'object store error'}: ${where} (${detail})`, {
    path,
    cause: error,
  });
}
