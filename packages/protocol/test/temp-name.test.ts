// The temporary-name rule (docs/protocol.md §8): made by tempName/resumeTempName, recognised
// by isTempName/isResumeTempName, and the two agree.
import { describe, expect, it } from 'vitest';
import { isResumeTempName, isTempName, resumeTempName, tempName } from '../src/index.js';

const KEY = '0123456789abcdef';

describe('docs/protocol.md §8: isTempName', () => {
  it.each([
    '.x.cftp-0123456789abcdef.part',
    '.report.pdf.cftp-fedcba9876543210.part',
    '.r\u00e9sum\u00e9.cftp-0000000000000000.part',
  ])('matches %j', (name) => {
    expect(isTempName(name)).toBe(true);
  });

  it.each([
    'report.pdf',
    '.hidden',
    'x.cftp-0123456789abcdef.part',
    '.x.cftp-0123456789ABCDEF.part',
    '.x.cftp-0123456789abcde.part',
    '.x.cftp-0123456789abcdef0.part',
    '.x.cftp-0123456789abcdeg.part',
    '.x.cftp-0123456789abcdef.partial',
    '.x.cftp-0123456789abcdef.part.bak',
    '.x.cftp-0123456789abcdef',
  ])('does not match %j', (name) => {
    expect(isTempName(name)).toBe(false);
  });
});

describe('docs/protocol.md §8: tempName and resumeTempName', () => {
  it('names a one-off temporary file and a resumable partial', () => {
    expect(tempName('report.pdf', KEY)).toBe('.report.pdf.cftp-0123456789abcdef.part');
    expect(resumeTempName('report.pdf', KEY)).toBe('.report.pdf.cftp-resume-0123456789abcdef.part');
    expect(tempName('report.pdf', KEY, { resumable: true })).toBe(
      resumeTempName('report.pdf', KEY),
    );
  });

  it('keeps the first 64 code points of a long name, never splitting a character', () => {
    expect(resumeTempName('\u{1F600}'.repeat(100), KEY)).toBe(
      `.${'\u{1F600}'.repeat(64)}.cftp-resume-${KEY}.part`,
    );
    // 3-byte characters: the longest allowed name (§9) still gives a name of ≤ 255 bytes.
    const made = resumeTempName('\u20ac'.repeat(85), KEY);
    expect(new TextEncoder().encode(made).byteLength).toBeLessThanOrEqual(255);
  });

  it.each(['a', 'report.pdf', '.hidden', 'r\u00e9sum\u00e9', 'x'.repeat(200)])(
    'recognises what it makes for %j',
    (name) => {
      expect(isTempName(tempName(name, KEY))).toBe(true);
      expect(isResumeTempName(tempName(name, KEY))).toBe(false);
      expect(isTempName(resumeTempName(name, KEY))).toBe(true);
      expect(isResumeTempName(resumeTempName(name, KEY))).toBe(true);
    },
  );

  it.each(['0123456789ABCDEF', '0123', `${KEY}0`, '../../../etc/x', ''])(
    'refuses the key %j',
    (key) => {
      expect(() => tempName('f', key)).toThrow(RangeError);
    },
  );
});
