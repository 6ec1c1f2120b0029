import { describe, expect, it } from 'vitest';
import { WriteBehind } from '../src/index.js';

function recorder(options: { failDatasync?: boolean } = {}) {
  const log: string[] = [];
  let release: (() => void) | undefined;
  return {
    log,
    releaseSync: () => release?.(),
    io: {
      write: async (chunks: readonly Uint8Array[]) => {
        log.push(`write ${chunks.reduce((n, c) => n + c.byteLength, 0)}`);
      },
      datasync: () => {
        log.push('datasync');
        return new Promise<void>((resolve, reject) => {
          release = () => (options.failDatasync ? reject(new Error('EIO')) : resolve());
        });
      },
      sync: async () => {
        log.push('sync');
      },
    },
  };
}

const bytes = (n: number) => new Uint8Array(n);

describe('WriteBehind (docs/protocol.md §8 durable commits)', () => {
  it('flushes in the background every N bytes, one flush at a time, and syncs at the end', async () => {
    const r = recorder();
    const w = new WriteBehind(r.io, 100);
    await w.write([bytes(60)]);
    await w.write([bytes(50)]); // 110 ≥ 100: a background flush starts
    await w.write([bytes(200)]); // still flushing: no second one
    expect(r.log).toEqual(['write 60', 'write 50', 'datasync', 'write 200']);
    const finished = w.finish();
    r.releaseSync();
    await finished;
    expect(r.log.at(-1)).toBe('sync');
  });

  it('does not flush before the threshold', async () => {
    const r = recorder();
    const w = new WriteBehind(r.io, 1000);
    await w.write([bytes(10), bytes(20)]);
    await w.finish();
    expect(r.log).toEqual(['write 30', 'sync']);
  });

  it('reports a failed background flush when finishing', async () => {
    const r = recorder({ failDatasync: true });
    const w = new WriteBehind(r.io, 10);
    await w.write([bytes(10)]);
    r.releaseSync();
    await expect(w.finish()).rejects.toThrow('EIO');
  });
});
