// Upload bytes → parts of a multipart upload (or segment objects of a resumable partial), a
// few in flight at once. Memory per upload is bounded by (parts in flight + 1) × part size:
// the stream holds back its writer while `queueSize` parts are on their way. A full part
// is copied into a buffer of a small process-wide pool and the buffer is reused once the
// store has it, so a long upload does not leave a trail of dead 16 MiB buffers for the GC.
import { Writable } from 'node:stream';

/** Part buffers kept for reuse, per part size: one upload's queue and the part filling. */
const POOL_KEEP = 5;
const pool = new Map<number, Buffer[]>();

function takePartBuffer(size: number): Buffer {
  return pool.get(size)?.pop() ?? Buffer.allocUnsafeSlow(size);
}

function returnPartBuffer(buffer: Buffer): void {
  const free = pool.get(buffer.byteLength) ?? [];
  if (free.length < POOL_KEEP) free.push(buffer);
  pool.set(buffer.byteLength, free);
}

/** Copies `chunks` (`total` bytes) into one pooled buffer of `size` ≥ total bytes. */
function gather(chunks: readonly Buffer[], total: number, size: number): Buffer {
  const buffer = takePartBuffer(size);
  let at = 0;
  for (const chunk of chunks) at += chunk.copy(buffer, at);
  return total === size ? buffer : buffer.subarray(0, total);
}

/** Sends part `number` (1-based); resolves once the store has it. */
export type SendPart = (number: number, body: Buffer) => Promise<void>;

export class PartSink extends Writable {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;
  /** The number the next part will get. */
  nextPart: number;

  constructor(
    private readonly partSize: number,
    private readonly queueSize: number,
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
    // Parts of exactly partSize: the chunk that crosses a boundary is split there.
    let rest = chunk;
    let launched = false;
    while (this.buffered + rest.byteLength >= this.partSize) {
      const need = this.partSize - this.buffered;
      this.chunks.push(rest.subarray(0, need));
      this.buffered += need;
      this.launch(this.takePart());
      launched = true;
      rest = rest.subarray(need);
    }
    if (rest.byteLength > 0) {
      this.chunks.push(rest);
      this.buffered += rest.byteLength;
    }
    if (!launched || this.inFlight.size < this.queueSize) {
      callback();
      return;
    }
    // Backpressure: the socket is not read while the queue of parts is full.
    void Promise.race(this.inFlight).then(() => callback(this.failure as Error | undefined));
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.buffered > this.keepTailUpTo && this.failure === undefined)
      this.launch(this.takePart());
    void this.settle().then(() => callback(this.failure as Error | undefined));
  }

  /** The buffered bytes (at most partSize) as one part, in a pooled buffer. */
  private takePart(): Buffer {
    const { chunks, buffered } = this;
    this.chunks = [];
    this.buffered = 0;
    return gather(chunks, buffered, this.partSize);
  }

  private launch(body: Buffer): void {
    const number = this.nextPart++;
    // Back to the pool once the store has it (or refused it): nothing reads it after that.
    const release = () => {
      if (body.buffer.byteLength === this.partSize && body.byteOffset === 0) {
        returnPartBuffer(Buffer.from(body.buffer, 0, this.partSize));
      }
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
    const tail =
      this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    this.chunks = [];
    this.buffered = 0;
    return tail;
  }
}
