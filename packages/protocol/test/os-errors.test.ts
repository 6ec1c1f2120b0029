// The one OS-error table (os-errors.ts): every OS code maps to a code docs/protocol.md §11
// lists, by the rule in the module header, with words a person can read.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  describeOsError,
  ERROR_CODES,
  type ErrorCode,
  errnoOf,
  OS_ERRORS,
  osError,
} from '../src/index.js';

/** The codes of the table in docs/protocol.md §11, read from the spec itself. */
function specCodes(): Set<string> {
  const spec = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');
  const section = spec.slice(spec.indexOf('## 11. Error codes'), spec.indexOf('## 12.'));
  return new Set([...section.matchAll(/^\| `(E[A-Z]+)`/gm)].map((match) => match[1]!));
}

describe('the OS-error table', () => {
  it('maps each OS code to the CFTP code of the rule', () => {
    const expected: Record<string, ErrorCode> = {
      ENOENT: 'ENOENT',
      ENOTDIR: 'ENOTDIR',
      EISDIR: 'EISDIR',
      EEXIST: 'EEXIST',
      ENOTEMPTY: 'ENOTEMPTY',
      EACCES: 'EACCES',
      EPERM: 'EACCES',
      EROFS: 'EACCES',
      ELOOP: 'EACCES',
      ENXIO: 'EACCES',
      ENAMETOOLONG: 'EBADNAME',
      ENOSPC: 'ENOSPC',
      EDQUOT: 'ENOSPC',
      EFBIG: 'ENOSPC',
      EMFILE: 'EBUSY',
      ENFILE: 'EBUSY',
      EBUSY: 'EBUSY',
      ETXTBSY: 'EBUSY',
      EIO: 'EIO',
      EXDEV: 'EIO',
    };
    const actual = Object.fromEntries(
      Object.entries(OS_ERRORS).map(([errno, entry]) => [errno, entry.code]),
    );
    expect(actual).toEqual(expected);
  });

  it('gives only codes that the spec lists on the wire', () => {
    const listed = specCodes();
    expect(listed.size).toBeGreaterThan(15);
    for (const [errno, { code }] of Object.entries(OS_ERRORS)) {
      expect(listed.has(code), `${errno} -> ${code}`).toBe(true);
      expect(ERROR_CODES).toContain(code);
    }
  });

  it('keeps every OS code that the spec lists as itself', () => {
    for (const code of specCodes()) {
      const entry = osError(code);
      if (entry !== undefined) expect(entry.code).toBe(code);
    }
  });

  it('has plain words for people, distinct for each OS code', () => {
    const words = Object.values(OS_ERRORS).map((entry) => entry.words);
    for (const word of words) expect(word).toMatch(/^[a-z][a-z /-]+[a-z]$/);
    expect(new Set(words).size).toBe(words.length);
    expect(osError('ENOSPC')?.words).toBe('no space left on device');
    expect(osError('EACCES')?.words).toBe('permission denied');
    expect(osError('ENOENT')?.words).toBe('no such file or directory');
    expect(osError('EROFS')?.words).toBe('read-only file system');
  });

  it('does not list what it does not know, nor Object.prototype names', () => {
    expect(osError(undefined)).toBeUndefined();
    expect(osError('EWHATEVER')).toBeUndefined();
    expect(osError('toString')).toBeUndefined();
    expect(osError('__proto__')).toBeUndefined();
  });
});

describe('errnoOf and describeOsError', () => {
  function nodeError(code: string, message: string): Error {
    return Object.assign(new Error(message), { code });
  }

  it('reads the code of an error-like value', () => {
    expect(errnoOf(nodeError('EPERM', 'x'))).toBe('EPERM');
    expect(errnoOf({ code: 'ENOENT' })).toBe('ENOENT');
    expect(errnoOf({ code: 13 })).toBeUndefined();
    expect(errnoOf(new Error('plain'))).toBeUndefined();
    expect(errnoOf('ENOENT')).toBeUndefined();
    expect(errnoOf(null)).toBeUndefined();
  });

  it('describes a listed OS error by the table', () => {
    expect(describeOsError(nodeError('EPERM', "EPERM: operation not permitted, open 'x'"))).toEqual(
      { code: 'EACCES', words: 'operation not permitted' },
    );
    expect(describeOsError(nodeError('EDQUOT', 'EDQUOT: quota'))).toEqual({
      code: 'ENOSPC',
      words: 'disk quota exceeded',
    });
  });

  it('describes anything else as EIO with its own message', () => {
    expect(describeOsError(nodeError('EINVAL', 'EINVAL: invalid argument'))).toEqual({
      code: 'EIO',
      words: 'EINVAL: invalid argument',
    });
    expect(describeOsError(new Error('something broke'))).toEqual({
      code: 'EIO',
      words: 'something broke',
    });
    expect(describeOsError('a string')).toEqual({ code: 'EIO', words: 'a string' });
  });
});
