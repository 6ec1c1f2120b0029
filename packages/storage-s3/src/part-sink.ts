// Upload bytes → parts of a multipart upload (or segment objects of a resumable partial), a
// few in flight at once. Memory per upload is bounded by (parts in flight + 1) × part size:
// the stream holds back its writer while `queueSize` parts are on their way.
import { Writable } from 'node:stream';

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
    this.chunks.push(chunk);
    this.buffered += chunk.byteLength;
    if (this.buffered < this.partSize) {
      callback();
      return;
    }
    this.launch(this.takeTail());
    if (this.inFlight.size < this.queueSize) {
      callback();
      return;
    }
    // Backpressure: the socket is not read while the queue of parts is full.
    void Promise.race(this.inFlight).then(() => callback(this.failure as Error | undefined));
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.buffered > this.keepTailUpTo && this.failure === undefined)
      this.launch(this.takeTail());
    void this.settle().then(() => callback(this.failure as Error | undefined));
  }

  private launch(body: Buffer): void {
    const number = this.nextPart++;
    const sent: Promise<void> = this.send(number, body).then(
      () => {
        this.inFlight.delete(sent);
      },
      (error: unknown) => {
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
