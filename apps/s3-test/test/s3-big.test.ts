// A 1 GiB put and get through a server on the real store (issue 17), digests checked on
// both sides: the file crosses many multipart parts and one long ranged GetObject.
import { join } from 'node:path';
import { makeTempDir, sha256File, writeRandom } from '@cftp/testkit';
import { expect, it } from 'vitest';
import { client, keysUnder, MiB, uploadsUnder, useS3Server } from './s3-helpers.js';

const s3 = useS3Server('big');
const prefix = s3.prefix;

it('puts and gets 1 GiB with the digests checked end to end', async () => {
  const here = await makeTempDir('cftp-s3-');
  const digest = await writeRandom(join(here, 'gig.bin'), 1024 * MiB);
  const put = await client(s3.server().port, here, ['put gig.bin'], 600_000);
  expect(put.code, put.stderr).toBe(0);
  expect(await keysUnder(prefix)).toEqual(['gig.bin']);
  expect(await uploadsUnder(prefix)).toEqual([]);
  const there = await makeTempDir('cftp-s3-');
  const get = await client(s3.server().port, there, ['get gig.bin'], 600_000);
  expect(get.code, get.stderr).toBe(0);
  expect(await sha256File(join(there, 'gig.bin'))).toBe(digest);
});
