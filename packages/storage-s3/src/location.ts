// `s3://BUCKET/PREFIX` and the S3 client for it (docs/server.md "S3 storage"). Credentials
// come only from the AWS SDK's standard chain (environment, shared config and credentials
// files, instance roles), never from the command line.
import { S3Client } from '@aws-sdk/client-s3';

export interface S3Location {
  bucket: string;
  /** Key prefix of the served root: '' or ending in '/'. */
  prefix: string;
}

export interface S3ClientOptions {
  /** `--s3-endpoint`: an S3-compatible store (Ceph RGW, MinIO); AWS when absent. */
  endpoint?: string;
  /** `--s3-region`; else AWS_REGION / the shared config; else us-east-1. */
  region?: string;
  /** `--s3-path-style`: `http://host/bucket/key` rather than `http://bucket.host/key`. */
  forcePathStyle?: boolean;
  /** Attempts per request, throttling and 5xx included (the SDK backs off between them). */
  maxAttempts?: number;
}

/** Parses `s3://BUCKET` or `s3://BUCKET/PREFIX`; throws a TypeError with words otherwise. */
export function parseS3Url(url: string): S3Location {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (match === null) {
    throw new TypeError(`expected s3://BUCKET or s3://BUCKET/PREFIX, got "${url}"`);
  }
  const rest = (match[2] ?? '').replace(/\/+$/, '');
  if (
    rest.split('/').some((part) => part === '.' || part === '..' || (rest !== '' && part === ''))
  ) {
    throw new TypeError(`the prefix of "${url}" has an empty, "." or ".." segment`);
  }
  return { bucket: match[1]!, prefix: rest === '' ? '' : `${rest}/` };
}

/** Throttling and 5xx replies are retried with the SDK's exponential back-off this often. */
export const DEFAULT_MAX_ATTEMPTS = 6;

export function createS3Client(options: S3ClientOptions = {}): S3Client {
  return new S3Client({
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    region:
      options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    forcePathStyle: options.forcePathStyle === true,
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryMode: 'standard',
    // No extra CRC32 of every part in JavaScript (a third of a core at 100 MiB/s): CFTP's own
    // digest covers the bytes from the client, and the link to the store is TCP, or TLS with
    // an https:// endpoint (docs/server.md, "S3 storage").
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
