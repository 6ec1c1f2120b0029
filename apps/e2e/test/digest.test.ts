// docs/protocol.md §7.1, issue 12: one gigabyte between the real binaries, verified with
// BLAKE3 (both sides list it) and with SHA-256 (`--digest sha256`), the digests checked
// against the bytes on disk. The source is mostly holes with random blocks, so it costs
// little disk; each received copy is removed as soon as it is checked.

import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Blake3Hasher } from '@napi-rs/blake-hash';
import { afterAll, describe, expect, it } from 'vitest';
import { MiB, makeTempDir, removeTempDirs, runCli, startServer } from './helpers.js';

afterAll(removeTempDirs);

const GiB = 1024 * MiB;
/** Generous: a gigabyte at a few MiB/s still passes on a loaded machine. */
const MOVE_DEADLINE_MS = 600_000;

/** A sparse file of `size` bytes with a random 1 MiB block every 32 MiB (and at the end). */
async function writeSparse(path: string, size: number): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.truncate(size);
    for (let at = 0; at < size; at += 32 * MiB) await handle.write(randomBytes(MiB), 0, MiB, at);
    await handle.write(randomBytes(4096), 0, 4096, size - 4096);
  } finally {
    await handle.close();
  }
}

/** SHA-256 and BLAKE3 of a file in one read. */
async function digestsOf(path: string): Promise<{ sha256: string; blake3: string }> {
  const sha256 = createHash('sha256');
  const blake3 = new Blake3Hasher();
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * MiB })) {
    sha256.update(chunk as Buffer);
    blake3.update(chunk as Buffer);
  }
  return { sha256: sha256.digest('hex'), blake3: blake3.digest('hex') };
}

describe('issue 12: 1 GiB between the real binaries, BLAKE3 and SHA-256', () => {
  it(
    'gets with BLAKE3 and puts with --digest sha256, digests checked on disk',
    async () => {
      const root = await makeTempDir();
      const local = await makeTempDir();
      const source = join(root, 'big.bin');
      await writeSparse(source, GiB);
      const expected = await digestsOf(source);
      const server = await startServer(root); // TLS, as users run it
      const at = `127.0.0.1:${server.port}`;
      const json = ['--json'];
      try {
        // Both sides list blake3: the session, and the digest the client reports, is BLAKE3.
        const get = await runCli(['get', ...json, `${at}:/big.bin`, 'got.bin'], {
          cwd: local,
          deadlineMs: MOVE_DEADLINE_MS,
        });
        expect(get).toMatchObject({ code: 0, stderr: '' });
        expect(JSON.parse(get.stdout)).toMatchObject({
          ok: true,
          bytes: GiB,
          blake3: expected.blake3,
        });
        expect(await digestsOf(join(local, 'got.bin'))).toEqual(expected);
        await rm(join(local, 'got.bin'));

        // The client holds the session to SHA-256.
        const put = await runCli(['put', ...json, '--digest', 'sha256', source, `${at}:/up.bin`], {
          cwd: local,
          deadlineMs: MOVE_DEADLINE_MS,
        });
        expect(put).toMatchObject({ code: 0, stderr: '' });
        const reply = JSON.parse(put.stdout) as Record<string, unknown>;
        expect(reply).toMatchObject({ ok: true, bytes: GiB, sha256: expected.sha256 });
        expect(reply.blake3).toBeUndefined();
        expect(await digestsOf(join(root, 'up.bin'))).toEqual(expected);
        await rm(join(root, 'up.bin'));
      } finally {
        expect(await server.stop()).toEqual({ code: 0, signal: null });
        await rm(source, { force: true });
      }
    },
    2 * MOVE_DEADLINE_MS,
  );

  it('a server started with --digest sha256 holds every session to SHA-256', async () => {
    const root = await makeTempDir();
    const local = await makeTempDir();
    await writeSparse(join(root, 'some.bin'), 8 * MiB);
    const expected = await digestsOf(join(root, 'some.bin'));
    const server = await startServer(root, ['--digest', 'sha256']);
    try {
      const get = await runCli(['get', '--json', `127.0.0.1:${server.port}:/some.bin`], {
        cwd: local,
      });
      expect(get).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(get.stdout)).toMatchObject({ ok: true, sha256: expected.sha256 });
      expect(await digestsOf(join(local, 'some.bin'))).toEqual(expected);
    } finally {
      expect(await server.stop()).toEqual({ code: 0, signal: null });
    }
  });
});
