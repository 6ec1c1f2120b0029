// Many operations at once on one session (docs/protocol.md §3, §12): the client keeps to the
// server's maxInFlight, so callers may start any number without an EBUSY.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useFixture } from './helpers.js';

const fx = useFixture();

describe('docs/protocol.md §3 pipelining within maxInFlight', () => {
  it('runs 40 operations started at once against a server that allows 2', async () => {
    const { port, root } = await fx.startServer({ maxInFlight: 2 });
    let live = 0;
    let most = 0;
    for (let i = 0; i < 20; i++) await writeFile(join(root, `f${i}.txt`), `file ${i}`);
    const target = await fx.tempDir();
    const client = await fx.connect(port);
    expect(client.server?.maxInFlight).toBe(2);
    const track = async <T>(work: Promise<T>): Promise<T> => {
      live++;
      most = Math.max(most, live);
      try {
        return await work;
      } finally {
        live--;
      }
    };
    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 20 }, (_, i) =>
        track(client.get(`f${i}.txt`, join(target, `f${i}.txt`))),
      ),
      ...Array.from({ length: 20 }, () => track(client.list())),
    ]);
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    expect(most).toBe(40); // all were started together; the client queued them itself
    for (let i = 0; i < 20; i++) {
      expect(await readFile(join(target, `f${i}.txt`), 'utf8')).toBe(`file ${i}`);
    }
  });
});
