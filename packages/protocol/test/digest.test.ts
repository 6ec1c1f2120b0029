// docs/protocol.md §7.1: the digest rule (negotiateDigest, featuresFor) and the spec's test
// vectors, checked against OpenSSL's SHA-256 and a reference BLAKE3.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Blake3Hasher } from '@napi-rs/blake-hash';
import { describe, expect, it } from 'vitest';
import {
  BLAKE3_FEATURE,
  EMPTY_BLAKE3,
  EMPTY_SHA256,
  FEATURES,
  featuresFor,
  isDigestAlgorithm,
  negotiateDigest,
} from '../src/index.js';

const spec = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');
const section = spec.slice(spec.indexOf('### 7.1'), spec.indexOf('## 8.'));
const vectors = [
  ...section.matchAll(
    /^\| (\(empty\)|`[^`]*`(?: LF)?) +\| `([0-9a-f]{64})` \| `([0-9a-f]{64})` \|$/gm,
  ),
].map((m) => {
  const cell = m[1]!;
  const text =
    cell === '(empty)'
      ? ''
      : `${cell.slice(1, cell.lastIndexOf('`'))}${cell.endsWith(' LF') ? '\n' : ''}`;
  return { text, sha256: m[2]!, blake3: m[3]! };
});

function blake3(text: string): string {
  return new Blake3Hasher().update(Buffer.from(text, 'utf8')).digest('hex');
}

describe('docs/protocol.md §7.1 test vectors', () => {
  it('lists the empty input and known strings', () => {
    expect(vectors.map((v) => v.text)).toEqual(['', 'abc', 'hello, world\n']);
  });

  it.each(vectors)('SHA-256 and BLAKE3 of $text', ({ text, sha256, blake3: expected }) => {
    expect(createHash('sha256').update(text).digest('hex')).toBe(sha256);
    expect(blake3(text)).toBe(expected);
  });

  it('names the empty digests as constants', () => {
    expect(vectors[0]).toEqual({ text: '', sha256: EMPTY_SHA256, blake3: EMPTY_BLAKE3 });
  });
});

describe('docs/protocol.md §7.1 negotiateDigest', () => {
  const both = featuresFor('blake3');
  const old = featuresFor('sha256');

  it('lists sha256 always and blake3 only when not held to SHA-256', () => {
    expect(both).toContain('sha256');
    expect(old).toContain('sha256');
    expect(both).toContain(BLAKE3_FEATURE);
    expect(old).not.toContain(BLAKE3_FEATURE);
    expect(old).toEqual([...FEATURES]);
  });

  it('is BLAKE3 only when both hello and welcome list blake3', () => {
    expect(negotiateDigest(both, both)).toBe('blake3');
    expect(negotiateDigest(both, old)).toBe('sha256');
    expect(negotiateDigest(old, both)).toBe('sha256');
    expect(negotiateDigest(old, old)).toBe('sha256');
    expect(negotiateDigest([], [])).toBe('sha256');
    // A v1 peer lists exactly the v1 features.
    expect(negotiateDigest(['sha256', 'fs', 'resume', 'mtime', 'batch'], both)).toBe('sha256');
  });

  it('knows exactly the two algorithm names', () => {
    expect(isDigestAlgorithm('sha256')).toBe(true);
    expect(isDigestAlgorithm('blake3')).toBe(true);
    expect(isDigestAlgorithm('BLAKE3')).toBe(false);
    expect(isDigestAlgorithm('md5')).toBe(false);
  });
});
