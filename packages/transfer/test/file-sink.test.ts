// FileSink: every byte on disk in order once the stream finishes, and the handle closed
// (after the final fsync, or when destroyed).
import { randomBytes } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { FileSink } from '../src/index.js';
import { sha256, useTemp } from './helpers.js';

const temp = useTemp();

describe('FileSink', () => {
  it('writes every chunk, in order, and closes the handle after the final sync', async () => {
    const path = join(await temp.dir(), 'out.bin');
    const handle = await open(path, 'w');
    const chunks = Array.from({ length: 200 }, (_, i) => randomBytes(1 + ((i * 7919) % 70_000)));
    await pipeline(Readable.from(chunks), new FileSink(handle));
    const written = await readFile(path);
    expect(written.byteLength).toBe(chunks.reduce((n, c) => n + c.byteLength, 0));
    expect(sha256(written)).toBe(sha256(Buffer.concat(chunks)));
    expect(handle.fd).toBe(-1); // closed by the sink
  });

  it('writes an empty file when nothing comes', async () => {
    const path = join(await temp.dir(), 'empty.bin');
    await pipeline(Readable.from([]), new FileSink(await open(path, 'w')));
    expect((await readFile(path)).byteLength).toBe(0);
  });

  it('closes the handle when destroyed before it finishes', async () => {
    const path = join(await temp.dir(), 'half.bin');
    const handle = await open(path, 'w');
    const sink = new FileSink(handle);
    sink.write(Buffer.from('some'));
    const closed = new Promise<void>((resolve) => sink.once('close', () => resolve()));
    sink.destroy();
    await closed;
    expect(handle.fd).toBe(-1);
  });

  it('fails with the file error when the handle cannot write', async () => {
    const path = join(await temp.dir(), 'readonly.bin');
    await open(path, 'w').then((h) => h.close());
    const sink = new FileSink(await open(path, 'r'));
    await expect(pipeline(Readable.from([Buffer.from('x')]), sink)).rejects.toMatchObject({
      code: 'EBADF',
    });
  });
});
