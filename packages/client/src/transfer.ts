// The local side of a transfer: partial files, local files opened for reading, and the
// client's use of @cftp/transfer (file → socket, batch splitting) with its Meter counting
// (docs/protocol.md §6.2, §6.3, §6.7, §8). A batch download's files: batch-receive.ts.
import { hash } from 'node:crypto';
import { chmod, type FileHandle, lstat } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { basename, dirname, join } from 'node:path';
import {
  type CftpError,
  canonicalPath,
  MODE_FEATURE,
  MODE_MASK,
  receivedMode,
  resumeTempName,
  TEMP_KEY_HEX_DIGITS,
} from '@cftp/protocol';
import {
  createDigest,
  observePrefix as hashPrefix,
  type LocalAction,
  localIoError,
  type ReadAt,
  readFromHandle,
  sendFile as sendSource,
} from '@cftp/transfer';
import { type LocalFile, sendPacked } from './batch-send.js';
import type { Meter } from './meter.js';
import type { ServerInfo } from './types.js';

/** A partial download is created 0600: nobody else reads the bytes on the way (§6.8). */
export const PARTIAL_MODE = 0o600;

/** Whether the server carries permission bits (§4, §6.8): only then are modes sent. */
export function serverHasModes(server: ServerInfo | undefined): boolean {
  return server?.features.includes(MODE_FEATURE) === true;
}

/** A local file's permission bits as sent in `put`/`putmany` (§6.8): never setuid and kin. */
export function sourceMode(mode: number): number {
  return mode & MODE_MASK;
}

/**
 * Gives a verified partial download the mode its target gets (§6.8, `receivedMode`): with
 * `exact` (-p) the source's; over an existing regular file, that file's own; else the
 * source's masked by this process's umask. Done before the rename, so the file is never
 * readable more widely on the way.
 */
export async function applyReceivedMode(
  partial: string,
  target: string,
  source: number | undefined,
  exact: boolean,
): Promise<void> {
  const existing = await lstat(target).then(
    (info) => (info.isFile() ? info.mode & MODE_MASK : undefined),
    () => undefined,
  );
  const mode = receivedMode({ source, umask: process.umask(), existing, exact });
  await chmod(partial, mode).catch((error: unknown) => {
    throw localIoError(error, target, 'writing');
  });
}

/**
 * Sends a local file over a data socket from `start`, then ends the socket and waits until
 * every byte is handed to the kernel. Abort destroys the socket.
 */
export async function sendFile(
  file: FileHandle,
  size: number,
  socket: Socket,
  meter: Meter,
  options: { signal: AbortSignal; start: number; path: string },
): Promise<void> {
  await sendSource({ size, read: readLocal(file, options.path) }, socket, {
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
  return hashPrefix(readFromHandle(file), length, (chunk) => meter.observe(chunk, true), signal);
}

/**
 * Where a download of `remote` to `target` is written until it is verified, and kept if it
 * is interrupted, so that a later resume finds it (docs/protocol.md §8): the protocol's
 * resumable temporary name, keyed by the canonical remote path (1.1), so every spelling of
 * one file names one partial. A path §9 refuses keeps its spelling (the server refuses it).
 */
export function partialPathFor(target: string, remote: string): string {
  let canonical = remote;
  try {
    canonical = canonicalPath(remote);
  } catch {}
  // One-shot: no Hash object per file (a batch names up to 256 partials at once).
  const key = hash('sha256', canonical, 'hex').slice(0, TEMP_KEY_HEX_DIGITS);
  return join(dirname(target), resumeTempName(basename(target), key));
}

/**
 * A local file-system error as a CFTP error, coded by the one OS-error table (@cftp/protocol):
 * `local disk full while writing \`a.bin\`` (@cftp/transfer localIoError), with path and cause.
 */
export function localFileError(error: unknown, path: string, action: LocalAction): CftpError {
  return localIoError(error, path, action);
}

/** Reads of the local file `path`, whose failures are local errors naming it (not EDATA). */
export function readLocal(file: FileHandle, path: string): ReadAt {
  const read = readFromHandle(file);
  return (buffer, position) =>
    read(buffer, position).catch((error: unknown) => {
      throw localIoError(error, path, 'reading');
    });
}

/** Sends the files back to back over one socket (§6.7); returns each file's digest (§7.1). */
export async function sendFiles(
  files: readonly LocalFile[],
  socket: Socket,
  meter: Meter,
  signal: AbortSignal,
): Promise<string[]> {
  const each = files.map(() => createDigest(meter.algorithm));
  await sendPacked(files, socket, {
    observe: (index, chunk) => {
      each[index]!.update(chunk);
      meter.observe(chunk);
    },
    signal,
  });
  meter.finish();
  return each.map((hash) => hash.hex());
}
