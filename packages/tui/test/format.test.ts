// The text helpers behind every cell of the screen.
import { describe, expect, it } from 'vitest';
import {
  alignRight,
  fit,
  fitStart,
  formatBytes,
  formatEta,
  formatMtime,
  formatRate,
  formatSizeShort,
  progressBar,
} from '../src/format.js';
import { remoteDisplay, remoteJoin, remoteParent } from '../src/paths.js';

describe('sizes and rates', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.5 KiB'],
    [12.3 * 1024 * 1024, '12.3 MiB'],
    [250 * 1024 * 1024, '250 MiB'],
    [3 * 1024 ** 4, '3.0 TiB'],
  ])('formatBytes(%d) is %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it.each([
    [512, '512'],
    [1300, '1.3K'],
    [34 * 1024 * 1024, '34M'],
    [2 * 1024 ** 3, '2.0G'],
  ])('formatSizeShort(%d) is %s', (bytes, text) => {
    expect(formatSizeShort(bytes)).toBe(text);
  });

  it('adds /s to a rate', () => {
    expect(formatRate(3.2 * 1024 * 1024)).toBe('3.2 MiB/s');
  });
});

describe('times', () => {
  it.each([
    [7, '0:07'],
    [754, '12:34'],
    [3723, '1:02:03'],
    [0.2, '0:01'],
    [undefined, '--:--'],
    [Number.POSITIVE_INFINITY, '--:--'],
  ])('formatEta(%s) is %s', (seconds, text) => {
    expect(formatEta(seconds)).toBe(text);
  });

  it('shows recent times with the clock and old ones with the year, like ls -l', () => {
    const now = new Date(2026, 10, 25, 21, 17).getTime();
    expect(formatMtime(new Date(2026, 10, 5, 9, 3).getTime(), false, now)).toBe('Nov  5 09:03');
    expect(formatMtime(new Date(2024, 0, 31, 9, 3).getTime(), false, now)).toBe('Jan 31  2024');
    expect(formatMtime(new Date(2024, 0, 31, 9, 3).getTime(), true, now)).toBe('2024-01-31 09:03');
  });
});

describe('cells', () => {
  it('fits text to a width, cutting with an ellipsis', () => {
    expect(fit('abc', 5)).toBe('abc  ');
    expect(fit('abcdef', 4)).toBe('abc…');
    expect(fit('abc', 0)).toBe('');
    expect(fitStart('/very/long/path', 8)).toBe('…ng/path');
    expect(alignRight('42', 5)).toBe('   42');
  });

  it('draws a progress bar of the given width', () => {
    expect(progressBar(0, 4)).toBe('░░░░');
    expect(progressBar(0.5, 4)).toBe('██░░');
    expect(progressBar(2, 4)).toBe('████');
    expect(progressBar(Number.NaN, 4)).toBe('░░░░');
  });
});

describe('remote paths', () => {
  it('joins, climbs and shows paths relative to the server root', () => {
    expect(remoteJoin('', 'a')).toBe('a');
    expect(remoteJoin('a/b', 'c')).toBe('a/b/c');
    expect(remoteParent('a/b')).toBe('a');
    expect(remoteParent('a')).toBe('');
    expect(remoteParent('')).toBeUndefined();
    expect(remoteDisplay('')).toBe('/');
    expect(remoteDisplay('a/b')).toBe('/a/b');
  });
});
