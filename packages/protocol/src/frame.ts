// Length-prefixed framing (docs/protocol.md §2): pure, incremental, bytes in, frames out.
import { DEFAULT_MAX_FRAME_SIZE, FRAME_HEADER_BYTES } from './constants.js';
import { ProtocolError } from './errors.js';

/** Prefixes `payload` with its 4-byte big-endian length, in one buffer (one socket write). */
export function encodeFrame(payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(FRAME_HEADER_BYTES + payload.byteLength);
  new DataView(frame.buffer).setUint32(0, payload.byteLength);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

/**
 * A fatal framing error (§2). `frames` holds the whole frames that came before the bad
 * header in the same push, so the outcome does not depend on how the bytes were split.
 */
export class FrameSizeError extends ProtocolError {
  constructor(
    message: string,
    readonly frames: Uint8Array[],
  ) {
    super('EFRAMESIZE', message);
  }
}

/**
 * Splits a byte stream into frame payloads. `push` returns every payload completed by the
 * new bytes and keeps the rest. A length of 0 or above `maxFrameSize` throws FrameSizeError
 * (EFRAMESIZE) before any of that payload is buffered; the decoder is unusable afterwards.
 */
export class FrameDecoder {
  readonly maxFrameSize: number;
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private expected = -1;
  private failed = false;

  constructor(options: { maxFrameSize?: number } = {}) {
    this.maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
  }

  /** Bytes held for a frame not yet complete. */
  get pendingBytes(): number {
    return this.buffered;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    if (this.failed) throw new FrameSizeError('decoder already failed', []);
    if (chunk.byteLength > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.byteLength;
    }
    const frames: Uint8Array[] = [];
    for (;;) {
      if (this.expected < 0) {
        if (this.buffered < FRAME_HEADER_BYTES) break;
        const header = this.take(FRAME_HEADER_BYTES);
        const length = new DataView(header.buffer, header.byteOffset, 4).getUint32(0);
        if (length === 0 || length > this.maxFrameSize) {
          this.failed = true;
          this.chunks = [];
          this.buffered = 0;
          throw new FrameSizeError(
            `frame length ${length} outside 1..${this.maxFrameSize}`,
            frames,
          );
        }
        this.expected = length;
      }
      if (this.buffered < this.expected) break;
      frames.push(this.take(this.expected));
      this.expected = -1;
    }
    return frames;
  }

  /** Removes and returns the first `n` buffered bytes (copying only when they span chunks). */
  private take(n: number): Uint8Array {
    const first = this.chunks[0]!;
    let out: Uint8Array;
    if (first.byteLength >= n) {
      out = first.subarray(0, n);
      if (first.byteLength === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = new Uint8Array(n);
      let filled = 0;
      while (filled < n) {
        const c = this.chunks[0]!;
        const part = Math.min(c.byteLength, n - filled);
        out.set(c.subarray(0, part), filled);
        filled += part;
        if (part === c.byteLength) this.chunks.shift();
        else this.chunks[0] = c.subarray(part);
      }
    }
    this.buffered -= n;
    return out;
  }
}
