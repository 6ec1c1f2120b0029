// The start-up sweep (docs/protocol.md §8): what interrupted uploads left behind is removed,
// in a bounded walk that never touches an upload in progress.
import { lstat, opendir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isResumeTempName, isTempName, oneOffTempKeyParts } from '@cftp/protocol';
import type { Folder, FolderAccess } from './confinement.js';
import type { SweepOptions, SweepResult } from './storage.js';

/**
 * File times come from a coarse kernel clock that may lag Date.now() by a tick (up to
 * 10 ms): a file written just after start-up may look older than the start by that much.
 */
const FS_CLOCK_SLACK_MS = 50;

/**
 * Removes leftovers of interrupted uploads (§8): every `.NAME.cftp-<hex>.part` last
 * modified before the server started (and, when another host wrote it, idle for longer
 * than `liveIdleMs`), and resumable partials older than the maximum age.
 * Uploads in progress are never touched. Breadth first, not following symlinks, at most
 * `maxEntries` entries; a folder that cannot be read is skipped.
 */
export async function sweepLeftovers(
  folders: FolderAccess,
  uploads: { readonly activeTemps: ReadonlySet<string>; readonly instance: string },
  options: SweepOptions,
): Promise<SweepResult> {
  const { activeTemps } = uploads;
  const idleDeadline = Date.now() - (options.liveIdleMs ?? 0);
  const started = performance.now();
  const result: SweepResult = {
    visited: 0,
    removedTemporary: 0,
    removedPartials: 0,
    keptPartials: 0,
    truncated: false,
    durationMs: 0,
  };
  const partialDeadline = Date.now() - options.partialMaxAgeMs;
  const queue: string[][] = [[]];
  walk: while (queue.length > 0) {
    const segments = queue.shift()!;
    let folder: Folder;
    try {
      folder = await folders.open(segments);
    } catch {
      continue; // gone, or refused: nothing of ours to clean there
    }
    try {
      const dir = await opendir(folder.at, { bufferSize: 128 });
      for await (const dirent of dir) {
        if (options.signal?.aborted || result.visited >= options.maxEntries) {
          result.truncated = true;
          break walk;
        }
        result.visited++;
        if (dirent.isDirectory()) {
          queue.push([...segments, dirent.name]);
          continue;
        }
        if (!dirent.isFile() || !isTempName(dirent.name)) continue;
        if (activeTemps.has(join(folder.real, dirent.name))) continue;
        const info = await lstat(folder.entry(dirent.name)).catch(() => undefined);
        if (info === undefined || !info.isFile()) continue;
        if (isResumeTempName(dirent.name)) {
          if (info.mtimeMs >= partialDeadline) {
            result.keptPartials++;
            continue;
          }
          result.removedPartials++;
        } else {
          if (info.mtimeMs >= options.startedAt - FS_CLOCK_SLACK_MS) continue;
          // Another host's (its id in the name, §8) may be a live server's on a shared
          // folder: kept until idle for longer than any live upload ever is. This host's
          // (or an old-style name's) are a killed predecessor's, removed as always.
          const owner = oneOffTempKeyParts(dirent.name)?.host;
          const otherHost = owner !== undefined && owner !== uploads.instance.slice(0, 4);
          if (otherHost && info.mtimeMs >= idleDeadline) continue;
          result.removedTemporary++;
        }
        await unlink(folder.entry(dirent.name)).catch(() => {});
      }
    } catch {
      // A folder that cannot be read is skipped.
    } finally {
      await folder.close();
    }
  }
  result.durationMs = performance.now() - started;
  return result;
}
