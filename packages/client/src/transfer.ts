// The local side of a transfer: partial files, reading and sending local files, and
// splitting a batch download into its files (docs/protocol.md §6.2, §6.3, §6.7, §8).
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { type FileHandle, open } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';
import { CftpError, IntegrityError, pump } from '@cftp/protocol';
import { FileSink } from './file-sink.js';
import type { Meter } from './meter.js';

/**
 * Sends a local file over a data socket with the pump's fixed buffers, then ends the socket
 * and waits until every byte is handed to the kernel. Abort destroys the socket.
 */
export async function sendFile(
  file: FileHandle,
  size: number,
  socket: Socket,
  meter: Meter,
  signal: AbortSignal,
  start = 0,
): Promise<void> {
  const onAbort = () => socket.destroy();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await pump(
      {
        read: async (buffer, position) =>
          (await file.read(buffer, 0, buffer.byteLength, position)).bytesRead,
        write: (chunk) =>
          new Promise((resolve, reject) =>
            socket.write(chunk, (error) => (error ? reject(error) : resolve())),
          ),
        observe: (chunk) => meter.observe(chunk),
      },
      { expectedBytes: size - start, start, signal },
    );
    meter.finish();
    socket.end();
    await finished(socket, { readable: false });
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Shows the first `length` bytes of `file` to `meter` (the prefix of a resumed transfer). */
export async function observePrefix(
  file: FileHandle,
  length: number,
  meter: Meter,
  signal: AbortSignal | undefined,
): Promise<void> {
  const seen = await pump(
    {
      read: async (buffer, position) =>
        position >= length
          ? 0
          : (await file.read(buffer, 0, Math.min(buffer.byteLength, length - position), position))
              .bytesRead,
      write: () => Promise.resolve(),
      observe: (chunk) => meter.observe(chunk),
    },
    { expectedBytes: length, buffers: 1, ...(signal === undefined ? {} : { signal }) },
  );
  if (seen !== length) throw new Error('local file shorter than expected');
}

/**
 * Where a download of `remote` to `target` is written until it is verified, and kept if it
 * is interrupted, so that a later resume finds it (docs/protocol.md §8).
 */
export function partialPathFor(target: string, remote: string): string {
  const key = createHash('sha256').update(remote).digest('hex').slice(0, 16);
  const name = [...basename(target)].slice(0, 64).join('');
  return join(dirname(target), `.${name}.cftp-resume-${key}.part`);
}

/** A local file-system error as a CFTP error with a stable code. */
export function localFileError(error: NodeJS.ErrnoException, what: string): CftpError {
  const code = error.code === 'ENOENT' || error.code === 'EACCES' ? error.code : 'EIO';
  return new CftpError(code, `${what}: ${error.code ?? error.message}`);
}

/** A local file opened for a batch upload. */
export interface LocalFile {
  handle: FileHandle;
  size: number;
  mtime: number;
}

/** Opens every file, or none (the ones already open are closed on a failure). */
export async function openLocalFiles(paths: readonly string[]): Promise<LocalFile[]> {
  const opened: LocalFile[] = [];
  try {
    for (const path of paths) {
      const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
        throw localFileError(error, `cannot read local file "${path}"`);
      });
      opened.push({ handle, size: 0, mtime: 0 });
      const info = await handle.stat();
      if (!info.isFile()) throw new CftpError('EISDIR', `local "${path}" is not a regular file`);
      opened[opened.length - 1] = { handle, size: info.size, mtime: Math.trunc(info.mtimeMs) };
    }
    return opened;
  } catch (error) {
    await Promise.all(opened.map((f) => f.handle.close().catch(() => {})));
    throw error;
  }
}

/** Sends the files back to back over one socket (§6.7); returns each file's SHA-256. */
export async function sendFiles(
  files: readonly LocalFile[],
  socket: Socket,
  meter: Meter,
  signal: AbortSignal,
): Promise<string[]> {
  const onAbort = () => socket.destroy();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const digests: string[] = [];
    for (const file of files) {
      const hash = createHash('sha256');
      const sent = await pump(
        {
          read: async (buffer, position) =>
            position >= file.size
              ? 0
              : (
                  await file.handle.read(
                    buffer,
                    0,
                    Math.min(buffer.byteLength, file.size - position),
                    position,
                  )
                ).bytesRead,
          write: (chunk) =>
            new Promise((resolve, reject) =>
              socket.write(chunk, (error) => (error ? reject(error) : resolve())),
            ),
          observe: (chunk) => {
            hash.update(chunk);
            meter.observe(chunk);
          },
        },
        { expectedBytes: file.size, signal },
      );
      if (sent !== file.size) throw new CftpError('EIO', 'a local file shrank while being sent');
      digests.push(hash.digest('hex'));
    }
    meter.finish();
    socket.end();
    await finished(socket, { readable: false });
    return digests;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** A file of a batch download: where its bytes go until verified, and how many there are. */
export interface BatchTarget {
  partial: string;
  size: number;
}

/**
 * Splits a batch data channel into the targets' partial files by their announced sizes,
 * with backpressure from each file, and fsyncs them (§6.7). Extra bytes are refused. `meter`
 * counts and hashes the whole stream (and reports its progress).
 */
export async function receiveFiles(
  socket: Socket,
  targets: readonly BatchTarget[],
  meter: Meter,
  signal: AbortSignal,
  received?: (bytes: number) => void,
): Promise<{ bytes: number; sha256: string; files: string[] }> {
  const onAbort = () => socket.destroy();
  signal.addEventListener('abort', onAbort, { once: true });
  const streams: FileSink[] = [];
  try {
    for (const target of targets) {
      const handle = await open(target.partial, 'w').catch((error: NodeJS.ErrnoException) => {
        throw localFileError(error, `cannot write "${target.partial}"`);
      });
      streams.push(new FileSink(handle));
    }
    const each = targets.map(() => createHash('sha256'));
    let index = 0;
    let left = targets[0]?.size ?? 0;
    const endWhole = () => {
      while (index < targets.length && left === 0) {
        streams[index]!.end();
        index++;
        left = targets[index]?.size ?? 0;
      }
    };
    endWhole();
    for await (const chunk of socket as AsyncIterable<Buffer>) {
      let at = 0;
      while (at < chunk.byteLength) {
        if (index >= targets.length) throw new IntegrityError('batch data longer than announced');
        const part = chunk.subarray(at, at + Math.min(left, chunk.byteLength - at));
        at += part.byteLength;
        left -= part.byteLength;
        meter.observe(part);
        received?.(part.byteLength);
        each[index]!.update(part);
        const stream = streams[index]!;
        if (!stream.write(part)) await once(stream, 'drain');
        endWhole();
      }
    }
    for (let i = index; i < streams.length; i++) streams[i]!.end();
    await Promise.all(streams.map((stream) => finished(stream)));
    meter.finish();
    return {
      bytes: meter.bytes,
      sha256: meter.digest(),
      files: each.map((h) => h.digest('hex')),
    };
  } finally {
    signal.removeEventListener('abort', onAbort);
    for (const stream of streams) if (!stream.closed) stream.destroy();
  }
}
