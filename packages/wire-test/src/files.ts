// Test files made and checked by content: random bytes written by streaming (so a 100 MiB
// fixture never sits in memory at once) and SHA-256 or BLAKE3 of bytes or of a file. The one home of
// these helpers for every package's and app's tests.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Blake3Hasher } from '@napi-rs/blake-hash';

const CHUNK = 1024 * 1024;

/** SHA-256 (hex) of some bytes. */
export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** SHA-256 (hex) of a file, read as a stream. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** BLAKE3 (hex) of some bytes: the digest of a session whose peers both list `blake3` (§7.1). */
export function blake3(bytes: Uint8Array | string): string {
  return new Blake3Hasher()
    .update(typeof bytes === 'string' ? Buffer.from(bytes) : bytes)
    .digest('hex');
}

/** BLAKE3 (hex) of a UTF-8 string. */
export function blake3Text(text: string): string {
  return blake3(text);
}

/** BLAKE3 (hex) of a file, read as a stream. */
export async function blake3File(path: string): Promise<string> {
  const hash = new Blake3Hasher();
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

/**
 * Writes `size` random bytes to `path` chunk by chunk; resolves with their SHA-256 (hex).
 * `exclusive` refuses to replace a file that is already there (flag `wx`).
 */
export async function writeRandom(
  path: string,
  size: number,
  options: { exclusive?: boolean } = {},
): Promise<string> {
  const hash = createHash('sha256');
  async function* randomChunks() {
    for (let left = size; left > 0; ) {
      const chunk = randomBytes(Math.min(left, CHUNK));
      hash.update(chunk);
      left -= chunk.length;
      yield chunk;
    }
  }
  await pipeline(randomChunks, createWriteStream(path, { flags: options.exclusive ? 'wx' : 'w' }));
  return hash.digest('hex');
}

/** Writes `size` random bytes to `path` and resolves with them, for tests that slice them. */
export async function writeRandomBytes(path: string, size: number): Promise<Buffer> {
  const bytes = randomBytes(size);
  await writeFile(path, bytes);
  return bytes;
}
