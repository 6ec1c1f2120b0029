// Path rules (docs/protocol.md §9), temporary upload names (§8) and the error hierarchy
// rebuilt from wire codes (§11).
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  CftpError,
  ConnectionError,
  canonicalPath,
  checkName,
  DataChannelError,
  ERROR_CODES,
  type ErrorCode,
  errorFromCode,
  hasControlCharacters,
  IntegrityError,
  PathError,
  ProtocolError,
  parsePath,
  TimeoutError,
} from '../src/index.js';

const utf8Length = (text: string): number => new TextEncoder().encode(text).byteLength;

function expectBadName(act: () => unknown): void {
  let thrown: unknown;
  try {
    act();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(PathError);
  expect(thrown).toHaveProperty('code', 'EBADNAME');
}

describe('docs/protocol.md §9: parsePath accepts', () => {
  it.each(['', '.', './.'])('the root as %j', (path) => {
    expect(parsePath(path)).toEqual([]);
  });

  it.each([
    { path: 'a', segments: ['a'] },
    { path: 'a/b.txt', segments: ['a', 'b.txt'] },
    { path: 'docs/2025/q4/report final.pdf', segments: ['docs', '2025', 'q4', 'report final.pdf'] },
    { path: '...', segments: ['...'] },
    { path: '..hidden/.x', segments: ['..hidden', '.x'] },
    { path: 'notes:v2/x', segments: ['notes:v2', 'x'] },
    { path: '\u{1f4c1}/\u65e5\u672c', segments: ['\u{1f4c1}', '\u65e5\u672c'] },
  ])('$path as its segments', ({ path, segments }) => {
    expect(parsePath(path)).toEqual(segments);
  });

  it.each([
    { path: './a', segments: ['a'] },
    { path: 'a/.', segments: ['a'] },
    { path: 'a/./b', segments: ['a', 'b'] },
    { path: './a/././b/.', segments: ['a', 'b'] },
  ])('$path with its "." segments dropped', ({ path, segments }) => {
    expect(parsePath(path)).toEqual(segments);
  });

  it('normalises segments to NFC', () => {
    expect(parsePath('e\u0301')).toEqual(['\u00e9']);
    expect(parsePath('cafe\u0301/re\u0301sume\u0301.txt')).toEqual([
      'caf\u00e9',
      'r\u00e9sum\u00e9.txt',
    ]);
    expect(parsePath('\u212b')).toEqual(['\u00c5']); // ANGSTROM SIGN → A WITH RING ABOVE
  });

  it('a segment of exactly 255 UTF-8 bytes (85 three-byte characters)', () => {
    const segment = '\u20ac'.repeat(85);
    expect(utf8Length(segment)).toBe(255);
    expect(parsePath(`a/${segment}`)).toEqual(['a', segment]);
  });

  it('a path of exactly 4096 UTF-8 bytes (1376 characters)', () => {
    const path = Array.from({ length: 17 }, () => '\u20ac'.repeat(80)).join('/');
    expect([utf8Length(path), path.length]).toEqual([4096, 1376]);
    expect(parsePath(path)).toHaveLength(17);
  });
});

describe('docs/protocol.md §9: parsePath refuses with EBADNAME', () => {
  it.each([
    ['an absolute path', '/etc/passwd'],
    ['the absolute root', '/'],
    ['a path starting with "//"', '//server/share'],
    ['a drive letter', 'C:'],
    ['a drive letter with a path', 'C:/Windows'],
    ['a lowercase drive letter, no slash', 'c:file.txt'],
    ['a backslash', 'a\\b'],
    ['a lone backslash', '\\'],
    ['a backslash drive path', 'C:\\Windows'],
    ['a NUL', 'a\u0000b'],
    ['a NUL at the end', 'file.txt\u0000'],
    ['U+0001', '\u0001'],
    ['a tab', 'a\tb'],
    ['a newline', 'a/b\nc'],
    ['a carriage return', 'a\r'],
    ['U+001B (escape)', 'x\u001b[31m'],
    ['U+001F', 'a\u001f'],
    ['U+007F (delete)', 'a\u007f'],
    ['".." alone', '..'],
    ['".." at the start', '../etc/passwd'],
    ['".." in the middle', 'a/../b'],
    ['".." at the end', 'a/b/..'],
    ['".." after "."', './..'],
    ['an empty segment', 'a//b'],
    ['a trailing slash', 'a/'],
    ['a trailing slash after a nested path', 'a/b/'],
    ['a trailing slash after "."', './'],
  ])('%s (%j)', (_name, path) => {
    expectBadName(() => parsePath(path));
  });

  it('a path over 4096 UTF-8 bytes, though under 4096 characters', () => {
    const segments = Array.from({ length: 17 }, () => '\u20ac'.repeat(80));
    segments[16] = '\u20ac'.repeat(81);
    const path = segments.join('/');
    expect([utf8Length(path), path.length]).toEqual([4099, 1377]);
    expectBadName(() => parsePath(path));
  });

  it('an ASCII path of 4097 bytes', () => {
    const path = `${Array.from({ length: 16 }, () => 'a'.repeat(255)).join('/')}/x`;
    expect(utf8Length(path)).toBe(4097);
    expectBadName(() => parsePath(path));
  });

  it.each([
    { name: '256 ASCII bytes', segment: 'a'.repeat(256) },
    { name: '86 three-byte characters (258 bytes)', segment: '\u20ac'.repeat(86) },
    {
      name: '85 three-byte characters and one ASCII (256 bytes)',
      segment: `${'\u20ac'.repeat(85)}a`,
    },
    { name: '128 two-byte characters (256 bytes)', segment: '\u00e9'.repeat(128) },
    { name: '64 four-byte characters (256 bytes)', segment: '\u{1f4c1}'.repeat(64) },
  ])('a segment of $name', ({ segment }) => {
    expect(utf8Length(segment)).toBeGreaterThan(255);
    expectBadName(() => parsePath(segment));
    expectBadName(() => parsePath(`dir/${segment}/file`));
  });
});

describe('docs/protocol.md §6.1, §9: checkName', () => {
  it('returns a single name, NFC-normalised', () => {
    expect(checkName('report.pdf')).toBe('report.pdf');
    expect(checkName('re\u0301sume\u0301')).toBe('r\u00e9sum\u00e9');
  });

  it.each([
    ['a name with a slash', 'a/b'],
    ['a trailing slash', 'a/'],
    ['a leading slash', '/a'],
    ['a name followed by "/."', 'a/.'],
    ['a name preceded by "./"', './a'],
    ['the empty name', ''],
    ['"."', '.'],
    ['".."', '..'],
    ['a backslash', 'a\\b'],
    ['a control character', 'a\nb'],
    ['an over-long name', '\u20ac'.repeat(86)],
  ])('refuses %s with EBADNAME', (_name, name) => {
    expectBadName(() => checkName(name));
  });
});

describe('docs/protocol.md §11: errorFromCode', () => {
  const expectedClass: Record<ErrorCode, new (...args: never[]) => CftpError> = {
    EPROTO: ProtocolError,
    EFRAMESIZE: ProtocolError,
    EUNKNOWN: ProtocolError,
    EVERSION: ProtocolError,
    EBADNAME: PathError,
    ENOENT: PathError,
    EEXIST: PathError,
    ENOTEMPTY: PathError,
    ENOTDIR: PathError,
    EISDIR: PathError,
    EACCES: PathError,
    ENOSPC: CftpError,
    EIO: CftpError,
    EINTEGRITY: IntegrityError,
    EDATAAUTH: DataChannelError,
    EDATA: DataChannelError,
    ETIMEDOUT: TimeoutError,
    ECANCELED: AbortError,
    EBUSY: CftpError,
    ESHUTDOWN: CftpError,
    ECONNECTION: ConnectionError,
    EUSAGE: CftpError,
    EPARTIAL: CftpError,
    EAUTH: CftpError,
    ETLS: CftpError,
  };

  it.each(ERROR_CODES.map((code) => ({ code, cls: expectedClass[code] })))(
    '$code → $cls.name',
    ({ code, cls }) => {
      const error = errorFromCode(code, 'from the wire');
      expect(Object.getPrototypeOf(error)).toBe(cls.prototype);
      expect(error).toBeInstanceOf(CftpError);
      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe(code);
      expect(error.message).toBe('from the wire');
      expect(error.name).toBe(cls.name);
    },
  );

  it('covers exactly the codes of ERROR_CODES', () => {
    expect(Object.keys(expectedClass).sort()).toEqual([...ERROR_CODES].sort());
  });

  it.each(['EWHATEVER', '', 'eproto', 'toString'])('an unknown code %j → EPROTO', (code) => {
    const error = errorFromCode(code, 'odd reply');
    expect(Object.getPrototypeOf(error)).toBe(ProtocolError.prototype);
    expect(error.code).toBe('EPROTO');
    expect(error.message).toContain('odd reply');
  });
});

describe('docs/protocol.md §9 (1.1): C1, bidi controls and lone surrogates are refused', () => {
  it.each([
    ['C1 CSI', 'a\u009b31m'],
    ['C1 first', '\u0080x'],
    ['C1 last', 'x\u009f'],
    ['NEL', 'line\u0085break'],
    ['LRE', 'a\u202ab'],
    ['RLO', 'invoice\u202efdp.exe'],
    ['PDF', 'a\u202cb'],
    ['LRI', 'a\u2066b'],
    ['PDI', 'a\u2069b'],
    ['a lone high surrogate', 'a\ud800b'],
    ['a lone low surrogate', 'a\udc00'],
    ['ESC in a folder', 'x\u001b]0;title\u0007/y'],
  ])('%s', (_what, path) => {
    expectBadName(() => parsePath(path));
    expectBadName(() => checkName(path.split('/')[0]!));
  });

  it.each([
    '\u00a0nbsp',
    '\u00a9 2026',
    '\u200e marks are not refused',
    '\u2028 separator',
    '\u{1f4c1} astral',
    '\u05e9\u05dc\u05d5\u05dd',
  ])('accepts %j', (name) => {
    expect(checkName(name)).toBe(name.normalize('NFC'));
  });

  it('quotes a refused name escaped, so the message is safe to print (§9.1)', () => {
    let message = '';
    try {
      checkName('a/\u001b]0;pwned\u0007');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('\\x1b]0;pwned\\x07');
    expect(hasControlCharacters(message)).toBe(false);
  });
});

describe('docs/protocol.md §8, §9 (1.1): canonicalPath', () => {
  it.each([
    ['a/b.txt', 'a/b.txt'],
    ['./a/b.txt', 'a/b.txt'],
    ['a/./b.txt/.', 'a/b.txt'],
    ['caf\u0065\u0301/x', 'caf\u00e9/x'],
    ['', ''],
    ['.', ''],
  ])('%j → %j', (path, canonical) => {
    expect(canonicalPath(path)).toBe(canonical);
  });

  it('refuses what parsePath refuses', () => {
    expectBadName(() => canonicalPath('../x'));
  });
});
