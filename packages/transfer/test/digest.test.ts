// createDigest (docs/protocol.md §7.1): both algorithms against the spec's empty digests and
// a reference, fed in uneven pieces, asked mid-way and at the end.
import { createHash, randomBytes } from 'node:crypto';
import { EMPTY_BLAKE3, EMPTY_SHA256 } from '@cftp/protocol';
import { Blake3Hasher } from '@napi-rs/blake-hash';
import { describe, expect, it } from 'vitest';
import { createDigest } from '../src/index.js';

describe('createDigest', () => {
  it('gives the empty digests of §7 and §7.1', () => {
    expect(createDigest('sha256').hex()).toBe(EMPTY_SHA256);
    expect(createDigest('blake3').hex()).toBe(EMPTY_BLAKE3);
  });

  it.each(['sha256', 'blake3'] as const)('%s: pieces, mid-way and final', (algorithm) => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const reference = (bytes: Uint8Array) =>
      algorithm === 'sha256'
        ? createHash('sha256').update(bytes).digest('hex')
        : new Blake3Hasher().update(bytes).digest('hex');
    const digest = createDigest(algorithm);
    expect(digest.algorithm).toBe(algorithm);
    let at = 0;
    let piece = 1;
    while (at < data.length) {
      digest.update(data.subarray(at, at + piece));
      at += piece;
      piece = piece * 3 + 1;
      if (at === 1 + 4) expect(digest.hex()).toBe(reference(data.subarray(0, 5)));
    }
    expect(digest.hex()).toBe(reference(data));
    expect(digest.hex()).toBe(reference(data));
  });
});
