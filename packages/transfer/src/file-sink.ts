// A Writable over a file handle that writes in batches (writev) and flushes to disk while
// it writes (WriteBehind), so the final fsync of a received file has only the tail left
// (docs/protocol.md §6.2, §8). It owns the handle: closed after the final fsync, or when the
// stream is destroyed. Server uploads and client downloads both write through it.
import type { FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { WriteBehind } from '@cftp/protocol';

async function writeAll(handle: FileHandle, chunks: readonly Uint8Array[]): Promise<void> {
  const pending = [...chunks];
  while (pending.length > 0) {
    let { bytesWritten } = await handle.writev(pending);
    // A short write (rare on regular files): drop what went out and write the rest.
    while (pending.length > 0 && bytesWritten >= pending[0]!.byteLength) {
      bytesWritten -= pending[0]!.byteLength;
      pending.shift();
    }
    if (pending.length > 0 && bytesWritten > 0) pending[0] = pending[0]!.subarray(bytesWritten);
  }
}

export class FileSink extends Writable {
  private readonly behind: WriteBehind;

  constructor(private readonly handle: FileHandle) {
    super({ highWaterMark: 4 * 1024 * 1024 });
    this.behind = new WriteBehind({
      write: (chunks) => writeAll(handle, chunks),
      datasync: () => handle.datasync(),
      sync: () => handle.sync(),
    });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error) => void) {
    this.behind.write([chunk]).then(() => callback(), callback);
  }

  override _writev(
    chunks: Array<{ chunk: Buffer }>,
    callback: (error?: Error | null) => void,
  ): void {
    this.behind.write(chunks.map((c) => c.chunk)).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.behind
      .finish()
      .then(() => this.handle.close())
      .then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // After _final the handle is closed already; closing twice only fails, harmlessly.
    this.handle.close().then(
      () => callback(error),
      () => callback(error),
    );
  }
}
