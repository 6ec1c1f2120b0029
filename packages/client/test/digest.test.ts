// docs/protocol.md §7.1: the session's digest between a real server and client. BLAKE3 when
// both list `blake3`; SHA-256 when either side is held to it. Every digest field is checked
// by the peers (a wrong algorithm on one side would be EINTEGRITY), and here against a
// reference for the bytes on disk.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DigestAlgorithm } from '@cftp/protocol';
import { describe, expect, it } from 'vitest';
import { blake3, sha256, useFixture, writeRandom } from './helpers.js';

const fx = useFixture();
const MiB = 1024 * 1024;

const digestOf = (algorithm: DigestAlgorithm, bytes: Uint8Array) =>
  algorithm === 'blake3' ? blake3(bytes) : sha256(bytes);

describe('docs/protocol.md §7.1 the session digest', () => {
  const cases: Array<[string, DigestAlgorithm, DigestAlgorithm, DigestAlgorithm]> = [
    ['both list blake3', 'blake3', 'blake3', 'blake3'],
    ['the server is held to sha256', 'sha256', 'blake3', 'sha256'],
    ['the client is held to sha256', 'blake3', 'sha256', 'sha256'],
  ];
  it.each(cases)('%s', async (_what, serverDigest, clientDigest, expected) => {
    const serverOptions = { digest: serverDigest };
    const clientOptions = { digest: clientDigest };
    const { port, root } = await fx.startServer(serverOptions);
    const client = await fx.connect(port, clientOptions);
    expect(client.server?.features).toContain('sha256');
    expect(client.server?.features.includes('blake3')).toBe(serverOptions.digest !== 'sha256');

    const local = await fx.tempDir();
    const up = await writeRandom(join(local, 'up.bin'), 2 * MiB + 5);
    const put = await client.put(join(local, 'up.bin'), 'up.bin');
    expect(put).toMatchObject({ algorithm: expected, digest: digestOf(expected, up) });
    expect(sha256(await readFile(join(root, 'up.bin')))).toBe(sha256(up));

    const got = await client.get('up.bin', join(local, 'down.bin'));
    expect(got).toMatchObject({ algorithm: expected, digest: digestOf(expected, up) });

    // Batches: the per-file digests and the whole-stream digest, both ways.
    const small = [Buffer.from('one'), Buffer.alloc(0), Buffer.from('three!')];
    await Promise.all(small.map((b, i) => writeFile(join(local, `s${i}`), b)));
    const items = small.map((_, i) => ({ local: join(local, `s${i}`), remote: `s${i}` }));
    expect(await client.putMany(items)).toMatchObject({ files: 3 });
    const back = small.map((_, i) => ({ remote: `s${i}`, local: join(local, `b${i}`) }));
    expect(await client.getMany(back)).toMatchObject({ files: 3 });
    for (const [i, bytes] of small.entries()) {
      expect(sha256(await readFile(join(local, `b${i}`)))).toBe(sha256(bytes));
    }
    expect((await readdir(local)).filter((name) => name.endsWith('.part'))).toEqual([]);
    await client.quit();
  });

  it('resumes a get under BLAKE3 and under SHA-256: the prefix check uses the session digest', async () => {
    for (const digest of ['blake3', 'sha256'] as const) {
      const { port, root } = await fx.startServer({ digest });
      const source = await writeRandom(join(root, 'data.bin'), 3 * MiB + 1);
      const target = await fx.tempDir();
      const client = await fx.connect(port);
      // §8: the client's partial download, keyed by the SHA-256 of the remote path.
      const key = sha256(Buffer.from('data.bin')).slice(0, 16);
      await writeFile(join(target, `.data.bin.cftp-resume-${key}.part`), source.subarray(0, MiB));
      const result = await client.get('data.bin', join(target, 'data.bin'), { resume: true });
      expect(result.resumedFrom).toBe(MiB);
      expect(result).toMatchObject({ algorithm: digest, digest: digestOf(digest, source) });
      expect(sha256(await readFile(join(target, 'data.bin')))).toBe(sha256(source));
      await client.quit();
    }
  });
});
