// The digest of a session (docs/protocol.md §4, §7): SHA-256 always, BLAKE3 when both peers
// list the `blake3` feature. Pure: the choice is a rule over two feature lists; the hashers
// themselves live in @cftp/transfer (`createDigest`).
import { FEATURES } from './constants.js';

/** The digests a session can use; `sha256` is mandatory for every peer and the fallback. */
export type DigestAlgorithm = 'sha256' | 'blake3';
export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = ['sha256', 'blake3'];

/** v1.1 feature (§4, §7): the peer can use BLAKE3 (256-bit output) for every digest field. */
export const BLAKE3_FEATURE = 'blake3';

/** BLAKE3 of the empty input, 64 lowercase hex digits (§7). */
export const EMPTY_BLAKE3 = 'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262';

export function isDigestAlgorithm(value: string): value is DigestAlgorithm {
  return (DIGEST_ALGORITHMS as readonly string[]).includes(value);
}

/**
 * The features a peer lists in `hello`/`welcome`: the v1 set, plus `blake3` unless the peer
 * is held to SHA-256 (`--digest sha256`). `sha256` is always listed.
 */
export function featuresFor(digest: DigestAlgorithm): string[] {
  return digest === 'blake3' ? [...FEATURES, BLAKE3_FEATURE] : [...FEATURES];
}

/**
 * The rule of §7, evaluated identically by both peers after the handshake: BLAKE3 when the
 * client's `hello` and the server's `welcome` both list `blake3`, SHA-256 otherwise.
 */
export function negotiateDigest(
  clientFeatures: readonly string[],
  serverFeatures: readonly string[],
): DigestAlgorithm {
  return clientFeatures.includes(BLAKE3_FEATURE) && serverFeatures.includes(BLAKE3_FEATURE)
    ? 'blake3'
    : 'sha256';
}
