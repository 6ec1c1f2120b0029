// The transfer buffers of one process (issue 12, memory): 1 MiB blocks shared by every
// transfer and reused, at most SEND_POOL_BLOCKS of them. Without it each download in flight
// held three buffers of its own (200 sessions: ≈ 500 MiB of server RSS), and each was
// garbage for the collector after one file. Beside it, the 64 KiB private blocks receivers
// make while the pool is dry, kept free for the next receiver (at most PRIVATE_FREE_BLOCKS).

export const SEND_BLOCK_BYTES = 1024 * 1024;
/**
 * The most blocks the process holds at once, in use or free: 16 MiB, five downloads at full
 * depth (SEND_BLOCKS_PER_TRANSFER); more wait for their first block. 32 before: with 200
 * sessions the server peaked about 16 MiB higher and no faster (docs/performance.md).
 */
export const SEND_POOL_BLOCKS = 16;
/** Blocks one transfer takes when they are free: reads overlap with writes in flight. */
export const SEND_BLOCKS_PER_TRANSFER = 3;

const free: Uint8Array[] = [];
let made = 0;
const waiting: Array<(block: Uint8Array) => void> = [];

/** A block now if one is free or may be made, else undefined. */
export function tryTakeBlock(): Uint8Array | undefined {
  const block = free.pop();
  if (block !== undefined) return block;
  if (made >= SEND_POOL_BLOCKS) return undefined;
  made++;
  return new Uint8Array(SEND_BLOCK_BYTES);
}

/**
 * A block, waiting for one when all are in use. A transfer waits only for its first block
 * and takes more only when free (tryTakeBlock), so every holder can finish: no deadlock.
 */
export function takeBlock(): Promise<Uint8Array> {
  const block = tryTakeBlock();
  if (block !== undefined) return Promise.resolve(block);
  return new Promise((resolve) => waiting.push(resolve));
}

/** Gives a block back; its contents are stale, never read by the next holder. */
export function returnBlock(block: Uint8Array): void {
  const next = waiting.shift();
  if (next !== undefined) next(block);
  else free.push(block);
}

/** Blocks made and blocks free now (tests: every block taken comes back). */
export function blockPoolState(): { made: number; free: number } {
  return { made, free: free.length };
}

/** Blocks a receiver makes when the pool has none free: small, so many transfers stay cheap. */
export const PRIVATE_BLOCK_BYTES = 64 * 1024;
/**
 * The most private blocks kept free for the next receiver (16 MiB): with many uploads at
 * once (200 sessions) they pass from one upload to the next instead of each making its own
 * and leaving them to the collector.
 */
export const PRIVATE_FREE_BLOCKS = 256;

const privateFree: Uint8Array[] = [];

/** A free private block, or undefined when none is: the caller makes one. */
export function takePrivateBlock(): Uint8Array | undefined {
  return privateFree.pop();
}

/** Gives a private block back, unless PRIVATE_FREE_BLOCKS are free already. */
export function returnPrivateBlock(block: Uint8Array): void {
  if (privateFree.length < PRIVATE_FREE_BLOCKS) privateFree.push(block);
}

/** Private blocks free now (tests: bounded by PRIVATE_FREE_BLOCKS). */
export function privateBlocksFree(): number {
  return privateFree.length;
}
