// A batch upload's local side (docs/protocol.md §6.7): the batch's small files (at most
// BATCH_FILE_BYTES each) opened, stated and read on the calling thread, and packed back to
// back into a few large socket writes. Each file's open, fstat, read and close used to be a
// promise and a thread-pool hop (four a file), and each file its own socket write (a TLS
// record and a syscall): for a sync of 10 000 small files most of the client's CPU. A small
// file's read takes microseconds from the page cache; the event loop gets a turn after each
// block written (the control channel, progress, timers).
import { closeSync, constants as fsConstants, fstatSync, openSync, readSync } from 'node:fs';
import type { Socket } from 'node:net';
import { finished } from 'node:stream/promises';
import { CftpError } from '@cftp/protocol';
import { localIoError, writeChunk } from '@cftp/transfer';

const { O_RDONLY } = fsConstants;
/** A FIFO named as a file would block the open until a writer comes: refused instead. */
const O_NONBLOCK = fsConstants.O_NONBLOCK ?? 0;

/** A local file opened for a batch upload. */
export interface LocalFile {
  path: string;
  fd: number;
  size: number;
  mtime: number;
  /** Permission bits (st_mode), sent as `mode` to a server with the feature (§6.8). */
  mode: number;
}

/** Closes files of openLocalFiles (each once; errors on close change nothing now). */
export function closeLocalFiles(files: readonly LocalFile[]): void {
  for (const file of files) {
    try {
      closeSync(file.fd);
    } catch {}
  }
}

/** Opens every file, or none (the ones already open are closed on a failure). */
export function openLocalFiles(paths: readonly string[]): LocalFile[] {
  const opened: LocalFile[] = [];
  try {
    for (const path of paths) {
      let fd: number;
      try {
        fd = openSync(path, O_RDONLY | O_NONBLOCK);
      } catch (error) {
        throw localIoError(error, path, 'opening');
      }
      opened.push({ path, fd, size: 0, mtime: 0, mode: 0 });
      const info = fstatSync(fd);
      if (!info.isFile()) throw new CftpError('EISDIR', `local "${path}" is not a regular file`);
      opened[opened.length - 1] = {
        path,
        fd,
        size: info.size,
        mtime: Math.trunc(info.mtimeMs),
        mode: info.mode,
      };
    }
    return opened;
  } catch (error) {
    closeLocalFiles(opened);
    throw error;
  }
}

/** Bytes a socket write carries at most (two such blocks a batch, reused across batches). */
const BLOCK_BYTES = 256 * 1024;
const spare: Buffer[] = [];
/** Spare blocks kept for the next batch; more in flight at once are garbage afterwards. */
const MAX_SPARE = 16;

export interface PackedSendOptions {
  /** Sees every chunk of file `index`, in order, before it is written. */
  observe: (index: number, chunk: Uint8Array) => void;
  signal: AbortSignal;
}

/**
 * Sends `files` back to back, each exactly its stated size (a file that shrank is EIO), then
 * ends the socket and waits until every byte is handed to the kernel; resolves with the
 * total. An abort destroys the socket.
 */
export async function sendPacked(
  files: readonly LocalFile[],
  socket: Socket,
  options: PackedSendOptions,
): Promise<number> {
  const { observe, signal } = options;
  const blocks = [spare.pop() ?? Buffer.allocUnsafe(BLOCK_BYTES)];
  blocks.push(spare.pop() ?? Buffer.allocUnsafe(BLOCK_BYTES));
  const writes: Array<Promise<void> | undefined> = [undefined, undefined];
  let current = 0;
  let fill = 0;
  let total = 0;
  const onAbort = () => socket.destroy();
  signal.addEventListener('abort', onAbort, { once: true });
  /** Writes what the current block holds, and moves to the other once its write is done. */
  const flush = async () => {
    if (fill === 0) return;
    const write = writeChunk(socket, blocks[current]!.subarray(0, fill));
    write.catch(() => {}); // surfaced when awaited
    writes[current] = write;
    current = 1 - current;
    fill = 0;
    await writes[current];
    // A turn for the event loop between blocks (the control channel, progress, timers),
    // also when the socket took the last block at once.
    await new Promise<void>((resolve) => setImmediate(resolve));
    signal.throwIfAborted();
  };
  try {
    signal.throwIfAborted();
    for (const [index, file] of files.entries()) {
      for (let position = 0; position < file.size; ) {
        if (fill === BLOCK_BYTES) await flush();
        const block = blocks[current]!;
        let read: number;
        try {
          read = readSync(
            file.fd,
            block,
            fill,
            Math.min(file.size - position, BLOCK_BYTES - fill),
            position,
          );
        } catch (error) {
          throw localIoError(error, file.path, 'reading');
        }
        if (read === 0) throw new CftpError('EIO', 'a local file shrank while being sent');
        observe(index, block.subarray(fill, fill + read));
        fill += read;
        position += read;
        total += read;
      }
    }
    await flush();
    await Promise.all(writes);
    socket.end();
    await finished(socket, { readable: false });
    return total;
  } finally {
    signal.removeEventListener('abort', onAbort);
    // A block goes back only once no write still reads it (a failed write counts as done).
    void Promise.allSettled(writes).then(() => {
      for (const block of blocks) if (spare.length < MAX_SPARE) spare.push(block);
    });
  }
}
