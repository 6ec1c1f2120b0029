// The receiving side of a batch (docs/protocol.md §6.7): one data stream cut into files by
// their declared sizes, in order, with backpressure from each file.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { IntegrityError } from '@cftp/protocol';

/** One file of a batch: how many bytes it gets and where they go. */
export interface SplitTarget {
  readonly size: number;
  readonly stream: Writable;
}

/**
 * Routes `source`'s bytes to the targets in order; each stream is ended once it has its
 * size, and the promise resolves with the byte count once every stream has finished (for a
 * FileSink: is on disk). Bytes beyond the declared total are refused at once (a peer cannot
 * fill the disk); a short stream ends the rest and the caller's size check fails. `observe`
 * sees every part, with the index of the file it belongs to, before it is written.
 */
export async function splitInto(
  source: AsyncIterable<Uint8Array>,
  targets: readonly SplitTarget[],
  observe: (index: number, part: Uint8Array) => void,
): Promise<number> {
  // Written to directly (no pipeline): a write error must reject here, never go unhandled.
  let failure: unknown;
  for (const target of targets) {
    target.stream.on('error', (error) => {
      failure ??= error;
    });
  }
  let index = 0;
  let left = targets[0]?.size ?? 0;
  let received = 0;
  const endWhole = () => {
    // Zero-byte files (and files just completed) are ended as soon as they are whole.
    while (index < targets.length && left === 0) {
      targets[index]!.stream.end();
      index++;
      left = targets[index]?.size ?? 0;
    }
  };
  endWhole();
  for await (const chunk of source) {
    let at = 0;
    while (at < chunk.byteLength) {
      if (index >= targets.length) throw new IntegrityError('batch data longer than declared');
      const part = chunk.subarray(at, at + Math.min(left, chunk.byteLength - at));
      at += part.byteLength;
      left -= part.byteLength;
      received += part.byteLength;
      observe(index, part);
      const stream = targets[index]!.stream;
      if (failure !== undefined) throw failure;
      if (!stream.write(part)) await once(stream, 'drain'); // rejects on a write error
      endWhole();
    }
  }
  for (let i = index; i < targets.length; i++) targets[i]!.stream.end();
  await Promise.all(targets.map((target) => finished(target.stream)));
  return received;
}
