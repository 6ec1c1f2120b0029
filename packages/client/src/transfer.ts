// The local side of a transfer: partial files, local files opened for reading, and the
// client's use of @cftp/transfer (file → socket, batch splitting) with its Meter counting
// (docs/protocol.md §6.2, §6.3, §6.7, §8).
import { createHash } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { CftpError, describeOsError, resumeTempName, TEMP_KEY_HEX_DIGITS } from '@cftp/protocol';
import {
  createDigest,
  FileSink,
  observePrefix as hashPrefix,
  readFromHandle,
  sendFile as sendSource,
  sendFiles as sendSources,
  splitInto,
} from '@cftp/transfer';
import type { Meter } from './meter.js';

/**
 * Sends a local file over a data socket from `start`, then ends the socket and waits until
 * every byte is handed to the kernel. Abort destroys the socket.
 */
export async function sendFile(
  file: FileHandle,
  size: number,
  socket: Socket,
  meter: Meter,
  options: { signal: AbortSignal; start: number },
): Promise<void> {
  await sendSource({ size, read: readFromHandle(file) }, socket, {
    start: options.start,
    observe: (chunk) => meter.observe(chunk),
    signal: options.signal,
  });
  meter.finish();
}

/** Shows the first `length` bytes of `file` to `meter` (the prefix of a resumed transfer). */
export function observePrefix(
  file: FileHandle,
  length: number,
  meter: Meter,
  signal: AbortSignal | undefined,
): Promise<void> {
  return hashPrefix(readFromHandle(file), length, (chunk) => meter.observe(chunk), signal);
}

/**
 * Where a download of `remote` to `target` is written until it is verified, and kept if it
 * is interrupted, so that a later resume finds it (docs/protocol.md §8): the protocol's
 * resumable temporary name, keyed by the remote path.
 */
export function partialPathFor(target: string, remote: string): string {
  const key = createHash('sha256').update(remote).digest('hex').slice(0, TEMP_KEY_HEX_DIGITS);
  return join(dirname(target), resumeTempName(basename(target), key));
}

/** A local file-system error as a CFTP error, coded by the one OS-error table (@cftp/protocol). */
export function localFileError(error: NodeJS.ErrnoException, what: string): CftpError {
  return new CftpError(describeOsError(error).code, `${what}: ${error.code ?? error.message}`, {
    cause: error,
  });
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

/** Sends the files back to back over one socket (§6.7); returns each file's digest (§7.1). */
export async function sendFiles(
  files: readonly LocalFile[],
  socket: Socket,
  meter: Meter,
  signal: AbortSignal,
): Promise<string[]> {
  const each = files.map(() => createDigest(meter.algorithm));
  await sendSources(
    files.map((file) => ({ size: file.size, read: readFromHandle(file.handle) })),
    socket,
    {
      observe: (index, chunk) => {
        each[index]!.update(chunk);
        meter.observe(chunk);
      },
      shrank: () => new CftpError('EIO', 'a local file shrank while being sent'),
      signal,
    },
  );
  meter.finish();
  return each.map((hash) => hash.hex());
}

/** A file of a batch download: where its bytes go until verified, and how many there are. */
export interface BatchTarget {
  partial: string;
  size: number;
}

export interface ReceiveOptions {
  /** Counts and hashes the whole stream (and reports its progress). */
  meter: Meter;
  signal: AbortSignal;
  /** Notes download bytes received (memory reclaim). */
  received?: (bytes: number) => void;
}

/**
 * Splits a batch data channel into the targets' partial files by their announced sizes,
 * with backpressure from each file, and fsyncs them (§6.7). Extra bytes are refused.
 */
export async function receiveFiles(
  socket: Socket,
  targets: readonly BatchTarget[],
  options: ReceiveOptions,
): Promise<{ bytes: number; sha256: string; files: string[] }> {
  const { meter, signal, received } = options;
  const onAbort = () => socket.destroy();
  signal.addEventListener('abort', onAbort, { once: true });
  const sinks: FileSink[] = [];
  try {
    for (const target of targets) {
      const handle = await open(target.partial, 'w').catch((error: NodeJS.ErrnoException) => {
        throw localFileError(error, `cannot write "${target.partial}"`);
      });
      sinks.push(new FileSink(handle));
    }
    const each = targets.map(() => createDigest(meter.algorithm));
    await splitInto(
      socket,
      targets.map((target, i) => ({ size: target.size, stream: sinks[i]! })),
      (index, part) => {
        meter.observe(part);
        received?.(part.byteLength);
        each[index]!.update(part);
      },
    );
    meter.finish();
    return {
      bytes: meter.bytes,
      sha256: meter.digest(),
      files: each.map((h) => h.hex()),
    };
  } finally {
    signal.removeEventListener('abort', onAbort);
    for (const sink of sinks) if (!sink.closed) sink.destroy();
  }
}
