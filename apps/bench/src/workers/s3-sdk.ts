// The AWS SDK's own transfer of one object, as a command of its own: issue 17's baseline.
// The bench times this whole process, as it times the `cftp client` command and curl, so
// the ratio compares like with like (a start-up and a transfer each); the transfer's own
// time is reported too, for the in-process view. Credentials and the store come from the
// environment the bench runs in (S3_* of ../shared/s3), never from the command line.
import { createReadStream, createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { report, workerArgs } from './io.js';

export interface S3SdkArgs {
  direction: 'put' | 'get';
  key: string;
  /** The local file: read for a put, written for a get. */
  file: string;
  /** lib-storage's part size and parts in flight, for a put (the server's own defaults). */
  partBytes: number;
  partsInFlight: number;
}

export interface S3SdkResult {
  /** From the first request to the last byte written (or the upload completed). */
  transferMs: number;
}

const args = workerArgs<S3SdkArgs>();
const { S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY, S3_SECRET_KEY, S3_REGION } = process.env;
if (!S3_ENDPOINT || !S3_BUCKET || !S3_ACCESS_KEY || !S3_SECRET_KEY) {
  throw new Error('s3-sdk: S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY and S3_SECRET_KEY must be set');
}
const client = new S3Client({
  endpoint: S3_ENDPOINT,
  region: S3_REGION ?? 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: S3_ACCESS_KEY, secretAccessKey: S3_SECRET_KEY },
  // As the server's client does (packages/storage-s3 location.ts): like for like.
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});
const started = performance.now();
if (args.direction === 'put') {
  await new Upload({
    client,
    params: {
      Bucket: S3_BUCKET,
      Key: args.key,
      Body: createReadStream(args.file, { highWaterMark: 1024 * 1024 }),
    },
    partSize: args.partBytes,
    queueSize: args.partsInFlight,
  }).done();
} else {
  const out = await client.send(new GetObjectCommand({ Bucket: S3_BUCKET, Key: args.key }));
  await pipeline(out.Body as Readable, createWriteStream(args.file));
}
const transferMs = performance.now() - started;
client.destroy();
report({ transferMs } satisfies S3SdkResult);
