// Where a FileReceiver's blocks go (receive.ts): a file handle, written with writev and
// flushed while it writes (WriteBehind, §8), or any Writable (a storage backend's upload
// stream), each block handed over with a callback so that it is reused only once written.
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { WriteBehind } from '@cftp/protocol';

/** What the receiver needs of a file handle (a FileHandle; tests may wrap one). */
export interface ReceiveHandle {
  writev(buffers: readonly Uint8Array[]): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** Where the blocks go: written in order; `finish` makes them durable and closes. */
export interface BlockTarget {
  /** Resolves once the blocks are written (their memory may be reused). */
  write(blocks: readonly Uint8Array[]): Promise<void>;
  finish(): Promise<void>;
  /** Gives up: releases the file or stream. */
  close(): Promise<void>;
}

function handleTarget(handle: ReceiveHandle, syncEveryBytes: number | undefined): BlockTarget {
  const behind = new WriteBehind(
    {
      write: (chunks) => writeAll(handle, chunks),
      datasync: () => handle.datasync(),
      sync: () => handle.sync(),
    },
    syncEveryBytes,
  );
  return {
    write: (blocks) => behind.write(blocks),
    finish: async () => {
      await behind.finish();
      await handle.close();
    },
    close: () => handle.close(),
  };
}

/**
 * A Writable that is done with a chunk's memory once that chunk's write callback has run
 * (FileSink: it has written the bytes by then). The receiver reuses its blocks, so it gives
 * any other Writable a copy: a stream may keep a chunk after its callback (an S3 part sink
 * collects chunks until a part is full).
 */
export interface ReleasesChunks {
  readonly releasesChunks: true;
}

function releasesChunks(stream: Writable): boolean {
  return (stream as Partial<ReleasesChunks>).releasesChunks === true;
}

/**
 * Any Writable (a storage backend's upload stream): each block is written with a callback,
 * so a block is reused only after the stream is done with it (a copy for a stream that may
 * keep it, see ReleasesChunks); `finish` ends the stream and waits until it is finished and
 * closed (a FileSink has fsynced by then).
 */
function streamTarget(stream: Writable): BlockTarget {
  const copy = !releasesChunks(stream);
  // A failed write reaches its callback and then the stream's 'error' event: the callback
  // fails the transfer, and this listener keeps the event from being an uncaught exception
  // (a storage's upload stream may have no other listener). An error outside any write
  // fails the next write, or `finish` through finished().
  let failure: Error | undefined;
  stream.on('error', (error) => {
    failure ??= error;
  });
  return {
    write: (blocks) =>
      new Promise((resolve, reject) => {
        if (failure !== undefined) {
          reject(failure);
          return;
        }
        blocks.forEach((block, i) => {
          const last = i === blocks.length - 1;
          stream.write(copy ? Buffer.from(block) : block, (error) => {
            if (error !== undefined && error !== null) reject(error);
            else if (last) resolve();
          });
        });
      }),
    finish: async () => {
      stream.end();
      await finished(stream);
    },
    close: async () => {
      if (stream.closed) return;
      stream.destroy();
      await finished(stream).catch(() => {});
    },
  };
}

/** The target for a receiver's destination: a file handle, or any Writable. */
export function blockTarget(
  destination: ReceiveHandle | Writable,
  syncEveryBytes: number | undefined,
): BlockTarget {
  return destination instanceof Writable
    ? streamTarget(destination)
    : handleTarget(destination, syncEveryBytes);
}

/**
 * The most bytes one write call carries. The kernel sizes the page-cache folios of a buffered
 * write by the bytes of the call: a 1 MiB or 4 MiB writev fills 1–2 MiB folios, and on this
 * project's test machines (a paravirtualized guest) fresh high-order pages cost the guest a
 * host fault per page on first touch — `copy_folio_from_iter_atomic` took 1–3 CPU-s per GiB
 * written, against 0.3–0.5 for the same bytes in 256 KiB calls (docs/performance.md, "The
 * put path at the machine's limit"). On other machines 256 KiB calls cost only a few more
 * syscalls per MiB.
 */
export const WRITE_PIECE_BYTES = 256 * 1024;

/**
 * Writes every chunk, in order, completely (a short writev is continued): in calls of at
 * most WRITE_PIECE_BYTES, small chunks gathered into one call.
 */
export async function writeAll(
  handle: Pick<ReceiveHandle, 'writev'>,
  chunks: readonly Uint8Array[],
): Promise<void> {
  let group: Uint8Array[] = [];
  let groupBytes = 0;
  for (const chunk of chunks) {
    for (let offset = 0; offset < chunk.byteLength; ) {
      const take = Math.min(chunk.byteLength - offset, WRITE_PIECE_BYTES - groupBytes);
      group.push(take === chunk.byteLength ? chunk : chunk.subarray(offset, offset + take));
      groupBytes += take;
      offset += take;
      if (groupBytes === WRITE_PIECE_BYTES) {
        await writeFully(handle, group);
        group = [];
        groupBytes = 0;
      }
    }
  }
  if (group.length > 0) await writeFully(handle, group);
}

/** One writev of `pending`, continued after a short write (rare on regular files). */
async function writeFully(
  handle: Pick<ReceiveHandle, 'writev'>,
  pending: Uint8Array[],
): Promise<void> {
  while (pending.length > 0) {
    let { bytesWritten } = await handle.writev(pending);
    // Drop what went out and write the rest.
    while (pending.length > 0 && bytesWritten >= pending[0]!.byteLength) {
      bytesWritten -= pending[0]!.byteLength;
      pending.shift();
    }
    if (pending.length > 0 && bytesWritten > 0) pending[0] = pending[0]!.subarray(bytesWritten);
  }
}
