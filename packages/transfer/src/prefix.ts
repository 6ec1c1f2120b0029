// The prefix of a resumed transfer (docs/protocol.md §6.2, §6.3): both sides hash the bytes
// already in place to agree that they are the same before only the rest moves.
import { CftpError, pump } from '@cftp/protocol';
import { type ReadAt, readUpTo } from './send.js';

/**
 * Shows the first `length` bytes readable through `read` to `observe`, in order (one buffer:
 * nothing is written, so there is nothing to overlap). EIO if there are fewer.
 */
export async function observePrefix(
  read: ReadAt,
  length: number,
  observe: (chunk: Uint8Array) => void,
  signal?: AbortSignal,
): Promise<void> {
  const copied = await pump(
    { read: readUpTo(read, length), write: () => Promise.resolve(), observe },
    { expectedBytes: length, buffers: 1, ...(signal === undefined ? {} : { signal }) },
  );
  if (copied !== length) throw new CftpError('EIO', 'file shorter than its stated prefix');
}
