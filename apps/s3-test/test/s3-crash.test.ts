// A server killed with SIGKILL in the middle of a put (issue 17, docs/protocol.md §8):
// nothing appears under the name, and the next start's sweep aborts the orphaned multipart
// upload (it is older than --partial-max-age) and removes old resumable partials.
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { makeTempDir, removeTempDirs, writeRandom } from '@cftp/testkit';
import { afterAll, expect, it } from 'vitest';
import {
  emptyPrefix,
  keysUnder,
  MiB,
  sdk,
  startClient,
  startS3Server,
  store,
  uniquePrefix,
  uploadsUnder,
  waitUntil,
} from './s3-helpers.js';

const prefix = uniquePrefix('crash');

afterAll(async () => {
  await emptyPrefix(prefix);
  await removeTempDirs();
});

it('leaves nothing under the name after kill -9, and the next start aborts the upload', async () => {
  const here = await makeTempDir('cftp-s3-');
  await writeRandom(join(here, 'cut.bin'), 80 * MiB);
  // A resumable partial from long ago, for the sweep to remove too.
  await sdk.send(
    new PutObjectCommand({
      Bucket: store.S3_BUCKET,
      Key: `${prefix}.cftp-s3/partials/0123.0123456789abcdef/000001`,
      Body: 'old',
    }),
  );
  const first = await startS3Server(prefix, ['--no-sweep']);
  const put = startClient(first.port, here, ['put cut.bin']);
  await waitUntil('the multipart upload of cut.bin', async () =>
    (await uploadsUnder(prefix)).includes('cut.bin'),
  );
  expect(await first.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
  await put.exited;
  expect(await keysUnder(prefix)).not.toContain('cut.bin');
  expect(await uploadsUnder(prefix)).toEqual(['cut.bin']);

  const second = await startS3Server(prefix, ['--partial-max-age', '1ms']);
  const sweep = await second.waitForLog((line) => line.msg === 'sweep');
  expect(sweep).toMatchObject({ removedTemporary: 1, removedPartials: 1, truncated: false });
  expect(await uploadsUnder(prefix)).toEqual([]);
  expect(await keysUnder(prefix)).toEqual([]);
  expect(await second.stop('SIGTERM')).toEqual({ code: 0, signal: null });
});
