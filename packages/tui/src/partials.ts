// Partial downloads (`.NAME.cftp-resume-KEY.part`, docs/protocol.md §8) as the screen talks
// about them: the stale ones in a local folder (no transfer in the queue will resume them),
// and the notice a cancelled or failed get leaves, so a half-written file is never silent.
import { basename, dirname, join } from 'node:path';
import { formatBytes } from './format.js';
import { listPartials, partialFor, partialStem } from './local-fs.js';
import type { PartialFile } from './state.js';
import type { TransferItem } from './transfers.js';

/** The partials in `folder` that no queued or running get of the queue writes to. */
export async function stalePartials(
  folder: string,
  items: readonly TransferItem[],
): Promise<PartialFile[]> {
  const busy = items
    .filter((item) => item.direction === 'get' && item.kind === 'file')
    .filter((item) => item.state === 'queued' || item.state === 'running')
    .filter((item) => dirname(item.target) === folder)
    .map((item) => partialStem(basename(item.target)));
  const partials = await listPartials(folder);
  return partials.filter((partial) => !busy.some((stem) => partial.name.startsWith(stem)));
}

/**
 * `partial kept: 512 MiB in /dl/.big.bin.cftp-resume-….part; r (retry) or "get -c big.bin"
 * resumes`, for a get of a file that stopped early and left one; undefined otherwise.
 */
export async function partialNotice(item: TransferItem): Promise<string | undefined> {
  if (item.direction !== 'get' || item.kind !== 'file') return undefined;
  if (item.state !== 'cancelled' && item.state !== 'failed') return undefined;
  const folder = dirname(item.target);
  const partial = await partialFor(folder, basename(item.target));
  if (partial === undefined) return undefined;
  const shown = `${partialStem(basename(item.target))}….part`;
  return (
    `partial kept: ${formatBytes(partial.size)} in ${join(folder, shown)}; ` +
    `r (retry) or "get -c ${item.source}" resumes`
  );
}
