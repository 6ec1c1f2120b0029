// Byte helpers for the codec tests: hex fixtures and hand-built frames, written without the
// codec under test so that expected bytes do not come from the code they check.

/** Parses hex digits, ignoring whitespace, so fixtures can be laid out like a hex dump. */
export function hex(text: string): Uint8Array {
  const digits = text.replace(/\s+/g, '');
  if (!/^(?:[0-9a-f]{2})*$/.test(digits)) throw new Error(`bad hex fixture: ${digits}`);
  return Uint8Array.from(digits.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
}

/** Concatenates byte arrays into one. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/** A 4-byte big-endian length header (docs/protocol.md §2) for any 32-bit length. */
export function header(length: number): Uint8Array {
  return Uint8Array.of(length >>> 24, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff);
}

/** A frame around raw payload bytes, or around a string's UTF-8 encoding. */
export function frameOf(payload: string | Uint8Array): Uint8Array {
  const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  return concat([header(bytes.byteLength), bytes]);
}
