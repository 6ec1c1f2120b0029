// Durable writes without the wait at the end (docs/protocol.md §8): while a large file is
// written, its dirty pages are flushed in the background every `syncEveryBytes`, so the
// final fsync has only the tail left and the disk works while the network does. The I/O is
// injected; this module only decides when.

export interface WriteBehindIO {
  /** Writes every chunk, in order, completely. */
  write(chunks: readonly Uint8Array[]): Promise<void>;
  /** Starts flushing what was written so far (fdatasync). */
  datasync(): Promise<void>;
  /** The final flush: data and metadata (fsync). */
  sync(): Promise<void>;
}

export const DEFAULT_SYNC_EVERY_BYTES = 32 * 1024 * 1024;

export class WriteBehind {
  private sinceSync = 0;
  private syncing: Promise<void> | undefined;

  constructor(
    private readonly io: WriteBehindIO,
    private readonly syncEveryBytes = DEFAULT_SYNC_EVERY_BYTES,
  ) {}

  async write(chunks: readonly Uint8Array[]): Promise<void> {
    await this.io.write(chunks);
    for (const chunk of chunks) this.sinceSync += chunk.byteLength;
    // At most one background flush at a time; writes go on meanwhile.
    if (this.sinceSync >= this.syncEveryBytes && this.syncing === undefined) {
      this.sinceSync = 0;
      const syncing = this.io.datasync().finally(() => {
        if (this.syncing === syncing) this.syncing = undefined;
      });
      syncing.catch(() => {}); // its error, if any, is thrown by finish()
      this.syncing = syncing;
    }
  }

  /** Waits for the background flush, then makes everything durable. */
  async finish(): Promise<void> {
    await this.syncing;
    await this.io.sync();
  }
}
