// Pipelined requests on one session (docs/protocol.md §3 request ids, §12 maxInFlight).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeMessage } from '@cftp/protocol';
import { openData, readAll, sha256 } from '@cftp/wire-test';
import { describe, expect, it } from 'vitest';
import { randomData, useFixture } from './fixture.js';

const fx = useFixture();

describe('docs/protocol.md §3 pipelining', () => {
  it('completes ten gets sent without waiting, each with its own id', async () => {
    const { port, root } = await fx.start();
    const files = Array.from({ length: 10 }, (_, i) => randomData(50_000 + i * 1000));
    await Promise.all(files.map((content, i) => writeFile(join(root, `f${i}.bin`), content)));
    const control = await fx.control(port);
    // All ten requests in one write: the server must not wait for any answer in between.
    control.sendRaw(
      Buffer.concat(
        files.map((_, i) => encodeMessage({ type: 'get', id: 100 + i, path: `f${i}.bin` })),
      ),
    );
    const results = await Promise.all(
      files.map(async (content, i) => {
        const ready = await control.expect(100 + i, 'ready');
        expect(ready.size).toBe(content.byteLength);
        const bytes = await readAll(fx.track(await openData(ready.port, ready.token)));
        const done = await control.expect(100 + i, 'done');
        return { content, bytes, done };
      }),
    );
    for (const { content, bytes, done } of results) {
      expect(bytes.equals(content)).toBe(true);
      expect(done).toMatchObject({ size: content.byteLength, sha256: sha256(content) });
    }
  });

  it('answers the request beyond maxInFlight with EBUSY and serves the rest', async () => {
    const { port, root } = await fx.start({ maxInFlight: 2 });
    await writeFile(join(root, 'a.txt'), 'A');
    await writeFile(join(root, 'b.txt'), 'B');
    const control = await fx.control(port);
    control.send({ type: 'get', id: 1, path: 'a.txt' });
    control.send({ type: 'get', id: 2, path: 'b.txt' });
    control.send({ type: 'get', id: 3, path: 'a.txt' });
    expect(await control.errorCode(3)).toBe('EBUSY');
    const first = await control.expect(1, 'ready');
    const second = await control.expect(2, 'ready');
    expect((await readAll(fx.track(await openData(first.port, first.token)))).toString()).toBe('A');
    expect((await readAll(fx.track(await openData(second.port, second.token)))).toString()).toBe(
      'B',
    );
    await control.expect(1, 'done');
    await control.expect(2, 'done');
    // Slots free again: the same id can be reused.
    control.send({ type: 'get', id: 3, path: 'b.txt' });
    const again = await control.expect(3, 'ready');
    expect((await readAll(fx.track(await openData(again.port, again.token)))).toString()).toBe('B');
    await control.expect(3, 'done');
  });

  it('counts a request that fails before ready out of the in-flight set', async () => {
    const { port } = await fx.start({ maxInFlight: 1 });
    const control = await fx.control(port);
    for (let id = 1; id <= 5; id++) control.send({ type: 'get', id, path: 'missing' });
    for (let id = 1; id <= 5; id++) {
      expect(['ENOENT', 'EBUSY']).toContain(await control.errorCode(id));
    }
    control.send({ type: 'get', id: 6, path: 'missing' });
    expect(await control.errorCode(6)).toBe('ENOENT');
  });
});
