// The start-up sweep of what interrupted uploads left behind (docs/protocol.md §8), and
// storage errors while an upload is written (ENOSPC).
import { mkdir, readdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { openData, sendAndEnd, sha256 } from '@cftp/wire-test';
import { describe, expect, it } from 'vitest';
import { LocalStorage, type Storage, type Upload } from '../src/index.js';
import { partFiles, randomData, useFixture } from './fixture.js';

const fx = useFixture();

const HOUR_MS = 3600 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** Writes `path` and sets its modification time `ageMs` in the past. */
async function writeAged(path: string, ageMs: number): Promise<void> {
  await writeFile(path, 'left over');
  const when = new Date(Date.now() - ageMs);
  await utimes(path, when, when);
}

describe('sweep after listen (§8)', () => {
  it('removes leftover temp files, keeps young resumable partials, drops old ones', async () => {
    const root = await fx.tempDir();
    await mkdir(join(root, 'deep', 'er'), { recursive: true });
    await writeAged(join(root, '.a.bin.cftp-0123456789abcdef.part'), HOUR_MS);
    await writeAged(join(root, 'deep', 'er', '.b.bin.cftp-fedcba9876543210.part'), HOUR_MS);
    await writeAged(join(root, '.c.bin.cftp-resume-0123456789abcdef.part'), DAY_MS);
    await writeAged(join(root, '.d.bin.cftp-resume-fedcba9876543210.part'), 8 * DAY_MS);
    await writeAged(join(root, 'x.cftp-0123456789abcdef.part'), HOUR_MS); // not a temp name
    await writeAged(join(root, 'kept.txt'), HOUR_MS);
    const { server } = await fx.start({ root, partialMaxAgeMs: 7 * DAY_MS });
    const result = await server.sweepFinished();
    expect(result).toMatchObject({
      removedTemporary: 2,
      removedPartials: 1,
      keptPartials: 1,
      truncated: false,
    });
    expect((await readdir(root)).sort()).toEqual(
      [
        '.c.bin.cftp-resume-0123456789abcdef.part',
        'deep',
        'kept.txt',
        'x.cftp-0123456789abcdef.part',
      ].sort(),
    );
    expect(await readdir(join(root, 'deep', 'er'))).toEqual([]);
  });

  it('does not follow a symlink out of the root', async () => {
    const base = await fx.tempDir();
    const root = join(base, 'root');
    const outside = join(base, 'outside');
    await mkdir(root);
    await mkdir(outside);
    await writeAged(join(outside, '.x.cftp-0123456789abcdef.part'), HOUR_MS);
    await symlink(outside, join(root, 'link'));
    const { server } = await fx.start({ root });
    expect(await server.sweepFinished()).toMatchObject({ removedTemporary: 0 });
    expect(await readdir(outside)).toEqual(['.x.cftp-0123456789abcdef.part']);
  });

  it('stops after maxEntries, and does nothing with sweepOnStart false', async () => {
    const root = await fx.tempDir();
    for (let i = 0; i < 20; i++) await writeAged(join(root, `f${i}.txt`), HOUR_MS);
    await writeAged(join(root, '.a.cftp-0123456789abcdef.part'), HOUR_MS);
    const bounded = await fx.start({ root, sweepMaxEntries: 5 });
    expect(await bounded.server.sweepFinished()).toMatchObject({ visited: 5, truncated: true });
    await bounded.server.close(0);

    const off = await fx.start({ root, sweepOnStart: false });
    expect(await off.server.sweepFinished()).toBeUndefined();
    expect(await partFiles(root)).toHaveLength(1);
  });

  it('never removes the temporary file of an upload in progress', async () => {
    const root = await fx.tempDir();
    const storage = new LocalStorage(root);
    const upload = await storage.createUpload(['busy.bin']);
    // Pretend the server started in the future: every file looks like a leftover.
    const result = await storage.sweep({
      startedAt: Date.now() + DAY_MS,
      partialMaxAgeMs: 1,
      maxEntries: 100,
    });
    expect(result.removedTemporary).toBe(0);
    expect(await partFiles(root)).toHaveLength(1);
    await upload.abort();
    expect(await readdir(root)).toEqual([]);
  });
});

/**
 * A LocalStorage whose uploads fail with ENOSPC after `limit` bytes. Only for this engine
 * test of the error mapping; apps/hostile fills a real tmpfs where mounting is permitted.
 */
function fullDisk(root: string, limit: number): Storage {
  const local = new LocalStorage(root);
  return new Proxy(local, {
    get(target, property, receiver) {
      if (property !== 'createUpload') return Reflect.get(target, property, receiver);
      return async (...args: Parameters<Storage['createUpload']>): Promise<Upload> => {
        const upload = await target.createUpload(...args);
        let written = 0;
        const stream = new Writable({
          write(chunk: Buffer, _encoding, callback) {
            written += chunk.byteLength;
            if (written > limit) {
              const error: NodeJS.ErrnoException = new Error('ENOSPC: no space left on device');
              error.code = 'ENOSPC';
              callback(error);
              return;
            }
            upload.stream.write(chunk, callback);
          },
          final(callback) {
            // Finished means on disk and closed, as with the real stream (commit checks it).
            upload.stream.once('error', callback);
            upload.stream.once('close', () => callback());
            upload.stream.end();
          },
        });
        return {
          offset: upload.offset,
          read: upload.read,
          stream,
          commit: upload.commit,
          abort: async (keep) => {
            stream.destroy();
            await upload.abort(keep);
          },
        };
      };
    },
  });
}

describe('storage errors during an upload', () => {
  it('answers ENOSPC, removes the temp file and keeps the session usable', async () => {
    const root = await fx.tempDir();
    const { port } = await fx.start({ storage: fullDisk(root, 64 * 1024) });
    const control = await fx.control(port);
    const content = randomData(1024 * 1024);
    control.send({ type: 'put', id: 1, path: 'big.bin', size: content.length });
    const ready = await control.expect(1, 'ready');
    const data = fx.track(await openData(ready.port, ready.token));
    data.on('error', () => {});
    data.end(content);
    expect(await control.finalErrorCode(1)).toBe('ENOSPC');
    expect(await readdir(root)).toEqual([]);

    const small = Buffer.from('fits');
    control.send({ type: 'put', id: 2, path: 'small.txt', size: small.length });
    const again = await control.expect(2, 'ready');
    await sendAndEnd(fx.track(await openData(again.port, again.token)), small);
    control.send({ type: 'done', id: 2, size: small.length, sha256: sha256(small) });
    await control.expect(2, 'ok');
    expect(await readdir(root)).toEqual(['small.txt']);
  });
});
