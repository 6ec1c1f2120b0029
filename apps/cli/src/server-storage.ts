// `cftp server --storage s3://BUCKET/PREFIX` (docs/server.md "S3 storage"): the flags, and
// the S3 Storage they stand for. The AWS SDK is loaded only when --storage is given, so a
// server of a local folder never pays for it. Credentials come from the AWS SDK's standard
// chain (AWS_ACCESS_KEY_ID…, ~/.aws/credentials and config), never from the command line.
import type { Storage } from '@cftp/server';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { garbageCollector, youngGenerationGrows } from './gc.js';

export interface StorageFlags {
  /** `--storage s3://BUCKET/PREFIX`: serve a bucket instead of `--root`. */
  storage?: string;
  s3Endpoint?: string;
  s3Region?: string;
  s3PathStyle?: boolean;
}

function parseStorageUrl(value: string): string {
  if (!/^s3:\/\/[^/]+/.test(value)) {
    throw new InvalidArgumentError('expected s3://BUCKET or s3://BUCKET/PREFIX');
  }
  return value;
}

function parseEndpoint(value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value;
  } catch {
    // refused below
  }
  throw new InvalidArgumentError('expected an http:// or https:// URL');
}

export function addStorageOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--storage <url>',
        'serve s3://BUCKET/PREFIX instead of --root (credentials: the AWS standard chain)',
      ).argParser(parseStorageUrl),
    )
    .addOption(
      new Option(
        '--s3-endpoint <url>',
        'an S3-compatible store (Ceph RGW, MinIO); AWS if absent',
      ).argParser(parseEndpoint),
    )
    .option('--s3-region <region>', "the bucket's region (default: AWS_REGION, else us-east-1)")
    .option('--s3-path-style', 'address the bucket as ENDPOINT/BUCKET, not BUCKET.ENDPOINT');
}

/** The S3 Storage of the flags, checked to answer; undefined without --storage. */
export async function openStorage(
  flags: StorageFlags,
  umask: number | undefined,
): Promise<Storage | undefined> {
  if (flags.storage === undefined) return undefined;
  youngGenerationGrows(true); // V8's default again: see youngGenerationGrows
  const { createS3Client, parseS3Url, S3Storage } = await import('@cftp/storage-s3');
  const { bucket, prefix } = parseS3Url(flags.storage);
  const storage = new S3Storage({
    client: createS3Client({
      ...(flags.s3Endpoint === undefined ? {} : { endpoint: flags.s3Endpoint }),
      ...(flags.s3Region === undefined ? {} : { region: flags.s3Region }),
      forcePathStyle: flags.s3PathStyle === true,
    }),
    bucket,
    prefix,
    ...(umask === undefined ? {} : { umask }),
    collectGarbage: garbageCollector(),
  });
  await storage.check();
  return storage;
}
