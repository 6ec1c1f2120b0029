import type { Entry } from '@cftp/client';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  batchSummary,
  fullTime,
  humanDuration,
  humanRate,
  humanSize,
  longListing,
  shortTime,
  statLine,
  transferSummary,
} from '../src/format.js';

beforeAll(() => {
  // Listing times are local time; pin the zone so the expected strings are fixed.
  process.env.TZ = 'UTC';
});

describe('transfer summary', () => {
  it('states bytes, seconds and MiB/s', () => {
    expect(transferSummary('get', 'a.bin', 2 * 1024 * 1024, 500)).toBe(
      'get a.bin: 2097152 bytes in 0.500 s (4.0 MiB/s)',
    );
  });
  it('does not divide by zero', () => {
    expect(transferSummary('put', 'e', 0, 0)).toBe('put e: 0 bytes in 0.000 s (0 B/s)');
  });
  it('says a small rate in B/s or KiB/s, never 0.0 MiB/s', () => {
    expect(transferSummary('put', 'x', 674, 20)).toBe('put x: 674 bytes in 0.020 s (32.9 KiB/s)');
    expect(transferSummary('get', 'y', 3, 1000)).toBe('get y: 3 bytes in 1.000 s (3 B/s)');
  });
});

describe('human sizes, rates and durations', () => {
  it.each([
    [0, '0 B'],
    [1, '1 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [1024 * 1024 - 1, '1.0 MiB'],
    [64 * 1024 * 1024, '64.0 MiB'],
    [1.5 * 1024 ** 3, '1.5 GiB'],
    [3 * 1024 ** 4, '3.0 TiB'],
  ])('%d bytes is %s', (bytes, text) => {
    expect(humanSize(bytes)).toBe(text);
  });

  it('rates are sizes per second', () => {
    expect(humanRate(10 * 1024 * 1024)).toBe('10.0 MiB/s');
    expect(humanRate(-5)).toBe('0 B/s');
  });

  it.each([
    [0, '0:00'],
    [7.4, '0:07'],
    [61, '1:01'],
    [3599, '59:59'],
    [3723, '1:02:03'],
  ])('%d s is %s', (seconds, text) => {
    expect(humanDuration(seconds)).toBe(text);
  });
});

const MTIME = Date.UTC(2025, 10, 25, 21, 6, 7);

describe('listings', () => {
  it('formats times in local time', () => {
    expect(shortTime(MTIME)).toBe('2025-11-25 21:06');
    expect(fullTime(MTIME)).toBe('2025-11-25 21:06:07');
  });

  it('ls -l rows: type, aligned size, time, name', () => {
    const entries: Entry[] = [
      { name: 'docs', type: 'dir', size: 0, mtime: MTIME },
      { name: 'big.iso', type: 'file', size: 3 * 1024 ** 3, mtime: MTIME },
      { name: 'a.txt', type: 'file', size: 12, mtime: MTIME },
      { name: 'link', type: 'symlink', size: 7, mtime: MTIME },
      { name: 'fifo', type: 'other', size: 0, mtime: MTIME },
    ];
    expect(longListing(entries)).toEqual([
      'd       -  2025-11-25 21:06  docs/',
      '- 3.0 GiB  2025-11-25 21:06  big.iso',
      '-    12 B  2025-11-25 21:06  a.txt',
      'l     7 B  2025-11-25 21:06  link',
      '?     0 B  2025-11-25 21:06  fifo',
    ]);
    expect(longListing([])).toEqual([]);
  });

  it('stat line', () => {
    expect(statLine('/a.txt', { name: 'a.txt', type: 'file', size: 4096, mtime: MTIME })).toBe(
      '/a.txt: file, 4096 bytes (4.0 KiB), modified 2025-11-25 21:06:07',
    );
    expect(statLine('/', { name: '.', type: 'dir', size: 0, mtime: MTIME })).toBe(
      '/: folder, modified 2025-11-25 21:06:07',
    );
  });
});

describe('many-file summaries', () => {
  it('counts files, folders, bytes and files per second', () => {
    expect(
      batchSummary('put -r', 'src -> /src', { files: 1000, dirs: 3, bytes: 4096000, ms: 2000 }),
    ).toBe(
      'put -r src -> /src: 1000 files, 3 folders, 4096000 bytes in 2.000 s (2.0 MiB/s, 500 files/s)',
    );
    expect(batchSummary('mget', '*.txt', { files: 1, bytes: 0, ms: 0, skipped: 2 })).toBe(
      'mget *.txt: 1 file, 0 bytes in 0.000 s (0 B/s, 0 files/s); skipped 2 entries',
    );
  });
});
