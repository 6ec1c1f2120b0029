// A copy loop with the I/O injected (no sockets or files here): reads into one of a few
// fixed buffers while earlier ones are still being written, so a file of any size moves
// with bounded memory and no per-chunk garbage for the collector to chase.

export interface PumpIO {
  /** Reads up to `buffer.byteLength` bytes at `position`; resolves with the count (0 = end). */
  read(buffer: Uint8Array, position: number): Promise<number>;
  /** Writes `chunk`; resolves once `chunk`'s memory may be reused. */
  write(chunk: Uint8Array): Promise<void>;
  /** Sees every chunk, in order, before it is written (hashing, counting, progress). */
  observe?(chunk: Uint8Array): void;
}

export interface PumpOptions {
  /** Size of each buffer (default 1 MiB); large reads and hash updates are the fast path. */
  chunkBytes?: number;
  /** How many buffers rotate (default 3): reads overlap with writes still in flight. */
  buffers?: number;
  /** Expected total, to size buffers for small files. */
  expectedBytes?: number;
  /** Position of the first read. */
  start?: number;
  signal?: AbortSignal;
}

export const PUMP_CHUNK_BYTES = 1024 * 1024;

/** Copies until `read` returns 0; resolves with the number of bytes copied. */
export async function pump(io: PumpIO, options: PumpOptions = {}): Promise<number> {
  const chunkBytes = Math.max(
    1,
    Math.min(options.chunkBytes ?? PUMP_CHUNK_BYTES, (options.expectedBytes ?? Infinity) + 1),
  );
  const count = Math.max(1, options.buffers ?? 3);
  const buffers = Array.from({ length: count }, () => new Uint8Array(chunkBytes));
  return pumpBlocks(io, buffers, options);
}

export interface PumpBlocksOptions {
  /** Position of the first read. */
  start?: number | undefined;
  signal?: AbortSignal | undefined;
  /**
   * Called once no write reads any of the blocks any more, after the copy succeeded or
   * failed (a failed write counts as done): the blocks may then go to another holder.
   */
  settled?: (() => void) | undefined;
}

/**
 * `pump` over blocks the caller owns (a pool's): they rotate, each read into once its
 * previous write has finished.
 */
export async function pumpBlocks(
  io: PumpIO,
  blocks: readonly Uint8Array[],
  options: PumpBlocksOptions = {},
): Promise<number> {
  const writes: Array<Promise<void> | undefined> = new Array(blocks.length);
  let position = options.start ?? 0;
  let total = 0;
  try {
    for (let i = 0; ; i = (i + 1) % blocks.length) {
      await writes[i]; // this block's previous write has finished
      options.signal?.throwIfAborted();
      const block = blocks[i]!;
      const read = await io.read(block, position);
      if (read === 0) break;
      const chunk = read === block.byteLength ? block : block.subarray(0, read);
      io.observe?.(chunk);
      position += read;
      total += read;
      const write = io.write(chunk);
      write.catch(() => {}); // surfaced when awaited above or below
      writes[i] = write;
    }
    await Promise.all(writes);
  } finally {
    const settled = options.settled;
    if (settled !== undefined) void Promise.allSettled(writes).then(settled);
  }
  return total;
}
