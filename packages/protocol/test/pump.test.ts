import { describe, expect, it } from 'vitest';
import { pump } from '../src/index.js';

/** An in-memory source and sink; writes finish later, out of step with reads. */
function memoryIO(source: Uint8Array, options: { readLimit?: number; failWriteAt?: number } = {}) {
  const written: Uint8Array[] = [];
  const observed: number[] = [];
  let writes = 0;
  let live = 0;
  let maxLive = 0;
  return {
    written,
    observed,
    get maxLive() {
      return maxLive;
    },
    io: {
      read: async (buffer: Uint8Array, position: number) => {
        const n = Math.min(
          buffer.byteLength,
          options.readLimit ?? Infinity,
          source.byteLength - position,
        );
        buffer.set(source.subarray(position, position + n));
        return Math.max(0, n);
      },
      write: async (chunk: Uint8Array) => {
        const index = writes++;
        written.push(new Uint8Array(0)); // keep call order, as a socket does
        live++;
        maxLive = Math.max(maxLive, live);
        await new Promise((r) => setTimeout(r, index % 3));
        // Copied only when the write finishes: had the pump reused `chunk` early, this sees it.
        written[index] = chunk.slice();
        live--;
        if (index === options.failWriteAt) throw new Error('write failed');
      },
      observe: (chunk: Uint8Array) => observed.push(chunk.byteLength),
    },
  };
}

function bytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + 7) & 0xff;
  return out;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

describe('pump: bounded double-buffered copy', () => {
  it.each([0, 1, 1023, 1024, 1025, 10_000])('copies %i bytes exactly, in order', async (n) => {
    const source = bytes(n);
    const m = memoryIO(source);
    const total = await pump(m.io, { chunkBytes: 1024, buffers: 3 });
    expect(total).toBe(n);
    expect(concat(m.written)).toEqual(source);
    expect(m.observed.reduce((a, b) => a + b, 0)).toBe(n);
  });

  it('never has more writes in flight than buffers', async () => {
    const m = memoryIO(bytes(50_000));
    await pump(m.io, { chunkBytes: 1000, buffers: 2 });
    expect(m.maxLive).toBeLessThanOrEqual(2);
    expect(m.maxLive).toBe(2); // and it does overlap
  });

  it('handles short reads', async () => {
    const source = bytes(5000);
    const m = memoryIO(source, { readLimit: 7 });
    expect(await pump(m.io, { chunkBytes: 1024 })).toBe(5000);
    expect(concat(m.written)).toEqual(source);
  });

  it('starts at an offset', async () => {
    const source = bytes(3000);
    const m = memoryIO(source);
    expect(await pump(m.io, { chunkBytes: 512, start: 1000 })).toBe(2000);
    expect(concat(m.written)).toEqual(source.subarray(1000));
  });

  it('rejects when a write fails', async () => {
    const m = memoryIO(bytes(10_000), { failWriteAt: 2 });
    await expect(pump(m.io, { chunkBytes: 1000 })).rejects.toThrow('write failed');
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    const m = memoryIO(bytes(10_000));
    await expect(pump(m.io, { signal: controller.signal })).rejects.toThrow('stop');
    expect(m.written).toHaveLength(0);
  });
});
