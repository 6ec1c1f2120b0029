// The hashers behind the session's digest (docs/protocol.md §7, §7.1): SHA-256 from OpenSSL,
// BLAKE3 from @napi-rs/blake-hash (native, prebuilt; several times SHA-256's speed). Which
// one a session uses is negotiateDigest's choice (@cftp/protocol).
import { createHash, type Hash } from 'node:crypto';
import type { DigestAlgorithm } from '@cftp/protocol';
import { Blake3Hasher } from '@napi-rs/blake-hash';

/** A running digest: sees bytes in order; `hex()` may be asked at any point, and again. */
export interface Digest {
  readonly algorithm: DigestAlgorithm;
  update(chunk: Uint8Array): void;
  /** The digest of every byte seen so far, 64 lowercase hex digits; hashing may go on. */
  hex(): string;
}

class Sha256Digest implements Digest {
  readonly algorithm = 'sha256';
  private readonly hash: Hash = createHash('sha256');
  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
  }
  hex(): string {
    // Node's digest() ends a Hash; a copy (a few hundred bytes of state) keeps it going.
    return this.hash.copy().digest('hex');
  }
}

class Blake3Digest implements Digest {
  readonly algorithm = 'blake3';
  private readonly hasher = new Blake3Hasher();
  update(chunk: Uint8Array): void {
    this.hasher.update(chunk);
  }
  hex(): string {
    // BLAKE3's finalize does not consume the hasher: it may go on after this.
    return this.hasher.digest('hex');
  }
}

/** A new, empty digest of `algorithm`. */
export function createDigest(algorithm: DigestAlgorithm): Digest {
  return algorithm === 'blake3' ? new Blake3Digest() : new Sha256Digest();
}
