import { describe, expect, it } from 'vitest';
import { transferSummary } from '../src/format.js';

describe('transfer summary', () => {
  it('states bytes, seconds and MiB/s', () => {
    expect(transferSummary('get', 'a.bin', 2 * 1024 * 1024, 500)).toBe(
      'get a.bin: 2097152 bytes in 0.500 s (4.0 MiB/s)',
    );
  });
  it('does not divide by zero', () => {
    expect(transferSummary('put', 'e', 0, 0)).toBe('put e: 0 bytes in 0.000 s (0.0 MiB/s)');
  });
});
