// The transfer queue against a real server: files and folders both ways, the concurrency
// limit, progress, cancel, retry, clear, and items that wait out a lost connection.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TransferItem, Transfers } from '../src/transfers.js';
import { createFixture, sha256File, writeRandom } from './fixture.js';

const fixture = createFixture();

/** Resolves with the item once it has finished (done, failed or cancelled). */
function finished(transfers: Transfers, id: number): Promise<TransferItem> {
  const now = transfers.get(id);
  if (now !== undefined && ['done', 'failed', 'cancelled'].includes(now.state)) {
    return Promise.resolve(now);
  }
  return new Promise((resolve) => {
    const onFinished = (item: TransferItem) => {
      if (item.id !== id) return;
      transfers.off('finished', onFinished);
      resolve(item);
    };
    transfers.on('finished', onFinished);
  });
}

async function setup() {
  const { root, port, server } = await fixture.startServer();
  const local = await fixture.tempDir();
  const controller = await fixture.controller(port);
  return { root, port, server, local, controller, transfers: controller.transfers };
}

const request = (
  direction: 'get' | 'put',
  source: string,
  target: string,
  folder: string,
  kind: 'file' | 'tree' = 'file',
) => ({
  direction,
  kind,
  source,
  target,
  name: source,
  destination: { side: direction === 'get' ? ('local' as const) : ('remote' as const), folder },
});

describe('Transfers', () => {
  it('downloads and uploads files, with progress up to the whole size', async () => {
    const { root, local, transfers } = await setup();
    const digest = await writeRandom(join(root, 'big.bin'), 3 * 1024 * 1024 + 17);
    const seen: number[] = [];
    transfers.on('change', () => {
      const item = transfers.snapshot()[0];
      if (item !== undefined) seen.push(item.bytes);
    });
    const get = transfers.add(request('get', 'big.bin', join(local, 'big.bin'), local));
    const done = await finished(transfers, get.id);
    expect(done.state).toBe('done');
    expect(done.bytes).toBe(3 * 1024 * 1024 + 17);
    expect(done.total).toBe(done.bytes);
    expect(await sha256File(join(local, 'big.bin'))).toBe(digest);
    expect(Math.max(...seen)).toBe(done.bytes);

    const put = transfers.add(request('put', join(local, 'big.bin'), 'copy.bin', ''));
    expect((await finished(transfers, put.id)).state).toBe('done');
    expect(await sha256File(join(root, 'copy.bin'))).toBe(digest);
  });

  it('a folder copy skips what it cannot copy, copies the rest, and fails with EPARTIAL', async () => {
    const { root, local, transfers } = await setup();
    await mkdir(join(local, 'album', 'inner'), { recursive: true });
    await writeFile(join(local, 'album', 'a.jpg'), 'a');
    await writeFile(join(local, 'album', 'inner', 'b.jpg'), 'b');
    // A name no CFTP peer carries (§9): refused on its own, like an unreadable file.
    await writeFile(join(local, 'album', 'bad\u0001.jpg'), 'x');
    const put = transfers.add(request('put', join(local, 'album'), 'album', '', 'tree'));
    const done = await finished(transfers, put.id);
    expect(done).toMatchObject({ state: 'failed', files: 2 });
    expect(done.error).toMatchObject({
      code: 'EPARTIAL',
      message: '2 copied, 1 failed: bad\u0001.jpg',
    });
    expect((await readdir(join(root, 'album'))).sort()).toEqual(['a.jpg', 'inner']);
  });

  it('copies folder trees both ways and counts their files', async () => {
    const { root, local, transfers } = await setup();
    await mkdir(join(root, 'album', 'inner'), { recursive: true });
    const a = await writeRandom(join(root, 'album', 'a.jpg'), 5000);
    const b = await writeRandom(join(root, 'album', 'inner', 'b.jpg'), 7000);
    const get = transfers.add(request('get', 'album', join(local, 'album'), local, 'tree'));
    const got = await finished(transfers, get.id);
    expect(got).toMatchObject({ state: 'done', files: 2, totalFiles: 2, bytes: 12000 });
    expect(await sha256File(join(local, 'album', 'a.jpg'))).toBe(a);
    expect(await sha256File(join(local, 'album', 'inner', 'b.jpg'))).toBe(b);

    const put = transfers.add(request('put', join(local, 'album'), 'again', '', 'tree'));
    const sent = await finished(transfers, put.id);
    expect(sent).toMatchObject({ state: 'done', files: 2, total: 12000, bytes: 12000 });
    expect(await sha256File(join(root, 'again', 'inner', 'b.jpg'))).toBe(b);
  });

  it('runs at most `concurrency` items at once, and all of them in the end', async () => {
    const { root, local, controller } = await setup();
    const transfers = controller.transfers;
    transfers.concurrency = 2;
    for (let i = 0; i < 6; i++) await writeRandom(join(root, `f${i}.bin`), 256 * 1024);
    let most = 0;
    transfers.on('change', () => {
      const running = transfers.snapshot().filter((item) => item.state === 'running').length;
      most = Math.max(most, running);
    });
    const items = Array.from({ length: 6 }, (_, i) =>
      transfers.add(request('get', `f${i}.bin`, join(local, `f${i}.bin`), local)),
    );
    const results = await Promise.all(items.map((item) => finished(transfers, item.id)));
    expect(results.map((item) => item.state)).toEqual(Array(6).fill('done'));
    expect(most).toBe(2);
    expect(transfers.active).toBe(0);
  });

  it('cancels a running item through its AbortSignal and a queued one at once', async () => {
    const { root, local, transfers } = await setup();
    transfers.concurrency = 1;
    await writeRandom(join(root, 'huge.bin'), 64 * 1024 * 1024);
    await writeRandom(join(root, 'next.bin'), 1000);
    const big = transfers.add(request('get', 'huge.bin', join(local, 'huge.bin'), local));
    const next = transfers.add(request('get', 'next.bin', join(local, 'next.bin'), local));
    expect(transfers.cancel(next.id)).toBe(true);
    expect(transfers.get(next.id)?.state).toBe('cancelled');
    // Cancelled on its first progress report, long before 64 MiB have moved.
    let cancelledAt: number | undefined;
    transfers.on('change', () => {
      const bytes = transfers.get(big.id)?.bytes ?? 0;
      if (cancelledAt === undefined && bytes > 0) {
        cancelledAt = bytes;
        expect(transfers.cancel(big.id)).toBe(true);
      }
    });
    const cancelled = await finished(transfers, big.id);
    expect(cancelledAt).toBeGreaterThan(0);
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.error).toBeUndefined();
    expect((await readdir(local)).filter((name) => name === 'huge.bin')).toEqual([]);
  });

  it('marks a failed item with the error code, and retries it', async () => {
    const { root, local, transfers } = await setup();
    const item = transfers.add(request('get', 'later.txt', join(local, 'later.txt'), local));
    const failed = await finished(transfers, item.id);
    expect(failed.state).toBe('failed');
    expect(failed.error?.code).toBe('ENOENT');
    expect(transfers.retry(failed.id + 100)).toBe(false);

    await writeFile(join(root, 'later.txt'), 'here now');
    expect(transfers.retry(item.id)).toBe(true);
    const retried = await finished(transfers, item.id);
    expect(retried).toMatchObject({ state: 'done', attempts: 2, error: undefined });
    expect(transfers.retry(item.id)).toBe(false); // done items are not retried
  });

  it('clears done and cancelled items but keeps failed ones', async () => {
    const { root, local, transfers } = await setup();
    await writeFile(join(root, 'ok.txt'), 'ok');
    const ok = transfers.add(request('get', 'ok.txt', join(local, 'ok.txt'), local));
    const bad = transfers.add(request('get', 'nope.txt', join(local, 'nope.txt'), local));
    await Promise.all([finished(transfers, ok.id), finished(transfers, bad.id)]);
    expect(transfers.clearFinished()).toBe(1);
    expect(transfers.snapshot().map((item) => [item.name, item.state])).toEqual([
      ['nope.txt', 'failed'],
    ]);
    expect(transfers.remove(bad.id)).toBe(true);
    expect(transfers.snapshot()).toEqual([]);
  });

  it('keeps items queued while there is no client, and runs them once connected', async () => {
    const { root, port } = await fixture.startServer();
    const local = await fixture.tempDir();
    await writeFile(join(root, 'wait.txt'), 'waited');
    const controller = await fixture.controller();
    const item = controller.transfers.add(request('get', 'wait.txt', join(local, 'w.txt'), local));
    expect(controller.transfers.get(item.id)?.state).toBe('queued');
    expect(await controller.connect('127.0.0.1', port)).toBe(true);
    expect((await finished(controller.transfers, item.id)).state).toBe('done');
  });
});
