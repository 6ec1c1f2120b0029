// Throttling (issue 17: "throttling retried with back-off, then EBUSY"). A real Ceph cannot
// be made to throttle on demand, so a small HTTP proxy on 127.0.0.1 stands in for a store
// under load: it forwards requests to the real store, or answers the ones chosen with
// S3's `503 SlowDown`. Retried requests go on to the real store unchanged (a SigV4
// signature covers the Host header, which the proxy passes as it came).
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CftpError } from '@cftp/protocol';
import { createS3Client, S3Storage } from '@cftp/storage-s3';
import {
  makeTempDir,
  removeTempDirs,
  type ServerProcess,
  sha256File,
  startServer,
} from '@cftp/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  awsEnv,
  client,
  emptyPrefix,
  keysUnder,
  MiB,
  sdk,
  store,
  uniquePrefix,
  uploadsUnder,
} from './s3-helpers.js';

const SLOW_DOWN = `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`;

/** The proxy: `refuse` picks the requests answered with SlowDown; `seen` logs them all. */
interface Throttle {
  url: string;
  refuse: (request: IncomingMessage) => boolean;
  seen: Array<{ method: string; url: string; refused: boolean }>;
  server: Server;
}

async function startThrottle(target: string): Promise<Throttle> {
  const upstream = new URL(target);
  const throttle: Throttle = { url: '', refuse: () => false, seen: [], server: createServer() };
  throttle.server.on('request', (req, res) => {
    const refused = throttle.refuse(req);
    throttle.seen.push({ method: req.method ?? '', url: req.url ?? '', refused });
    if (refused) {
      // The body is read first, as a store does, so the client sees the reply, not EPIPE.
      req.resume();
      req.once('end', () => {
        res.writeHead(503, { 'content-type': 'application/xml' });
        res.end(SLOW_DOWN);
      });
      return;
    }
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    forward.once('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => throttle.server.listen(0, '127.0.0.1', resolve));
  throttle.url = `http://127.0.0.1:${(throttle.server.address() as AddressInfo).port}`;
  return throttle;
}

const prefix = uniquePrefix('throttle');
const content = randomBytes(3 * MiB);
let throttle: Throttle;
let server: ServerProcess;
const savedEnv = new Map<string, string | undefined>();

beforeAll(async () => {
  throttle = await startThrottle(store.S3_ENDPOINT);
  await sdk.send(
    new PutObjectCommand({ Bucket: store.S3_BUCKET, Key: `${prefix}hello.bin`, Body: content }),
  );
  const unused = await makeTempDir('cftp-s3-root-');
  server = await startServer(
    unused,
    [
      '--storage',
      `s3://${store.S3_BUCKET}/${prefix}`,
      '--s3-endpoint',
      throttle.url,
      '--s3-path-style',
    ],
    { env: { ...process.env, ...awsEnv() } },
  );
  // The in-process storage below reads its keys from the standard chain, as a server does;
  // put back after, for the files that run after this one in the same worker.
  for (const name of Object.keys(awsEnv())) savedEnv.set(name, process.env[name]);
  Object.assign(process.env, awsEnv());
});

afterAll(async () => {
  for (const [name, value] of savedEnv) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  const status = await server?.stop('SIGTERM');
  await new Promise((resolve) => throttle?.server.close(resolve));
  throttle?.server.closeAllConnections();
  await emptyPrefix(prefix);
  await removeTempDirs();
  expect(status).toEqual({ code: 0, signal: null });
});

describe('a throttling store', () => {
  it('is retried with back-off by a cftp server: a get still succeeds', async () => {
    let refuse = 2; // fewer than the attempts a server makes (DEFAULT_MAX_ATTEMPTS)
    throttle.seen.length = 0;
    // Only the file's requests: the server's start-up sweep may still be under way.
    throttle.refuse = (req) => req.url?.endsWith('/hello.bin') === true && refuse-- > 0;
    const here = await makeTempDir('cftp-s3-');
    const get = await client(server.port, here, ['get hello.bin']);
    throttle.refuse = () => false;
    expect(get.code, get.stderr).toBe(0);
    expect(await sha256File(join(here, 'hello.bin'))).toBe(
      createHash('sha256').update(content).digest('hex'),
    );
    const refused = throttle.seen.filter((r) => r.refused);
    expect(refused).toHaveLength(2);
    // Each refused request was asked again and went through.
    for (const { method, url } of refused) {
      expect(throttle.seen).toContainEqual({ method, url, refused: false });
    }
  });

  describe('gives up with EBUSY after its attempts', () => {
    // Four attempts, not a server's six: the back-off of throttling is up to 1 s, 2 s, 4 s…
    // (of a bare 503, up to 50, 100, 200 ms: three waits all under 1 ms: about 1 in 10^6).
    const storage = () =>
      new S3Storage({
        client: createS3Client({ endpoint: throttle.url, forcePathStyle: true, maxAttempts: 4 }),
        bucket: store.S3_BUCKET,
        prefix,
        partSize: 5 * MiB,
        queueSize: 2,
      });

    it('on a read: the stable code, the store asked four times, waiting between', async () => {
      throttle.seen.length = 0;
      throttle.refuse = () => true;
      const failure = await storage()
        .stat(['hello.bin'])
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      throttle.refuse = () => false;
      expect(failure).toBeInstanceOf(CftpError);
      expect(failure).toMatchObject({ code: 'EBUSY', path: 'hello.bin' });
      // A HEAD reply has no body, so no `SlowDown` code: a bare 503, retried all the same.
      expect((failure as Error).message).toContain('(HTTP 503)');
      const sdkError = (failure as Error).cause as {
        $metadata: { attempts: number; totalRetryDelay: number };
      };
      expect(sdkError.$metadata.attempts).toBe(4);
      expect(sdkError.$metadata.totalRetryDelay).toBeGreaterThan(0);
      // (The server process of the first test shares the proxy: only this key counts.)
      const asked = throttle.seen.filter((r) => r.url.endsWith('/hello.bin'));
      expect(asked.map((r) => r.method)).toEqual(['HEAD', 'HEAD', 'HEAD', 'HEAD']);
    });

    it('on a HEAD in a listing or a tree: the file is left out and counted, not dropped', async () => {
      // A listing takes mtime and mode from a HEAD per file; a failed one must not pass for a
      // file removed meanwhile, or a sync from this store would delete it at the destination.
      throttle.refuse = (req) => req.method === 'HEAD' && req.url?.endsWith('/hello.bin') === true;
      try {
        const listing = await storage().list([]);
        const names: string[] = [];
        for await (const batch of listing) names.push(...batch.map((entry) => entry.name));
        expect(names).not.toContain('hello.bin');
        expect(listing.skipped).toBe(1);

        const subtree = await storage().subtree([]);
        const paths: string[] = [];
        for await (const batch of subtree) {
          paths.push(...batch.map(({ below, entry }) => [...below, entry.name].join('/')));
        }
        expect(paths).not.toContain('hello.bin');
        expect(subtree.skipped).toBe(1);
      } finally {
        throttle.refuse = () => false;
      }
    });

    it('on a put whose parts are throttled: EBUSY, nothing committed, the upload aborted', async () => {
      throttle.refuse = (req) => req.method === 'PUT' && /[?&]partNumber=/.test(req.url ?? '');
      const upload = await storage().createUpload(['big.bin'], { mtime: 1000 });
      // A failed part fails a write (or the end), and then the stream emits 'error'.
      const errored = new Promise((resolve) => upload.stream.once('error', resolve));
      const block = randomBytes(MiB);
      let failure: unknown;
      for (let i = 0; i < 12 && failure === undefined; i++) {
        await new Promise<void>((resolve) =>
          upload.stream.write(block, (error) => {
            failure ??= error ?? undefined;
            resolve();
          }),
        );
      }
      if (failure === undefined) {
        upload.stream.end();
        failure = await errored;
      }
      await upload.abort();
      throttle.refuse = () => false;
      expect(failure).toMatchObject({ code: 'EBUSY' });
      expect(await keysUnder(prefix)).not.toContain('big.bin');
      expect(await uploadsUnder(prefix)).toEqual([]);
    });
  });
});
