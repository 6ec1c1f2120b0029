// The start-up sweep on a folder several servers share (NFS, CephFS; docs/protocol.md §8,
// issue 17): one-off temporary names carry the writer's instance id (host, then process) and
// creation time, and a starting server never removes another host's live server's temporary
// file, only ones idle for longer than any live upload is; its own host's killed
// predecessor's files go at once, as §8 always said.
import { createHash } from 'node:crypto';
import { readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { nextTempStamp, oneOffTempKey, oneOffTempKeyParts, tempName } from '@cftp/protocol';
import { describe, expect, it } from 'vitest';
import { LocalStorage } from '../src/index.js';
import { partFiles, useFixture } from './fixture.js';

const fx = useFixture();

async function writeAged(path: string, ageMs: number): Promise<void> {
  await writeFile(path, 'bytes');
  const when = new Date(Date.now() - ageMs);
  await utimes(path, when, when);
}

describe('temporary names of one-off uploads (§8)', () => {
  it('carry the instance id and creation time, read back from the name', () => {
    const key = oneOffTempKey('0a1b2c3d', Date.UTC(2026, 11, 4, 12, 0, 0) / 1000);
    expect(key).toMatch(/^0a1b2c3d[0-9a-f]{8}$/);
    expect(oneOffTempKeyParts(tempName('x.bin', key))).toEqual({
      instance: '0a1b2c3d',
      host: '0a1b',
      createdMs: Date.UTC(2026, 11, 4, 12, 0, 0),
    });
    expect(oneOffTempKeyParts('.x.bin.cftp-resume-0123456789abcdef.part')).toBeUndefined();
    expect(() => oneOffTempKey('xyz', 0)).toThrow(RangeError);
    // Faster than one a second: each stamp still unique, a little ahead of the clock.
    expect(nextTempStamp(0, 5_500)).toBe(5);
    expect(nextTempStamp(5, 5_900)).toBe(6);
  });

  it('are what uploads in progress are written to, one name each', async () => {
    const root = await fx.tempDir();
    const storage = new LocalStorage(root);
    const uploads = await Promise.all([1, 2, 3].map(() => storage.createUpload(['a.bin'])));
    const temps = await partFiles(root);
    expect(new Set(temps).size).toBe(3);
    for (const temp of temps) {
      expect(oneOffTempKeyParts(temp)?.createdMs).toBeGreaterThan(Date.now() - 60_000);
    }
    await Promise.all(uploads.map((upload) => upload.abort()));
  });

  it("take the next stamp when another instance with this one's id took the name (EEXIST)", async () => {
    const root = await fx.tempDir();
    const storage = new LocalStorage(root);
    const first = await storage.createUpload(['a.bin']);
    const [taken] = await partFiles(root);
    const parts = oneOffTempKeyParts(taken ?? '');
    if (parts === undefined) throw new Error(`not a one-off temporary name: ${taken}`);
    const last = parts.createdMs / 1000;
    // Another instance with the same id, writing the same name in each of the next seconds.
    const window = Array.from(
      { length: Math.max(Math.floor(Date.now() / 1000), last) + 5 - last },
      (_, i) => tempName('a.bin', oneOffTempKey(parts.instance, last + 1 + i)),
    );
    await Promise.all(window.map((name) => writeFile(join(root, name), 'theirs')));
    const second = await storage.createUpload(['a.bin']);
    second.stream.end('mine');
    await finished(second.stream);
    await second.commit();
    expect(await readFile(join(root, 'a.bin'), 'utf8')).toBe('mine');
    for (const name of window) expect(await readFile(join(root, name), 'utf8')).toBe('theirs');
    await first.abort();
  });
});

describe('sweep on a shared folder', () => {
  it("keeps another host's recently written temp file; removes one idle past the bound, and this host's", async () => {
    const root = await fx.tempDir();
    const named = (instance: string, ageMs: number) =>
      tempName('f.bin', oneOffTempKey(instance, (Date.now() - ageMs) / 1000));
    const thisHost = createHash('sha256').update(hostname()).digest('hex').slice(0, 4);
    const otherHost = thisHost === 'dead' ? 'beef' : 'dead';
    const live = named(`${otherHost}0001`, 5_000);
    const dead = named(`${otherHost}0002`, 3_600_000);
    const predecessor = named(`${thisHost}0003`, 5_000); // a server on this host, killed
    await writeAged(join(root, live), 5_000); // written 5 s ago: its server may be mid-upload
    await writeAged(join(root, dead), 3_600_000);
    await writeAged(join(root, predecessor), 5_000);
    const result = await new LocalStorage(root).sweep({
      startedAt: Date.now(),
      partialMaxAgeMs: 7 * 86_400_000,
      maxEntries: 100,
      liveIdleMs: 60_000,
    });
    expect(result.removedTemporary).toBe(2);
    expect(await readdir(root)).toEqual([live]);
  });
});
