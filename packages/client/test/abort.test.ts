// Cancelling client operations with an AbortSignal (docs/protocol.md §6.4): the promise
// rejects with ECANCELED, nothing is left under the real name (an interrupted get keeps its marked partial for resume), and the client goes on.
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OperationEvent } from '@cftp/server';
import { describe, expect, it } from 'vitest';
import { blake3, rejectionOf, sha256File, useFixture, writeRandom } from './helpers.js';

const fx = useFixture();
const BIG = 32 * 1024 * 1024;

describe('docs/protocol.md §6.4 abort (AbortSignal)', () => {
  it('aborting a large get rejects with ECANCELED, leaves nothing under the real name, and resumes', async () => {
    const { server, port, root } = await fx.startServer();
    await writeRandom(join(root, 'big.bin'), BIG);
    const small = await writeRandom(join(root, 'small.bin'), 1000);
    const target = await fx.tempDir();
    const client = await fx.connect(port);
    const serverSide = new Promise<OperationEvent>((resolve) => server.once('operation', resolve));
    const controller = new AbortController();
    let seen = 0;
    const error = await rejectionOf(
      client.get('big.bin', join(target, 'big.bin'), {
        signal: controller.signal,
        onProgress: ({ bytes }) => {
          seen = bytes;
          if (bytes > 0) controller.abort();
        },
      }),
    );
    expect(error.code).toBe('ECANCELED');
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThan(BIG);
    // Nothing under the real name; bytes that reached the disk are kept, marked, for a
    // resume (§8). How many did before the abort depends on timing; an empty partial is
    // not kept.
    const kept = await readdir(target);
    expect(kept.length).toBeLessThanOrEqual(1);
    for (const name of kept) expect(name).toMatch(/^\.big\.bin\.cftp-resume-[0-9a-f]{16}\.part$/);
    const keptBytes = kept[0] === undefined ? 0 : (await stat(join(target, kept[0]))).size;
    // The server was told (or saw the data channel go) and failed the request.
    expect(['ECANCELED', 'EDATA']).toContain((await serverSide).outcome);

    // The same client goes on.
    expect((await client.list()).map((entry) => entry.name).sort()).toEqual([
      'big.bin',
      'small.bin',
    ]);
    const again = await client.get('small.bin', join(target, 'small.bin'));
    expect(again.digest).toBe(blake3(small));

    // docs/protocol.md §6.2: the same get with `resume` continues from the kept bytes and
    // is verified end to end.
    const resumed = await client.get('big.bin', join(target, 'big.bin'), { resume: true });
    expect(resumed.resumedFrom).toBe(keptBytes);
    expect(resumed.bytes).toBe(BIG - keptBytes);
    expect(await sha256File(join(target, 'big.bin'))).toBe(await sha256File(join(root, 'big.bin')));
    expect((await readdir(target)).sort()).toEqual(['big.bin', 'small.bin']);
  });

  it('aborting a get before ready leaves nothing behind', async () => {
    const { port, root } = await fx.startServer();
    await writeFile(join(root, 'f.txt'), 'x');
    const target = await fx.tempDir();
    const client = await fx.connect(port);
    const controller = new AbortController();
    const pending = client.get('f.txt', join(target, 'f.txt'), { signal: controller.signal });
    controller.abort();
    expect((await rejectionOf(pending)).code).toBe('ECANCELED');
    expect(await readdir(target)).toEqual([]);
    expect(await client.list()).toHaveLength(1);
  });

  it('aborting a put leaves no file and no temp file on the server', async () => {
    const { server, port, root } = await fx.startServer();
    const local = join(await fx.tempDir(), 'big.bin');
    await writeRandom(local, BIG);
    const client = await fx.connect(port);
    const serverSide = new Promise<OperationEvent>((resolve) => server.once('operation', resolve));
    const controller = new AbortController();
    const error = await rejectionOf(
      client.put(local, 'big.bin', {
        signal: controller.signal,
        onProgress: ({ bytes }) => {
          if (bytes > 0) controller.abort();
        },
      }),
    );
    expect(error.code).toBe('ECANCELED');
    expect(['ECANCELED', 'EDATA']).toContain((await serverSide).outcome);
    expect(await readdir(root)).toEqual([]);
    // Still usable.
    await writeFile(join(root, 'after.txt'), 'after');
    expect((await client.list()).map((entry) => entry.name)).toEqual(['after.txt']);
  });

  it('an already-aborted signal rejects at once with ECANCELED and sends nothing', async () => {
    const { server, port, root } = await fx.startServer();
    await writeFile(join(root, 'f.txt'), 'x');
    const local = join(await fx.tempDir(), 'local.txt');
    await writeFile(local, 'local');
    const target = await fx.tempDir();
    const operations: OperationEvent[] = [];
    server.on('operation', (event) => operations.push(event));
    const client = await fx.connect(port);
    const signal = AbortSignal.abort();

    expect((await rejectionOf(client.list('', { signal }))).code).toBe('ECANCELED');
    expect((await rejectionOf(client.get('f.txt', join(target, 'f.txt'), { signal }))).code).toBe(
      'ECANCELED',
    );
    expect((await rejectionOf(client.put(local, 'up.txt', { signal }))).code).toBe('ECANCELED');

    await client.list(); // the first request the server sees
    expect(operations.map((event) => event.operation)).toEqual(['list']);
    expect(await readdir(target)).toEqual([]);
    expect(await readFile(local, 'utf8')).toBe('local');
  });
});
