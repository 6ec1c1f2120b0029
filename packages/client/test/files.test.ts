// Many files in one call (getFiles/putFiles) and what schedules them: which files share a
// batch (planUnits), what counts as already complete (sameFile), and the pool (eachLimit).
import { mkdir, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import {
  BATCH_FILE_BYTES,
  BATCH_MAX_FILES,
  BATCH_MIN_FILES,
  planUnits,
  sameFile,
} from '../src/files.js';
import { eachLimit, type FileItem, type FilesProgress } from '../src/index.js';
import { sha256File, useFixture, writeRandom } from './helpers.js';

const fx = useFixture();

/** A promise and its resolve, to finish work items in a chosen order. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('getFiles / putFiles', () => {
  it('move a list of files between folders, with progress and skipExisting', async () => {
    const { port, root } = await fx.startServer();
    const local = await fx.tempDir();
    await mkdir(join(root, 'a'));
    await mkdir(join(root, 'b'));
    const when = new Date('2023-04-05T06:07:08.009Z');
    const items: FileItem[] = [];
    for (const [i, size] of [10, 2 * BATCH_FILE_BYTES, 0, 777].entries()) {
      const path = join(local, `f${i}`);
      await writeRandom(path, size);
      await utimes(path, when, when);
      items.push({ local: path, remote: `${i % 2 === 0 ? 'a' : 'b'}/f${i}`, size, mtime: +when });
    }
    const client = await fx.connect(port);
    const reports: FilesProgress[] = [];
    const up = await client.putFiles(items, { onProgress: (p) => reports.push(p) });
    const total = 10 + 2 * BATCH_FILE_BYTES + 777;
    expect(up).toMatchObject({ files: 4, bytes: total, unchanged: 0 });
    expect(reports.at(-1)).toMatchObject({ files: 4, totalFiles: 4, bytes: total });
    expect((await stat(join(root, 'b', 'f1'))).mtimeMs).toBe(+when);

    // Each remote folder is listed once to find what is complete.
    const list = vi.spyOn(client, 'list');
    const again = await client.putFiles(items, { skipExisting: 'size-mtime' });
    expect(again).toMatchObject({ files: 0, unchanged: 4 });
    expect(list.mock.calls.map((call) => call[0]).sort()).toEqual(['a', 'b']);

    const back = await fx.tempDir();
    const down = items.map((item, i) => ({ ...item, local: join(back, `d${i}`) }));
    expect(await client.getFiles(down)).toMatchObject({ files: 4, bytes: total });
    for (const [i, item] of items.entries()) {
      expect(await sha256File(join(back, `d${i}`))).toBe(await sha256File(item.local));
    }
    expect(await client.getFiles(down, { skipExisting: 'size-mtime' })).toMatchObject({
      files: 0,
      unchanged: 4,
    });
    expect((await readdir(back)).sort()).toEqual(['d0', 'd1', 'd2', 'd3']);
  });

  it('a failure names its files to mapError', async () => {
    const { port } = await fx.startServer();
    const client = await fx.connect(port);
    const local = await fx.tempDir();
    const items = ['x', 'y'].map((name) => ({
      local: join(local, name),
      remote: `missing-${name}`,
      size: 1,
      mtime: 0,
    }));
    const seen: unknown[] = [];
    await expect(
      client.getFiles(items, {
        mapError: (error, failure) => {
          seen.push(failure);
          return error;
        },
      }),
    ).rejects.toMatchObject({ code: 'ENOENT' });
    expect(seen).toEqual([{ step: 'transfer', items }]);
  });
});

describe('keepGoing: skip what cannot be read, copy the rest', () => {
  it('a batch with a missing file sends the others on their own, both ways', async () => {
    const { port, root } = await fx.startServer();
    const local = await fx.tempDir();
    const items: FileItem[] = ['a', 'gone', 'b', 'c'].map((name) => ({
      local: join(local, name),
      remote: name,
      size: 3,
      mtime: 0,
    }));
    for (const item of items.filter((i) => i.remote !== 'gone')) await writeFile(item.local, 'abc');
    const client = await fx.connect(port);
    const putMany = vi.spyOn(client, 'putMany');
    const mapped: unknown[] = [];
    const mapError = (error: unknown) => {
      mapped.push(error);
      return error;
    };
    const up = await client.putFiles(items, { keepGoing: true, mapError });
    expect(putMany).toHaveBeenCalledTimes(1); // tried as one batch, then one by one
    expect(up).toMatchObject({ files: 3, bytes: 9 });
    expect(up.failed).toEqual([
      { name: 'gone', error: expect.objectContaining({ code: 'ENOENT' }) },
    ]);
    expect((await readdir(root)).sort()).toEqual(['a', 'b', 'c']);

    const back = await fx.tempDir();
    const down = items.map((item) => ({ ...item, local: join(back, item.remote) }));
    const result = await client.getFiles(down, { keepGoing: true });
    expect(result).toMatchObject({ files: 3, failed: [{ name: 'gone' }] });
    expect((await readdir(back)).sort()).toEqual(['a', 'b', 'c']);
    // Without keepGoing the first failure still stops the copy.
    await expect(client.getFiles(down)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a session failure is never skipped: a cancel stops the copy', async () => {
    const { port } = await fx.startServer();
    const local = await fx.tempDir();
    await writeFile(join(local, 'a'), 'abc');
    const client = await fx.connect(port);
    const items = [{ local: join(local, 'a'), remote: 'a', size: 3, mtime: 0 }];
    const signal = AbortSignal.abort();
    await expect(client.putFiles(items, { keepGoing: true, signal })).rejects.toMatchObject({
      code: 'ECANCELED',
    });
  });
});

describe('planUnits: which files travel together', () => {
  const small = (i: number) => ({ remote: `dir/f${i}.bin`, size: 4096 });

  it('puts small files in batches of BATCH_MIN_FILES when there are few', () => {
    const jobs = Array.from({ length: 2 * BATCH_MIN_FILES + 3 }, (_, i) => small(i));
    const units = planUnits(jobs, 65_536);
    expect(units.map((u) => (u.batch ? u.indexes.length : 1))).toEqual([
      BATCH_MIN_FILES,
      BATCH_MIN_FILES,
      3,
    ]);
    const covered = units.flatMap((u) => (u.batch ? u.indexes : [u.index]));
    expect(covered).toEqual(jobs.map((_, i) => i));
  });

  it('grows batches with the file count (two a lane), up to BATCH_MAX_FILES', () => {
    const sizes = (count: number, lanes: number) =>
      planUnits(
        Array.from({ length: count }, (_, i) => small(i)),
        1024 * 1024,
        lanes,
      ).map((u) => (u.batch ? u.indexes.length : 1));
    // 1600 files over 8 lanes: 16 batches of 100.
    expect(sizes(1600, 8)).toEqual(Array.from({ length: 16 }, () => 100));
    // 10 000 files: capped at BATCH_MAX_FILES a batch.
    const many = sizes(10_000, 8);
    expect(Math.max(...many)).toBe(BATCH_MAX_FILES);
    expect(many.reduce((a, b) => a + b, 0)).toBe(10_000);
    // One lane: two batches, within the bounds.
    expect(sizes(100, 1)).toEqual([50, 50]);
  });

  it('sends large files, and those with a partial to continue, on their own', () => {
    const jobs = [
      small(0),
      small(1),
      { remote: 'big.iso', size: BATCH_FILE_BYTES + 1 },
      { ...small(3), partial: true },
      small(4),
    ];
    expect(planUnits(jobs, 65_536)).toEqual([
      { batch: false, index: 2 },
      { batch: false, index: 3 },
      { batch: true, indexes: [0, 1, 4] },
    ]);
  });

  it('a batch of one is a plain transfer', () => {
    expect(planUnits([small(0)], 65_536)).toEqual([{ batch: false, index: 0 }]);
  });

  it('keeps each batch request within the frame size', () => {
    const long = (i: number) => ({ remote: `${'x'.repeat(900)}/${i}`, size: 1 });
    const jobs = Array.from({ length: 20 }, (_, i) => long(i));
    const units = planUnits(jobs, 4096);
    for (const unit of units) {
      const paths = unit.batch ? unit.indexes.map((i) => jobs[i]!.remote) : [];
      expect(paths.join('').length).toBeLessThan(4096);
    }
    expect(units.length).toBeGreaterThan(5);
  });

  it('without batches (frame size 0) every file is its own request', () => {
    expect(planUnits([small(0), small(1)], 0)).toEqual([
      { batch: false, index: 0 },
      { batch: false, index: 1 },
    ]);
  });
});

describe('sameFile: what an earlier run finished', () => {
  it('same size and mtime (to the millisecond) is complete', () => {
    expect(sameFile({ size: 5, mtime: 1000.7 }, { size: 5, mtime: 1000 })).toBe(true);
    expect(sameFile({ size: 5, mtime: 1001 }, { size: 5, mtime: 1000 })).toBe(false);
    expect(sameFile({ size: 4, mtime: 1000 }, { size: 5, mtime: 1000 })).toBe(false);
  });
});

describe('eachLimit', () => {
  it('keeps at most `limit` in flight and runs every item once', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    await eachLimit(
      Array.from({ length: 40 }, (_, i) => i),
      8,
      async (item) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        seen.push(item);
        inFlight--;
      },
    );
    expect(peak).toBe(8);
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('starts nothing after a failure, lets the running ones finish, throws the first error', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const slow = gate();
    const run = eachLimit([0, 1, 2, 3, 4, 5], 2, async (item) => {
      started.push(item);
      if (item === 0) {
        await slow.opened;
        finished.push(item);
        return;
      }
      throw new Error(`item ${item} failed`);
    });
    await new Promise((resolve) => setImmediate(resolve));
    slow.open();
    await expect(run).rejects.toThrow('item 1 failed');
    expect(started).toEqual([0, 1]);
    expect(finished).toEqual([0]);
  });

  it('does nothing for no items', async () => {
    let calls = 0;
    await eachLimit([], 8, async () => {
      calls++;
    });
    expect(calls).toBe(0);
  });
});
