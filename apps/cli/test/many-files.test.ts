import { describe, expect, it } from 'vitest';
import {
  BATCH_FILE_BYTES,
  BATCH_MAX_FILES,
  planUnits,
  sameFile,
  withoutComplete,
} from '../src/many-files.js';

const small = (i: number) => ({ remote: `dir/f${i}.bin`, size: 4096 });

describe('planUnits: which files travel together', () => {
  it('puts small files in batches of at most BATCH_MAX_FILES', () => {
    const jobs = Array.from({ length: 2 * BATCH_MAX_FILES + 3 }, (_, i) => small(i));
    const units = planUnits(jobs, { batches: true, maxFrameSize: 65_536 });
    expect(units.map((u) => (u.batch ? u.indexes.length : 1))).toEqual([
      BATCH_MAX_FILES,
      BATCH_MAX_FILES,
      3,
    ]);
    const covered = units.flatMap((u) => (u.batch ? u.indexes : [u.index]));
    expect(covered).toEqual(jobs.map((_, i) => i));
  });

  it('sends large files on their own (they can be resumed), in order with the rest', () => {
    const jobs = [small(0), small(1), { remote: 'big.iso', size: BATCH_FILE_BYTES + 1 }, small(3)];
    expect(planUnits(jobs, { batches: true, maxFrameSize: 65_536 })).toEqual([
      { batch: false, index: 2 },
      { batch: true, indexes: [0, 1, 3] },
    ]);
  });

  it('a batch of one is a plain transfer', () => {
    expect(planUnits([small(0)], { batches: true, maxFrameSize: 65_536 })).toEqual([
      { batch: false, index: 0 },
    ]);
  });

  it('keeps each batch request within the frame size', () => {
    const long = (i: number) => ({ remote: `${'x'.repeat(900)}/${i}`, size: 1 });
    const jobs = Array.from({ length: 20 }, (_, i) => long(i));
    const units = planUnits(jobs, { batches: true, maxFrameSize: 4096 });
    for (const unit of units) {
      const paths = unit.batch ? unit.indexes.map((i) => jobs[i]!.remote) : [];
      expect(paths.join('').length).toBeLessThan(4096);
    }
    expect(units.length).toBeGreaterThan(5);
  });

  it('without batches every file is its own request', () => {
    const units = planUnits([small(0), small(1)], { batches: false, maxFrameSize: 65_536 });
    expect(units).toEqual([
      { batch: false, index: 0 },
      { batch: false, index: 1 },
    ]);
  });
});

describe('-c: what an earlier run finished', () => {
  it('same size and mtime (to the millisecond) is complete', () => {
    expect(sameFile({ size: 5, mtime: 1000.7 }, { size: 5, mtime: 1000 })).toBe(true);
    expect(sameFile({ size: 5, mtime: 1001 }, { size: 5, mtime: 1000 })).toBe(false);
    expect(sameFile({ size: 4, mtime: 1000 }, { size: 5, mtime: 1000 })).toBe(false);
  });

  it('leaves out the complete ones', async () => {
    const jobs = [0, 1, 2].map((i) => ({ remote: `r${i}`, local: `l${i}`, size: i, mtime: 7 }));
    const kept = await withoutComplete(jobs, async (job) =>
      job.remote === 'r1'
        ? { size: 1, mtime: 7 }
        : job.remote === 'r2'
          ? { size: 1, mtime: 7 }
          : undefined,
    );
    expect(kept.map((j) => j.remote)).toEqual(['r0', 'r2']);
  });
});
