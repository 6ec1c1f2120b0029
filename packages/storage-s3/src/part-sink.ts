// Upload bytes → parts of a multipart upload (or segment objects of a resumable partial), a
// few in flight at once. Memory per upload is bounded by (parts in flight + 1) × part size:
// the stream holds back its writer while `queueSize` parts are on their way. Each chunk is
// copied into the part being filled during its write, before the callback, so the writer
// may reuse the chunk's memory at once (ReleasesChunks: the receiver then hands over its
// own blocks, not copies of them — one copy per byte, not two). Part buffers come from a
// small process-wide pool, reused while uploads run, so a long upload does not leave a
// trail of dead 16 MiB buffers for the GC; the pool is dropped when the last upload ends,
// so an idle server does not keep (parts in flight + 1) × part size of it.
import { Writable } from 'node:stream';
import type { ReleasesChunks } from '@cftp/transfer';

export interface PartPlan {
  /** Bytes per part (at least 5 MiB, S3's minimum for all but the last). */
  partSize: number;
  /** Parts on their way at once, per upload. */
  queueSize: number;
  /**
   * Called when the last upload ends and the pool drops at least DROP_COLLECT_BYTES: the
   * buffers lived long enough to be old objects, which only a major collection frees, and
   * nothing else may trigger one for a long time (`cftp server` passes V8's).
   */
  poolDropped?: () => void;
  /**
   * Notes bytes written into parts: the storage's memory reclaim (a minor collection every
   * 16 MiB, as for reads). A server upload read straight into the receiver's blocks makes
   * no Buffer per read and so no collection of its own, but the store's requests still
   * leave garbage behind every part.
   */
  written?: (bytes: number) => void;
}

/** Part buffers kept for reuse, per part size: one upload's queue and the part filling. */
const POOL_KEEP = 5;
/** Smaller drops are left to V8's own pace. */
const DROP_COLLECT_BYTES = 32 * 1024 * 1024;
const pool = new Map<number, Buffer[]>();
/** Sinks that have taken part buffers and not ended yet: at 0 the pool is dropped. */
let users = 0;

function takePartBuffer(size: number): Buffer {
  return pool.get(size)?.pop() ?? Buffer.allocUnsafeSlow(size);
}

function returnPartBuffer(buffer: Buffer): void {
  if (users === 0) return; // no upload left to reuse it: garbage
  const free = pool.get(buffer.byteLength) ?? [];
  if (free.length < POOL_KEEP) free.push(buffer);
  pool.set(buffer.byteLength, free);
}

/** Part buffers held by the pool now (tests: the pool is empty once uploads end). */
export function partPoolBytes(): number {
  let bytes = 0;
  for (const free of pool.values()) for (const buffer of free) bytes += buffer.byteLength;
  return bytes;
}

/**
 * Bytes of an upload copied into buffers of their own size before a part buffer is taken:
 * a small file (most of a batch) never holds a part-sized buffer while it waits for its
 * commit. Larger than the direct upload's kept tail, so a kept tail is always small.
 */
const SMALL_BYTES = 256 * 1024;

/** Sends part `number` (1-based); resolves once the store has it. */
export type SendPart = (number: number, body: Buffer) => Promise<void>;

export class PartSink extends Writable implements ReleasesChunks {
  readonly releasesChunks = true as const;
  /** Copies of the first bytes, while fewer than SMALL_BYTES and no part buffer is taken. */
  private small: Buffer[] = [];
  /** The part being filled (a pooled buffer of partSize), once the upload is not small. */
  private part: Buffer | undefined;
  /** Bytes held: in `small`, or the first `buffered` of `part`. */
  private buffered = 0;
  /** A part buffer has been taken: every later byte goes straight into one. */
  private large = false;
  private usingPool = false;
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;
  /** The number the next part will get. */
  nextPart: number;

  private readonly partSize: number;
  private readonly queueSize: number;
  private readonly poolDropped: (() => void) | undefined;
  private readonly written: ((bytes: number) => void) | undefined;

  constructor(
    plan: PartPlan,
    private readonly send: SendPart,
    firstPart = 1,
    /**
     * At the end of the data, a tail longer than this is sent as the last part at once, so a
     * batch of many finished files waiting for their commit holds little memory each.
     */
    private readonly keepTailUpTo = Number.POSITIVE_INFINITY,
  ) {
    // A small buffer in front: the parts themselves are the buffer that matters.
    super({ highWaterMark: 1024 * 1024 });
    this.partSize = plan.partSize;
    this.queueSize = plan.queueSize;
    this.poolDropped = plan.poolDropped;
    this.written = plan.written;
    this.nextPart = firstPart;
  }

  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    if (this.failure !== undefined) {
      callback(this.failure as Error);
      return;
    }
    this.written?.(chunk.byteLength);
    let launched = false;
    let at = 0;
    while (at < chunk.byteLength) {
      const rest = chunk.byteLength - at;
      if (!this.large && this.buffered + rest <= SMALL_BYTES) {
        this.small.push(Buffer.from(chunk.subarray(at)));
        this.buffered += rest;
        break;
      }
      const part = this.partBuffer();
      // Parts of exactly partSize: the chunk that crosses a boundary is split there.
      const n = Math.min(rest, this.partSize - this.buffered);
      chunk.copy(part, this.buffered, at, at + n);
      this.buffered += n;
      at += n;
      if (this.buffered === this.partSize) {
        this.launch(this.takePart());
        launched = true;
      }
    }
    if (!launched || this.inFlight.size < this.queueSize) {
      callback();
      return;
    }
    // Backpressure: the socket is not read while the queue of parts is full.
    void Promise.race(this.inFlight).then(() => callback(this.failure as Error | undefined));
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.buffered > this.keepTailUpTo && this.failure === undefined) {
      this.launch(this.takePart());
    } else if (this.part !== undefined) {
      // A short tail kept for the commit: a copy of its own, the part buffer back to the pool.
      const part = this.part;
      this.small = [Buffer.from(part.subarray(0, this.buffered))];
      this.part = undefined;
      returnPartBuffer(part);
    }
    void this.settle().then(() => {
      this.leavePool();
      callback(this.failure as Error | undefined);
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Parts on their way still give their buffers back (dropped if no upload is left); the
    // part being filled stays here for takeTail (an abort that keeps the partial sends it).
    this.leavePool();
    callback(error);
  }

  /** The part being filled; the first one gathers the small copies made before it. */
  private partBuffer(): Buffer {
    if (this.part !== undefined) return this.part;
    if (!this.usingPool) {
      this.usingPool = true;
      users++;
    }
    const part = takePartBuffer(this.partSize);
    let at = 0;
    for (const copy of this.small) at += copy.copy(part, at);
    this.small = [];
    this.large = true;
    this.part = part;
    return part;
  }

  private leavePool(): void {
    if (!this.usingPool) return;
    this.usingPool = false;
    users--;
    if (users > 0) return;
    const dropped = partPoolBytes();
    pool.clear();
    if (dropped >= DROP_COLLECT_BYTES) this.poolDropped?.();
  }

  /** The buffered bytes (at most partSize) as one part; `pooled` when in a part buffer. */
  private takePart(): { body: Buffer; pooled: Buffer | undefined } {
    const { part, buffered } = this;
    this.buffered = 0;
    if (part === undefined) {
      const body = this.small.length === 1 ? this.small[0]! : Buffer.concat(this.small, buffered);
      this.small = [];
      return { body, pooled: undefined };
    }
    this.part = undefined;
    return { body: buffered === part.byteLength ? part : part.subarray(0, buffered), pooled: part };
  }

  private launch({ body, pooled }: { body: Buffer; pooled: Buffer | undefined }): void {
    const number = this.nextPart++;
    // Back to the pool once the store has it (or refused it): nothing reads it after that.
    const release = () => {
      if (pooled !== undefined) returnPartBuffer(pooled);
    };
    const sent: Promise<void> = this.send(number, body).then(
      () => {
        release();
        this.inFlight.delete(sent);
      },
      (error: unknown) => {
        release();
        this.failure ??= error;
        this.inFlight.delete(sent);
      },
    );
    this.inFlight.add(sent);
  }

  /** Waits until no part is on its way (sent or failed). */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  /** The first failure of a part, if any. */
  get failed(): unknown {
    return this.failure;
  }

  /** The bytes received but not yet sent as a part (less than a part once the stream ended). */
  takeTail(): Buffer {
    return this.takePart().body;
  }
}
