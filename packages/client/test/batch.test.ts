// putMany/getMany (docs/protocol.md §6.7): many files over one data channel, each verified.
import { readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Progress } from '../src/index.js';
import { rejectionOf, sha256, useFixture, writeRandom } from './helpers.js';

const fx = useFixture();

describe('docs/protocol.md §6.7 batches through the engine', () => {
  it('round-trips files of 0, 1 and 100 000 bytes with their mtimes', async () => {
    const { port, root } = await fx.startServer();
    const local = await fx.tempDir();
    const sizes = [0, 1, 100_000];
    const when = new Date('2022-01-02T03:04:05.000Z');
    const sources = [];
    for (const [i, size] of sizes.entries()) {
      sources.push(await writeRandom(join(local, `f${i}`), size));
      await utimes(join(local, `f${i}`), when, when);
    }
    const client = await fx.connect(port);
    expect(client.server?.features).toContain('batch');
    const items = sizes.map((_, i) => ({ local: join(local, `f${i}`), remote: `r${i}` }));
    expect(await client.putMany(items)).toMatchObject({ files: 3, bytes: 100_001 });
    for (const [i, data] of sources.entries()) {
      expect(sha256(await readFile(join(root, `r${i}`)))).toBe(sha256(data));
      expect((await stat(join(root, `r${i}`))).mtimeMs).toBe(when.getTime());
    }
    const back = await fx.tempDir();
    const down = sizes.map((_, i) => ({ remote: `r${i}`, local: join(back, `d${i}`) }));
    expect(await client.getMany(down)).toMatchObject({ files: 3, bytes: 100_001 });
    for (const [i, data] of sources.entries()) {
      expect(sha256(await readFile(join(back, `d${i}`)))).toBe(sha256(data));
      expect((await stat(join(back, `d${i}`))).mtimeMs).toBe(when.getTime());
    }
    expect((await readdir(back)).sort()).toEqual(['d0', 'd1', 'd2']);
  });

  it('reports the bytes of the whole batch as they move, both ways', async () => {
    const { port } = await fx.startServer();
    const local = await fx.tempDir();
    const sizes = [3 * 1024 * 1024, 5, 2 * 1024 * 1024];
    const total = sizes.reduce((a, b) => a + b, 0);
    for (const [i, size] of sizes.entries()) await writeRandom(join(local, `f${i}`), size);
    const client = await fx.connect(port);
    const up: Progress[] = [];
    const items = sizes.map((_, i) => ({ local: join(local, `f${i}`), remote: `r${i}` }));
    await client.putMany(items, { onProgress: (p) => up.push(p) });
    const back = await fx.tempDir();
    const down: Progress[] = [];
    const targets = sizes.map((_, i) => ({ remote: `r${i}`, local: join(back, `d${i}`) }));
    await client.getMany(targets, { onProgress: (p) => down.push(p) });
    for (const reports of [up, down]) {
      expect(reports.length).toBeGreaterThan(1);
      expect(reports[0]!.bytes).toBeGreaterThan(0);
      expect(reports[0]!.bytes).toBeLessThan(total);
      expect(reports.at(-1)).toMatchObject({ bytes: total, total });
    }
  });

  it('leaves nothing behind when one file of a download is corrupt (EINTEGRITY)', async () => {
    const data = [Buffer.from('first'), Buffer.from('second')];
    const port = await fx.startFake((message, session) => {
      if (message.type !== 'getmany') return;
      void (async () => {
        const channel = await session.openData();
        session.send({
          type: 'ready',
          id: message.id,
          port: channel.port,
          token: channel.token,
          files: data.map((d) => ({ size: d.byteLength, mtime: 0 })),
        });
        const socket = await channel.connection;
        const all = Buffer.concat(data);
        socket.end(all, () =>
          session.send({
            type: 'done',
            id: message.id,
            size: all.byteLength,
            sha256: sha256(all),
            files: [sha256(data[0]!), sha256(Buffer.from('SECOND'))],
          }),
        );
      })();
    });
    const client = await fx.connect(port);
    const target = await fx.tempDir();
    const error = await rejectionOf(
      client.getMany([
        { remote: 'a', local: join(target, 'a') },
        { remote: 'b', local: join(target, 'b') },
      ]),
    );
    expect(error.code).toBe('EINTEGRITY');
    expect(await readdir(target)).toEqual([]);
  });

  it('a bad path fails the whole upload batch and commits nothing', async () => {
    const { port, root } = await fx.startServer();
    const local = await fx.tempDir();
    await writeFile(join(local, 'x'), 'x');
    const client = await fx.connect(port);
    const error = await rejectionOf(
      client.putMany([
        { local: join(local, 'x'), remote: 'fine' },
        { local: join(local, 'x'), remote: '../escape' },
      ]),
    );
    expect(error.code).toBe('EBADNAME');
    expect(await readdir(root)).toEqual([]);
  });
});
