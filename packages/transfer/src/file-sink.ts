// A Writable over a file handle that writes in batches (writev) and flushes to disk while
// it writes (WriteBehind), so the final fsync of a received file has only the tail left
// (docs/protocol.md §6.2, §8). It owns the handle: closed after the final fsync, or when the
// stream is destroyed. Server uploads and client downloads both write through it.
// Given the path it writes for, a failed write or flush becomes the one plain local error
// (localIoError: "local disk full while writing `a.bin`"), emitted as the stream's error.
import type { FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { WriteBehind } from '@cftp/protocol';
import { localIoError } from './local-errors.js';
import { type ReleasesChunks, writeAll } from './receive-targets.js';

export interface FileSinkOptions {
  /** The file as the user knows it (a download's target, not its hidden partial): errors name it. */
  path?: string;
  /**
   * Leave the handle open after a successful finish (written and fsynced): the owner closes
   * it, after using it once more (a server upload sets the final mode and mtime through it
   * rather than opening the file again). A destroyed or failed stream still closes it.
   */
  keepOpen?: boolean;
}

export class FileSink extends Writable implements ReleasesChunks {
  /** A chunk's write callback runs once its bytes are written: its memory may be reused. */
  readonly releasesChunks = true as const;
  private readonly behind: WriteBehind;
  private readonly path: string | undefined;
  private readonly keepOpen: boolean;
  /** Finished with keepOpen: the handle is the owner's now. */
  private handedOver = false;

  constructor(
    private readonly handle: FileHandle,
    options: FileSinkOptions = {},
  ) {
    super({ highWaterMark: 4 * 1024 * 1024 });
    this.path = options.path;
    this.keepOpen = options.keepOpen === true;
    this.behind = new WriteBehind({
      write: (chunks) => writeAll(handle, chunks),
      datasync: () => handle.datasync(),
      sync: () => handle.sync(),
    });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error) => void) {
    this.behind.write([chunk]).then(
      () => callback(),
      (error: unknown) => callback(this.failure(error)),
    );
  }

  override _writev(
    chunks: Array<{ chunk: Buffer }>,
    callback: (error?: Error | null) => void,
  ): void {
    this.behind.write(chunks.map((c) => c.chunk)).then(
      () => callback(),
      (error: unknown) => callback(this.failure(error)),
    );
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.behind
      .finish()
      .then(() => {
        if (!this.keepOpen) return this.handle.close();
        this.handedOver = true;
      })
      .then(
        () => callback(),
        (error: unknown) => callback(this.failure(error)),
      );
  }

  /** A write, flush or close failure: the plain local error when the path is known. */
  private failure(error: unknown): Error {
    if (this.path !== undefined) return localIoError(error, this.path, 'writing');
    return error instanceof Error ? error : new Error(String(error));
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // After _final the handle is closed already (closing twice only fails, harmlessly), or
    // handed over to the owner (keepOpen), who closes it.
    if (this.handedOver) {
      callback(error);
      return;
    }
    this.handle.close().then(
      () => callback(error),
      () => callback(error),
    );
  }
}
