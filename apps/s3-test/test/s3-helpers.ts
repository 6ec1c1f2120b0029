// What the S3 tests share: the store that global-setup.ts started (its address and keys
// come through vitest's `inject`), real `cftp server --storage s3://…` processes with the
// keys in their environment (the AWS standard chain), the `cftp` client, and an SDK client
// to look at the bucket behind CFTP's back. Each test file works under its own key prefix.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import {
  AbortMultipartUploadCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  type CliResult,
  makeTempDir,
  type RunningCli,
  removeTempDirs,
  runCftp,
  type ServerProcess,
  startCftp,
  startServer,
} from '@cftp/testkit';
import { afterAll, beforeAll, expect, inject } from 'vitest';

export const MiB = 1024 * 1024;

export const store = inject('s3');

/**
 * True when the whole store is removed after this run (global-setup.ts): then emptying a
 * test's prefix is work for nothing. Deleting the 10 000 keys of the listing test alone
 * cost about 11 s and 18 CPU-seconds of Ceph, on a 2-core machine the other tests share.
 */
const disposable = inject('s3Disposable');

/** The credentials as the AWS SDK's standard chain reads them from the environment. */
export function awsEnv(): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: store.S3_ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: store.S3_SECRET_KEY,
    AWS_REGION: store.S3_REGION,
  };
}

/** An SDK client to look at the bucket directly. */
export const sdk = new S3Client({
  endpoint: store.S3_ENDPOINT,
  region: store.S3_REGION,
  forcePathStyle: true,
  credentials: { accessKeyId: store.S3_ACCESS_KEY, secretAccessKey: store.S3_SECRET_KEY },
});

/** A path segment as SigV4's canonical request spells it (RFC 3986, `/` kept between segments). */
function awsEncode(segment: string): string {
  return encodeURIComponent(segment).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

const hmac = (key: string | Buffer, data: string) =>
  createHmac('sha256', key).update(data).digest();
const hexSha256 = (data: string) => createHash('sha256').update(data).digest('hex');

/**
 * Puts `body` under each of `keys` (full keys in the test bucket), `concurrency` at a time:
 * plain PUTs signed with AWS Signature V4 over kept-alive connections, for tests that need
 * thousands of tiny objects as a fixture. The SDK spends about 1.5 ms of CPU on each such put
 * (its middleware, checksums, response parsing), this about 0.45: 2000 keys took 2.9–3.5 s
 * instead of 5.6–6.8 on this machine, the store's own work being the rest. The store checks
 * every signature; any answer but 200 fails the call with its status and body.
 */
export async function putTinyObjects(keys: readonly string[], body: string, concurrency = 64) {
  const endpoint = new URL(store.S3_ENDPOINT);
  const https = endpoint.protocol === 'https:';
  const agent = https
    ? new HttpsAgent({ keepAlive: true, maxSockets: concurrency })
    : new HttpAgent({ keepAlive: true, maxSockets: concurrency });
  const payloadHash = hexSha256(body);
  const put = (key: string) =>
    new Promise<void>((resolve, reject) => {
      const amzDate = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
      const day = amzDate.slice(0, 8);
      const path = `/${awsEncode(store.S3_BUCKET)}/${key.split('/').map(awsEncode).join('/')}`;
      const signed = 'host;x-amz-content-sha256;x-amz-date';
      const canonical = [
        'PUT',
        path,
        '',
        `host:${endpoint.host}`,
        `x-amz-content-sha256:${payloadHash}`,
        `x-amz-date:${amzDate}`,
        '',
        signed,
        payloadHash,
      ].join('\n');
      const scope = `${day}/${store.S3_REGION}/s3/aws4_request`;
      const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, hexSha256(canonical)].join('\n');
      const key4 = hmac(
        hmac(hmac(hmac(`AWS4${store.S3_SECRET_KEY}`, day), store.S3_REGION), 's3'),
        'aws4_request',
      );
      const signature = createHmac('sha256', key4).update(toSign).digest('hex');
      const request = (https ? httpsRequest : httpRequest)(
        {
          host: endpoint.hostname,
          port: endpoint.port,
          method: 'PUT',
          path,
          agent,
          headers: {
            'content-length': Buffer.byteLength(body),
            'x-amz-content-sha256': payloadHash,
            'x-amz-date': amzDate,
            authorization:
              `AWS4-HMAC-SHA256 Credential=${store.S3_ACCESS_KEY}/${scope}, ` +
              `SignedHeaders=${signed}, Signature=${signature}`,
          },
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8').on('data', (chunk: string) => {
            text += chunk;
          });
          response.on('end', () => {
            if (response.statusCode === 200) resolve();
            else reject(new Error(`PUT ${key}: ${response.statusCode} ${text.slice(0, 500)}`));
          });
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < keys.length) await put(keys[next++]!);
      }),
    );
  } finally {
    agent.destroy();
  }
}

/**
 * An SDK client of its own that counts the requests it sends, by command name
 * (`HeadObjectCommand`, `ListObjectsV2Command`, …): to see what an operation cost the store.
 */
export function countingClient(): { client: S3Client; sent: Record<string, number> } {
  const sent: Record<string, number> = {};
  const client = new S3Client({
    endpoint: store.S3_ENDPOINT,
    region: store.S3_REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: store.S3_ACCESS_KEY, secretAccessKey: store.S3_SECRET_KEY },
  });
  client.middlewareStack.add(
    (next, context) => (args) => {
      const name = context.commandName ?? 'other';
      sent[name] = (sent[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  return { client, sent };
}

/** A key prefix of its own for one test file: `NAME-<random>/`. */
export function uniquePrefix(name: string): string {
  return `${name}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}/`;
}

/** The `cftp server` arguments that serve `prefix` of the test bucket. */
export function storageArgs(prefix: string): string[] {
  return [
    '--storage',
    `s3://${store.S3_BUCKET}/${prefix}`,
    '--s3-endpoint',
    store.S3_ENDPOINT,
    '--s3-path-style',
  ];
}

/** `cftp server 0 --storage s3://BUCKET/PREFIX ...args` (plaintext, 127.0.0.1). */
export async function startS3Server(prefix: string, args: string[] = []): Promise<ServerProcess> {
  const unused = await makeTempDir('cftp-s3-root-'); // --storage replaces it
  return startServer(unused, [...storageArgs(prefix), ...args], {
    env: { ...process.env, ...awsEnv() },
  });
}

/**
 * One server on a fresh prefix for the whole file: started before its tests; after them
 * stopped with SIGTERM (it must exit 0), the prefix emptied and the temporary folders removed.
 */
export function useS3Server(name: string): { prefix: string; server(): ServerProcess } {
  const prefix = uniquePrefix(name);
  let running: ServerProcess | undefined;
  beforeAll(async () => {
    running = await startS3Server(prefix);
  });
  afterAll(async () => {
    const status = await running?.stop('SIGTERM');
    await emptyPrefix(prefix);
    await removeTempDirs();
    expect(status).toEqual({ code: 0, signal: null });
  });
  return {
    prefix,
    server() {
      if (running === undefined) throw new Error('the S3 server has not started');
      return running;
    },
  };
}

/** Runs `cftp client 127.0.0.1 PORT` in `cwd` with these command lines on stdin. */
export function client(
  port: number,
  cwd: string,
  lines: string[],
  deadlineMs?: number,
): Promise<CliResult> {
  return runCftp(['client', '127.0.0.1', String(port)], {
    cwd,
    input: lines.map((line) => `${line}\n`).join(''),
    ...(deadlineMs === undefined ? {} : { deadlineMs }),
  });
}

/** Starts `cftp client` with these command lines and returns at once. */
export function startClient(port: number, cwd: string, lines: string[]): RunningCli {
  return startCftp(['client', '127.0.0.1', String(port)], {
    cwd,
    input: lines.map((line) => `${line}\n`).join(''),
  });
}

/** Every key under `prefix`, relative to it. */
export async function keysUnder(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await sdk.send(
      new ListObjectsV2Command({ Bucket: store.S3_BUCKET, Prefix: prefix, ContinuationToken }),
    );
    for (const object of page.Contents ?? []) keys.push(object.Key!.slice(prefix.length));
    ContinuationToken = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (ContinuationToken !== undefined);
  return keys;
}

/** Multipart uploads in progress under `prefix`: their keys, relative to it. */
export async function uploadsUnder(prefix: string): Promise<string[]> {
  const page = await sdk.send(
    new ListMultipartUploadsCommand({ Bucket: store.S3_BUCKET, Prefix: prefix }),
  );
  return (page.Uploads ?? []).map((upload) => upload.Key!.slice(prefix.length));
}

/**
 * After a file's tests: removes everything under `prefix`, objects and unfinished multipart
 * uploads, unless the store itself is removed after the run.
 */
export async function emptyPrefix(prefix: string): Promise<void> {
  if (!disposable) await removeAllUnder(prefix);
}

async function removeAllUnder(prefix: string): Promise<void> {
  const page = await sdk.send(
    new ListMultipartUploadsCommand({ Bucket: store.S3_BUCKET, Prefix: prefix }),
  );
  for (const upload of page.Uploads ?? []) {
    await sdk.send(
      new AbortMultipartUploadCommand({
        Bucket: store.S3_BUCKET,
        Key: upload.Key,
        UploadId: upload.UploadId,
      }),
    );
  }
  const keys = (await keysUnder(prefix)).map((key) => prefix + key);
  for (let i = 0; i < keys.length; i += 1000) {
    await sdk.send(
      new DeleteObjectsCommand({
        Bucket: store.S3_BUCKET,
        Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true },
      }),
    );
  }
}

/** Resolves once `check` is true, polling the store; fails after `boundMs`. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  boundMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
