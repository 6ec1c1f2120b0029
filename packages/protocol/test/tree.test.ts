// docs/protocol.md §6.10: the `tree` request both ways against exact bytes, any split of its
// frame, its entry lines, and the path rule a client applies to every line.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkTreePath,
  encodeMessage,
  FEATURES,
  MAX_TREE_DEPTH,
  MessageDecoder,
  TREE_FEATURE,
  type Tree,
  treeEntrySchema,
} from '../src/index.js';
import { treeArb } from './arbitraries.js';

const utf8 = new TextEncoder();

describe('tree request (§6.10)', () => {
  const cases: { name: string; message: Tree; json: string }[] = [
    { name: 'the root', message: { type: 'tree', id: 2 }, json: '{"type":"tree","id":2}' },
    {
      name: 'a folder, with digests',
      message: { type: 'tree', id: 14, path: 'docs', digest: true },
      json: '{"type":"tree","id":14,"path":"docs","digest":true}',
    },
  ];

  it.each(cases)('$name encodes to its exact bytes and back', ({ message, json }) => {
    const payload = utf8.encode(json);
    const frame = encodeMessage(message);
    expect(Buffer.from(frame.subarray(0, 4)).readUInt32BE(0)).toBe(payload.byteLength);
    expect(Buffer.from(frame.subarray(4)).toString('utf8')).toBe(json);
    expect(new MessageDecoder().push(frame)).toEqual([{ ok: true, message }]);
  });

  it('is refused with EPROTO when digest is not a boolean', () => {
    const frame = encodeMessage({ type: 'tree', id: 3, path: '' });
    const bad = utf8.encode('{"type":"tree","id":3,"digest":"yes"}');
    const header = Buffer.alloc(4);
    header.writeUInt32BE(bad.byteLength);
    const [result] = new MessageDecoder().push(Buffer.concat([header, bad]));
    expect(result?.ok === false && result.error.code).toBe('EPROTO');
    expect(frame.byteLength).toBeGreaterThan(4);
  });

  it('decodes the same whatever the split of its frame', () => {
    fc.assert(
      fc.property(treeArb, fc.integer({ min: 1, max: 7 }), (message, step) => {
        const frame = encodeMessage(message);
        const decoder = new MessageDecoder();
        const results = [];
        for (let at = 0; at < frame.byteLength; at += step) {
          results.push(...decoder.push(frame.subarray(at, at + step)));
        }
        expect(results).toEqual([{ ok: true, message }]);
      }),
    );
  });

  it('is a feature of every peer of this version', () => {
    expect(FEATURES).toContain(TREE_FEATURE);
  });
});

describe('tree entry lines (§6.10)', () => {
  it('takes a file with a digest, and a symlink with a target', () => {
    const file = {
      path: 'docs/a.txt',
      type: 'file',
      size: 13,
      mtime: 1795636800000,
      mode: 420,
      digest: '853ff93762a06ddbf722c4ebe9ddd66d8f63ddaea97f521c3ecc20da7c976020',
    };
    expect(treeEntrySchema.parse(file)).toEqual({ ok: true, value: file });
    const link = { path: 'latest', type: 'symlink', size: 4, mtime: 1, target: 'docs' };
    expect(treeEntrySchema.parse(link)).toEqual({ ok: true, value: link });
  });

  it.each([
    ['no path', { type: 'file', size: 1, mtime: 1 }],
    ['an empty path', { path: '', type: 'file', size: 1, mtime: 1 }],
    ['an unknown type', { path: 'a', type: 'fifo', size: 1, mtime: 1 }],
    ['an uppercase digest', { path: 'a', type: 'file', size: 1, mtime: 1, digest: 'A'.repeat(64) }],
    ['a negative size', { path: 'a', type: 'file', size: -1, mtime: 1 }],
  ])('refuses %s', (_name, value) => {
    expect(treeEntrySchema.parse(value).ok).toBe(false);
  });
});

describe('checkTreePath (§6.10)', () => {
  it('gives the segments of a canonical relative path', () => {
    expect(checkTreePath('a')).toEqual(['a']);
    expect(checkTreePath('a/b c/d.txt')).toEqual(['a', 'b c', 'd.txt']);
  });

  it.each([
    ['..', '../etc/passwd'],
    ['a .. in the middle', 'a/../../b'],
    ['absolute', '/etc/passwd'],
    ['an empty segment', 'a//b'],
    ['a dot segment', 'a/./b'],
    ['a trailing slash', 'a/'],
    ['a control character', 'a/\u001b[2Jb'],
    ['a backslash', 'a\\b'],
    ['a drive letter', 'C:/x'],
    ['the root', ''],
    ['NFD', 'cafe\u0301'],
  ])('refuses %s with EPROTO', (_name, path) => {
    expect(() => checkTreePath(path)).toThrow(expect.objectContaining({ code: 'EPROTO' }));
  });

  it(`refuses a path deeper than ${MAX_TREE_DEPTH} folders`, () => {
    const deepest = Array.from({ length: MAX_TREE_DEPTH }, () => 'd').join('/');
    expect(checkTreePath(deepest)).toHaveLength(MAX_TREE_DEPTH);
    expect(() => checkTreePath(`${deepest}/x`)).toThrow(
      expect.objectContaining({ code: 'EPROTO' }),
    );
  });
});
