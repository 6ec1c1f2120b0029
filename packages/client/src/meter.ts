// Counting, hashing and progress of the bytes of one transfer (docs/protocol.md §7, §7.1).
import { Transform, type TransformCallback } from 'node:stream';
import type { DigestAlgorithm } from '@cftp/protocol';
import { createDigest, type Digest } from '@cftp/transfer';
import type { ProgressListener } from './types.js';

const PROGRESS_INTERVAL_MS = 100;

/** Counts and hashes the bytes of one transfer and reports progress at most every 100 ms. */
export class Meter {
  bytes = 0;
  /** Bytes of `bytes` that were already in place (a resumed prefix), hashed but not moved. */
  resumed = 0;
  private readonly hash: Digest;
  private readonly started = performance.now();
  private lastReport = 0;

  constructor(
    /** Expected total; a download learns it from `ready`. */
    public total: number | undefined,
    private readonly onProgress: ProgressListener | undefined,
    /** The session's digest (§7.1). */
    readonly algorithm: DigestAlgorithm,
  ) {
    this.hash = createDigest(algorithm);
  }

  /** The digest of what was observed so far, without ending the hash (resume, §6.2/§6.3). */
  digestSoFar(): string {
    return this.hash.hex();
  }

  /** Counts `chunk`; `prefix`: it was already in place (resume), so no rate counts it. */
  observe(chunk: Uint8Array, prefix = false): void {
    this.bytes += chunk.byteLength;
    if (prefix) this.resumed += chunk.byteLength;
    this.hash.update(chunk);
    if (this.onProgress !== undefined) {
      const now = performance.now();
      if (now - this.lastReport >= PROGRESS_INTERVAL_MS) {
        this.lastReport = now;
        this.report(now);
      }
    }
  }

  /** The last progress report, with the final count. */
  finish(): void {
    this.report(performance.now());
  }

  private report(now: number): void {
    const seconds = Math.max((now - this.started) / 1000, 1e-6);
    const { bytes, resumed, total } = this;
    this.onProgress?.({ bytes, total, rate: (bytes - resumed) / seconds, resumed });
  }

  digest(): string {
    return this.hash.hex();
  }
}

/** A pass-through stream that shows every chunk to `meter` (the receiving side). */
export function meterStream(meter: Meter, received?: (bytes: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      meter.observe(chunk);
      received?.(chunk.byteLength);
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      meter.finish();
      callback();
    },
  });
}
