// getMany's local side (batch-receive.ts): modes and mtimes set through each file's
// descriptor, and local failures that leave nothing behind and never block the event loop.
import { execFileSync } from 'node:child_process';
import { chmod, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { partialPathFor } from '../src/transfer.js';
import { rejectionOf, useFixture } from './helpers.js';

const fx = useFixture();
const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

describe('getMany writes each file through its descriptor (§6.7, §6.8)', () => {
  it('gives new files the source mode under the umask, keeps an existing file’s, -p exact', async () => {
    const { port, root } = await fx.startServer();
    const when = new Date('2021-05-06T07:08:09.000Z');
    for (const [name, mode] of [
      ['tool', 0o751],
      ['key', 0o644],
    ] as const) {
      await writeFile(join(root, name), `${name}\n`);
      await chmod(join(root, name), mode);
      await utimes(join(root, name), when, when);
    }
    const local = await fx.tempDir();
    await writeFile(join(local, 'key'), 'old');
    await chmod(join(local, 'key'), 0o600);
    const client = await fx.connect(port);
    const items = ['tool', 'key'].map((name) => ({ remote: name, local: join(local, name) }));
    await client.getMany(items);
    expect(await modeOf(join(local, 'tool'))).toBe(0o751 & ~process.umask());
    expect(await modeOf(join(local, 'key'))).toBe(0o600);
    expect(await readFile(join(local, 'key'), 'utf8')).toBe('key\n');
    for (const name of ['tool', 'key']) {
      expect((await stat(join(local, name))).mtimeMs).toBe(when.getTime());
    }
    await client.getMany(items, { exactMode: true });
    expect(await modeOf(join(local, 'tool'))).toBe(0o751);
    expect(await modeOf(join(local, 'key'))).toBe(0o644);
    expect((await readdir(local)).sort()).toEqual(['key', 'tool']);
  });

  it('refuses a FIFO at a partial’s name at once, naming the file, and leaves nothing', async () => {
    const { port, root } = await fx.startServer();
    for (const name of ['a', 'b']) await writeFile(join(root, name), name);
    const local = await fx.tempDir();
    // Nobody opens the FIFO for reading: a blocking open for writing would never return.
    execFileSync('mkfifo', [partialPathFor(join(local, 'b'), 'b')]);
    const client = await fx.connect(port);
    const error = await rejectionOf(
      client.getMany(['a', 'b'].map((name) => ({ remote: name, local: join(local, name) }))),
    );
    expect(error).toMatchObject({
      path: join(local, 'b'),
      message: expect.stringContaining('creating'),
    });
    // The FIFO is removed with the other partials: none of them is kept for a resume.
    expect(await readdir(local)).toEqual([]);
    // The session still works.
    await client.getMany([{ remote: 'a', local: join(local, 'a') }]);
    expect(await readFile(join(local, 'a'), 'utf8')).toBe('a');
  });

  it('a missing local folder fails with ENOENT naming the file, and commits nothing', async () => {
    const { port, root } = await fx.startServer();
    for (const name of ['a', 'b']) await writeFile(join(root, name), name);
    const local = await fx.tempDir();
    const client = await fx.connect(port);
    const error = await rejectionOf(
      client.getMany([
        { remote: 'a', local: join(local, 'a') },
        { remote: 'b', local: join(local, 'gone', 'b') },
      ]),
    );
    expect(error).toMatchObject({ code: 'ENOENT', path: join(local, 'gone', 'b') });
    expect(await readdir(local)).toEqual([]);
  });
});
