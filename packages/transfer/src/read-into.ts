// Reads of a socket that Node made (an accepted connection, or a TLSSocket around one) into
// the caller's buffers, as `net.connect({onread})` does for a socket the process opens (issue
// 12, docs/performance.md). Node offers `onread` only to connect(): net.Server builds each
// accepted Socket itself, and `new TLSSocket(socket, options)` drops `options.onread` when it
// wraps a socket. Without it every read is a fresh Buffer (one per 16 KiB TLS record), pushed
// through the stream and copied once more into the receiver's blocks: on a 1 GiB upload that
// cost the server ~1.5 CPU-s of its ~3.
//
// This sets on a live socket the three fields and the handle's user buffer that Node's own
// Socket constructor sets for `onread` (lib/net.js: kBuffer, kBufferGen, kBufferCb, then
// `_handle.useUserBuffer`); Node's read callback (onStreamRead) then hands every read to
// `callback` instead of pushing a Buffer. Those are Node internals, so each is looked for
// first: where one is missing (another Node), nothing is changed and the caller keeps
// reading `data` events, only slower.
import type { Socket } from 'node:net';

/** Node's `onread` option with a buffer function (net.connect, tls.connect). */
export interface OnRead {
  buffer: () => Uint8Array;
  callback: (bytes: number, buffer: Uint8Array) => boolean;
}

interface StreamHandle {
  useUserBuffer?: unknown;
}

/**
 * Makes `socket`'s reads from now on land in `onread`'s buffers; true if it did, false
 * (nothing changed) where this Node lacks what it needs or the socket has no handle or
 * already reads into a buffer. Bytes the socket read before stay in its readable buffer
 * (socket.read()); the end of the stream still comes as 'end'.
 */
export function readInto(socket: Socket, onread: OnRead): boolean {
  const own = Object.getOwnPropertySymbols(socket);
  const field = (name: string) => own.find((symbol) => symbol.description === name);
  const kBuffer = field('kBuffer');
  const kBufferGen = field('kBufferGen');
  const kBufferCb = field('kBufferCb');
  const handle = (socket as unknown as { _handle?: StreamHandle | null })._handle;
  const useUserBuffer = handle?.useUserBuffer;
  if (kBuffer === undefined || kBufferGen === undefined || kBufferCb === undefined) return false;
  if (handle === undefined || handle === null || typeof useUserBuffer !== 'function') return false;
  const fields = socket as unknown as Record<symbol, unknown>;
  if (fields[kBuffer] !== null || fields[kBufferCb] !== null || socket.destroyed) return false;
  const first = onread.buffer();
  // As Node's constructor does for a buffer function: the first buffer now, the next ones
  // from `buffer` after each read (onStreamRead hands them to the handle).
  fields[kBuffer] = first;
  fields[kBufferGen] = onread.buffer;
  fields[kBufferCb] = onread.callback;
  useUserBuffer.call(handle, first);
  return true;
}
