// The test tools' own checks that need no server: file helpers agree with each other and
// with node:crypto, and raw frames carry the length the codec expects (docs/protocol.md §2).
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  frameHeader,
  rawFrame,
  sha256,
  sha256File,
  writeRandom,
  writeRandomBytes,
} from '../src/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cftp-wire-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('file helpers', () => {
  it('writeRandom writes exactly `size` bytes, in several chunks, and returns their SHA-256', async () => {
    const path = join(dir, 'random.bin');
    const size = 2 * 1024 * 1024 + 17; // more than one 1 MiB chunk, not a multiple of it
    const digest = await writeRandom(path, size);
    const bytes = await readFile(path);
    expect(bytes.byteLength).toBe(size);
    expect(digest).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(await sha256File(path)).toBe(digest);
    expect(sha256(bytes)).toBe(digest);
  });

  it('writeRandom of 0 bytes makes an empty file with the SHA-256 of nothing', async () => {
    const path = join(dir, 'empty.bin');
    expect(await writeRandom(path, 0)).toBe(sha256(new Uint8Array(0)));
    expect((await stat(path)).size).toBe(0);
  });

  it('writeRandom with `exclusive` refuses to replace a file', async () => {
    const path = join(dir, 'taken.bin');
    await writeFile(path, 'already here');
    await expect(writeRandom(path, 10, { exclusive: true })).rejects.toMatchObject({
      code: 'EEXIST',
    });
    expect(await readFile(path, 'utf8')).toBe('already here');
  });

  it('writeRandomBytes returns the very bytes it wrote', async () => {
    const path = join(dir, 'bytes.bin');
    const bytes = await writeRandomBytes(path, 1000);
    expect(Buffer.compare(bytes, await readFile(path))).toBe(0);
  });
});

describe('raw frames', () => {
  it('a frame is a 4-byte big-endian length, then the payload', () => {
    expect([...frameHeader(0x01020304)]).toEqual([1, 2, 3, 4]);
    const frame = rawFrame('{"type":"x"}');
    expect(frame.readUInt32BE(0)).toBe(12);
    expect(frame.subarray(4).toString()).toBe('{"type":"x"}');
  });
});
