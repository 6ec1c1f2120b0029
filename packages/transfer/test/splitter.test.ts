// splitInto: one stream cut into files by declared sizes, over real files and a real socket.
import { randomBytes } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FileSink, splitInto } from '../src/index.js';
import { sha256, useTemp } from './helpers.js';

const temp = useTemp();

async function sinks(sizes: number[]) {
  const dir = await temp.dir();
  return Promise.all(
    sizes.map(async (size, i) => {
      const path = join(dir, `f${i}`);
      return { path, size, stream: new FileSink(await open(path, 'w')) };
    }),
  );
}

describe('splitInto', () => {
  it('cuts the data at the declared sizes, whatever the chunking, zero-byte files included', async () => {
    const parts = [
      randomBytes(10),
      Buffer.alloc(0),
      randomBytes(70_001),
      Buffer.alloc(0),
      randomBytes(3),
    ];
    const targets = await sinks(parts.map((p) => p.byteLength));
    const whole = Buffer.concat(parts);
    // Chunks that straddle file boundaries.
    const chunks = [whole.subarray(0, 7), whole.subarray(7, 40_000), whole.subarray(40_000)];
    const seen = parts.map(() => [] as Buffer[]);
    const received = await splitInto(Readable.from(chunks), targets, (i, part) =>
      seen[i]!.push(Buffer.from(part)),
    );
    expect(received).toBe(whole.byteLength);
    for (const [i, target] of targets.entries()) {
      expect(sha256(await readFile(target.path))).toBe(sha256(parts[i]!));
      expect(sha256(Buffer.concat(seen[i]!))).toBe(sha256(parts[i]!));
    }
  });

  it('refuses bytes beyond the declared total (IntegrityError)', async () => {
    const targets = await sinks([4, 4]);
    const split = splitInto(Readable.from([Buffer.alloc(9)]), targets, () => {});
    await expect(split).rejects.toMatchObject({ code: 'EINTEGRITY' });
    for (const t of targets) t.stream.destroy();
  });

  it('ends every file on short data and reports what came', async () => {
    const targets = await sinks([4, 4]);
    const received = await splitInto(Readable.from([Buffer.from('abcdef')]), targets, () => {});
    expect(received).toBe(6);
    expect((await readFile(targets[1]!.path)).toString()).toBe('ef');
  });

  it('carries the data of a real socket', async () => {
    const { sending, receiving } = await temp.socketPair();
    const parts = [randomBytes(1024 * 1024), randomBytes(333)];
    const targets = await sinks(parts.map((p) => p.byteLength));
    const split = splitInto(receiving, targets, () => {});
    sending.end(Buffer.concat(parts));
    expect(await split).toBe(1024 * 1024 + 333);
    for (const [i, target] of targets.entries()) {
      expect(sha256(await readFile(target.path))).toBe(sha256(parts[i]!));
    }
  });
});
