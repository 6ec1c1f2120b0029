// Two `cftp server` processes over one bucket prefix behave as one server (issue 17): what
// is put through one is listed, stat'ed and fetched through the other at once; folders,
// renames, removals and batches; a put interrupted on one resumes through the other; two
// puts of one name at once leave one whole version. All against the real store.
import { stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  makeTempDir,
  removeTempDirs,
  type ServerProcess,
  sha256File,
  writeRandom,
} from '@cftp/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  client,
  emptyPrefix,
  keysUnder,
  MiB,
  startClient,
  startS3Server,
  uniquePrefix,
  uploadsUnder,
  waitUntil,
} from './s3-helpers.js';

const prefix = uniquePrefix('namespace');
let a: ServerProcess;
let b: ServerProcess;

beforeAll(async () => {
  [a, b] = await Promise.all([startS3Server(prefix), startS3Server(prefix)]);
});

afterAll(async () => {
  const stopped = await Promise.all([a?.stop('SIGTERM'), b?.stop('SIGTERM')]);
  await emptyPrefix(prefix);
  await removeTempDirs();
  for (const status of stopped) expect(status).toEqual({ code: 0, signal: null });
});

/** The names a `ls` printed, without the prompt's echo. */
function listed(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('ftp>'))
    .sort();
}

describe('two servers, one bucket', () => {
  it('lists, stats and fetches through B what was put through A, with mtime and digest', async () => {
    const here = await makeTempDir('cftp-s3-');
    const big = await writeRandom(join(here, 'big.bin'), 20 * MiB + 12345);
    await writeFile(join(here, 'small.txt'), 'hello, bucket\n');
    const mtime = new Date('2024-05-06T07:08:09.000Z');
    await utimes(join(here, 'big.bin'), mtime, mtime);
    const put = await client(a.port, here, ['put big.bin', 'put small.txt']);
    expect(put.code, put.stderr).toBe(0);

    const there = await makeTempDir('cftp-s3-');
    const got = await client(b.port, there, ['ls', 'get big.bin', 'get small.txt', 'stat big.bin']);
    expect(got.code, got.stderr).toBe(0);
    expect(got.stdout).toContain('big.bin');
    expect(got.stdout).toContain('small.txt');
    expect(await sha256File(join(there, 'big.bin'))).toBe(big);
    expect(await sha256File(join(there, 'small.txt'))).toBe(
      await sha256File(join(here, 'small.txt')),
    );
    expect((await stat(join(there, 'big.bin'))).mtimeMs).toBe(mtime.getTime());
    expect(await keysUnder(prefix)).toEqual(expect.arrayContaining(['big.bin', 'small.txt']));
    expect(await uploadsUnder(prefix)).toEqual([]);
  });

  it('makes, renames and removes files and folders across the two servers', async () => {
    const here = await makeTempDir('cftp-s3-');
    await writeFile(join(here, 'f.txt'), 'f');
    const made = await client(a.port, here, ['mkdir d1', 'put f.txt d1/f.txt', 'mkdir d1/sub']);
    expect(made.code, made.stderr).toBe(0);
    expect((await keysUnder(`${prefix}d1/`)).sort()).toEqual(['', 'f.txt', 'sub/']);

    // A piped client stops at the first failed command: one process per refusal.
    const refusals = await Promise.all(
      ['mkdir d1', 'rmdir d1', 'get d1/nothing', 'rm d1', 'ls nowhere'].map((line) =>
        client(b.port, here, [line]),
      ),
    );
    expect(refusals.map((r) => /\((E[A-Z]+)\)/.exec(r.stderr)?.[1])).toEqual([
      'EEXIST',
      'ENOTEMPTY',
      'ENOENT',
      'EISDIR',
      'ENOENT',
    ]);

    const moved = await client(b.port, here, ['rename d1/f.txt d1/g.txt', 'rename d1 d2', 'ls d2']);
    expect(moved.code, moved.stderr).toBe(0);
    expect(listed(moved.stdout)).toEqual(['g.txt', 'sub/']);
    expect((await keysUnder(`${prefix}d2/`)).sort()).toEqual(['', 'g.txt', 'sub/']);
    expect(await keysUnder(`${prefix}d1/`)).toEqual([]);

    const removed = await client(a.port, here, ['rm d2/g.txt', 'rmdir d2/sub', 'rmdir d2']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(await keysUnder(`${prefix}d2/`)).toEqual([]);
  });

  it('moves batches (mput through A, mget through B) with every digest checked', async () => {
    const here = await makeTempDir('cftp-s3-');
    const digests = new Map<string, string>();
    for (let i = 0; i < 24; i++) {
      digests.set(`m${i}.dat`, await writeRandom(join(here, `m${i}.dat`), 1000 + i * 7919));
    }
    const put = await client(a.port, here, ['mkdir batch', 'cd batch', 'mput *.dat']);
    expect(put.code, put.stderr).toBe(0);
    const there = await makeTempDir('cftp-s3-');
    const got = await client(b.port, there, ['cd batch', 'mget *.dat']);
    expect(got.code, got.stderr).toBe(0);
    for (const [name, digest] of digests) expect(await sha256File(join(there, name))).toBe(digest);
  });

  it('resumes through B a put cut off on A, from the partial kept in the bucket', async () => {
    const here = await makeTempDir('cftp-s3-');
    const size = 96 * MiB;
    const digest = await writeRandom(join(here, 'resume.bin'), size);
    const first = startClient(a.port, here, ['put -c resume.bin']);
    // Cut once a segment of the partial is in the bucket (the reserved prefix, §8).
    await waitUntil(
      'a segment of the partial',
      async () => (await keysUnder(`${prefix}.cftp-s3/partials/`)).length > 0,
    );
    first.child.kill('SIGKILL');
    await first.exited;
    // A keeps what it received (its in-flight segments and the tail) before it logs the put.
    expect(
      (await a.waitForLog((l) => l.msg === 'put' && l.path === 'resume.bin')).outcome,
    ).not.toBe('ok');
    expect(await keysUnder(prefix)).not.toContain('resume.bin');

    const second = await client(b.port, here, ['put -c resume.bin']);
    expect(second.code, second.stderr).toBe(0);
    const line = await b.waitForLog((l) => l.msg === 'put' && l.path === 'resume.bin');
    expect(line.outcome).toBe('ok');
    expect(line.bytes as number).toBeLessThan(size); // only what the partial lacked
    expect(await keysUnder(`${prefix}.cftp-s3/`)).toEqual([]);

    const there = await makeTempDir('cftp-s3-');
    const got = await client(a.port, there, ['get resume.bin']);
    expect(got.code, got.stderr).toBe(0);
    expect(await sha256File(join(there, 'resume.bin'))).toBe(digest);
  });

  it('leaves one whole version when A and B take puts of one name at once', async () => {
    const here = await makeTempDir('cftp-s3-');
    const one = await writeRandom(join(here, 'one.bin'), 24 * MiB);
    const two = await writeRandom(join(here, 'two.bin'), 24 * MiB + 1);
    const [viaA, viaB] = await Promise.all([
      client(a.port, here, ['put one.bin same.bin']),
      client(b.port, here, ['put two.bin same.bin']),
    ]);
    expect(viaA.code, viaA.stderr).toBe(0);
    expect(viaB.code, viaB.stderr).toBe(0);
    const there = await makeTempDir('cftp-s3-');
    const got = await client(a.port, there, ['get same.bin']);
    expect(got.code, got.stderr).toBe(0);
    expect([one, two]).toContain(await sha256File(join(there, 'same.bin')));
    expect(await uploadsUnder(prefix)).toEqual([]);
  });
});
