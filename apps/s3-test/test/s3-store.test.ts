// The S3 backend's own guarantees against the real store (issue 17): a lying digest commits
// nothing and leaves no multipart upload behind; a listing of 10 000 keys streams whole; the
// reserved prefix is invisible; refused credentials stop the server at start with EACCES.
import { randomBytes } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { makeTempDir, startServer } from '@cftp/testkit';
import { Control, openData, readAll, sendAndEnd, sha256 } from '@cftp/wire-test';
import { describe, expect, it } from 'vitest';
import {
  awsEnv,
  keysUnder,
  MiB,
  putTinyObjects,
  sdk,
  storageArgs,
  store,
  uploadsUnder,
  useS3Server,
} from './s3-helpers.js';

const s3 = useS3Server('store');
const prefix = s3.prefix;

/** Puts `body` under PREFIX/KEY directly, with the SDK. */
function putDirect(key: string, body: string | Buffer) {
  return sdk.send(new PutObjectCommand({ Bucket: store.S3_BUCKET, Key: prefix + key, Body: body }));
}

describe('S3 storage', () => {
  it('commits nothing and aborts the multipart upload when the digest lies', async () => {
    const control = await Control.ready(s3.server().port);
    const data = randomBytes(20 * MiB); // more than one part: a multipart upload exists
    const id = control.newId();
    control.send({ type: 'put', id, path: 'lie.bin', size: data.byteLength });
    const ready = await control.expect(id, 'ready');
    const socket = await openData(ready.port, ready.token);
    await sendAndEnd(socket, data);
    const wrong = sha256(Buffer.concat([data.subarray(1), Buffer.from('x')]));
    control.send({ type: 'done', id, size: data.byteLength, sha256: wrong });
    expect(await control.finalErrorCode(id)).toBe('EINTEGRITY');
    expect(await keysUnder(prefix)).not.toContain('lie.bin');
    expect(await uploadsUnder(prefix)).toEqual([]);

    // And the same bytes with the true digest are committed whole.
    const again = control.newId();
    control.send({ type: 'put', id: again, path: 'lie.bin', size: data.byteLength });
    const second = await control.expect(again, 'ready');
    await sendAndEnd(await openData(second.port, second.token), data);
    control.send({ type: 'done', id: again, size: data.byteLength, sha256: sha256(data) });
    expect((await control.expect(again, 'ok')).sha256).toBe(sha256(data));
    // The stored object itself, read behind the server's back: the receiver reuses its
    // blocks once the part sink's write callback has run, so a sink that kept a reference
    // to one would store other bytes than the ones it hashed.
    const stored = await sdk.send(
      new GetObjectCommand({ Bucket: store.S3_BUCKET, Key: `${prefix}lie.bin` }),
    );
    expect(sha256(Buffer.from(await stored.Body!.transformToByteArray()))).toBe(sha256(data));
    control.close();
  });

  it('lists a folder of 10 000 keys, every one, in one streamed listing', async () => {
    const count = 10_000;
    const names = Array.from({ length: count }, (_, i) => `k${String(i).padStart(5, '0')}`);
    await putTinyObjects(
      names.map((name) => `${prefix}many/${name}`),
      'x',
    );
    const control = await Control.ready(s3.server().port);
    const id = control.newId();
    control.send({ type: 'list', id, path: 'many' });
    const ready = await control.expect(id, 'ready');
    const bytes = await readAll(await openData(ready.port, ready.token));
    const done = await control.expect(id, 'done');
    const entries = bytes
      .toString('utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { name: string; type: string; size: number });
    expect(done.count).toBe(count);
    expect(done.sha256).toBe(sha256(bytes));
    expect(entries.map((e) => e.name).sort()).toEqual(names);
    expect(entries.every((e) => e.type === 'file' && e.size === 1)).toBe(true);
    control.close();
  });

  it('keeps the reserved prefix out of listings and out of reach', async () => {
    await putDirect('.cftp-s3/partials/x/000001', 'secret');
    const control = await Control.ready(s3.server().port);
    const list = control.newId();
    control.send({ type: 'list', id: list, path: '' });
    const ready = await control.expect(list, 'ready');
    const listing = (await readAll(await openData(ready.port, ready.token))).toString('utf8');
    await control.expect(list, 'done');
    expect(listing).not.toContain('.cftp-s3');
    const get = control.newId();
    control.send({ type: 'get', id: get, path: '.cftp-s3/partials/x/000001' });
    expect(await control.errorCode(get)).toBe('ENOENT');
    const mkdir = control.newId();
    control.send({ type: 'mkdir', id: mkdir, path: '.cftp-s3/mine' });
    expect(await control.errorCode(mkdir)).toBe('EBADNAME');
    control.close();
  });

  it('refuses to start with credentials the store refuses (EACCES), naming the bucket', async () => {
    const root = await makeTempDir('cftp-s3-root-');
    const start = startServer(root, storageArgs(prefix), {
      env: { ...process.env, ...awsEnv(), AWS_SECRET_ACCESS_KEY: 'not-the-secret' },
    });
    await expect(start).rejects.toThrow(/cannot serve s3:\/\/.*refused access.*/);
  });
});
