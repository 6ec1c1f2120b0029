// A 1 GiB put and get through a server on the real store (issue 17), digests checked on
// both sides: the file crosses many multipart parts and one long ranged GetObject.
import { join } from 'node:path';
import {
  makeTempDir,
  removeTempDirs,
  type ServerProcess,
  sha256File,
  writeRandom,
} from '@cftp/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  client,
  emptyPrefix,
  keysUnder,
  MiB,
  startS3Server,
  uniquePrefix,
  uploadsUnder,
} from './s3-helpers.js';

const prefix = uniquePrefix('big');
let server: ServerProcess;

beforeAll(async () => {
  server = await startS3Server(prefix);
});

afterAll(async () => {
  const status = await server?.stop('SIGTERM');
  await emptyPrefix(prefix);
  await removeTempDirs();
  expect(status).toEqual({ code: 0, signal: null });
});

it('puts and gets 1 GiB with the digests checked end to end', async () => {
  const here = await makeTempDir('cftp-s3-');
  const digest = await writeRandom(join(here, 'gig.bin'), 1024 * MiB);
  const put = await client(server.port, here, ['put gig.bin'], 600_000);
  expect(put.code, put.stderr).toBe(0);
  expect(await keysUnder(prefix)).toEqual(['gig.bin']);
  expect(await uploadsUnder(prefix)).toEqual([]);
  const there = await makeTempDir('cftp-s3-');
  const get = await client(server.port, there, ['get gig.bin'], 600_000);
  expect(get.code, get.stderr).toBe(0);
  expect(await sha256File(join(there, 'gig.bin'))).toBe(digest);
});
