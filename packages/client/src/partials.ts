// Partial downloads kept for resume (`.NAME.cftp-resume-KEY.part`, docs/protocol.md §8) as
// a person meets them: the one an interrupted get left (so the CLI and the TUI can say
// `partial kept: …`), the ones in a folder (to list), and removing them. One home for the
// CLI's `partials` command and the TUI's `p`, through the engine's public API.
import { lstat, readdir, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { isResumeTempName, resumeTempName, TEMP_KEY_HEX_DIGITS } from '@cftp/protocol';
import { partialPathFor } from './transfer.js';

/** A partial download in a local folder. */
export interface PartialFile {
  /** Its own file name (`.big.bin.cftp-resume-3f2a….part`). */
  name: string;
  /** Where it is. */
  path: string;
  /** Bytes kept so far: what `get -c` does not fetch again. */
  size: number;
  /** When it was last written (ms since the epoch). */
  mtime: number;
}

/** `.NAME.cftp-resume-`: a partial's name with the key cut off (the rule's own stem). */
export function partialStem(name: string): string {
  const key = '0'.repeat(TEMP_KEY_HEX_DIGITS);
  return resumeTempName(name, key).slice(0, -`${key}.part`.length);
}

/**
 * The name of the file a partial is for (`big.bin` for `.big.bin.cftp-resume-….part`); a
 * long name is cut in its partial's name (64 code points, §8), so this may be its start.
 */
export function partialTarget(name: string): string {
  return name.slice(1, name.lastIndexOf('.cftp-resume-'));
}

async function describe(path: string): Promise<PartialFile | undefined> {
  const info = await lstat(path).catch(() => undefined);
  if (info?.isFile() !== true) return undefined;
  return { name: basename(path), path, size: info.size, mtime: Math.trunc(info.mtimeMs) };
}

/** The partial downloads kept in `dir`, by name (a folder that cannot be read throws). */
export async function listPartials(dir: string): Promise<PartialFile[]> {
  const names = (await readdir(dir)).filter(isResumeTempName).sort();
  const found = await Promise.all(names.map((name) => describe(join(dir, name))));
  return found.filter((partial) => partial !== undefined);
}

/**
 * The partial a get of `remote` to `local` keeps, if there is one with bytes in it: exactly
 * the file `get -c` continues from.
 */
export async function keptPartial(local: string, remote: string): Promise<PartialFile | undefined> {
  const partial = await describe(partialPathFor(local, remote));
  return partial !== undefined && partial.size > 0 ? partial : undefined;
}

/**
 * The partials in `dir` a get of the file `name` left, whatever remote path it came from
 * (its key is not known here): matched by the name part, largest first.
 */
export async function partialsFor(dir: string, name: string): Promise<PartialFile[]> {
  const stem = partialStem(name);
  const partials = await listPartials(dir).catch(() => []);
  return partials.filter((p) => p.name.startsWith(stem)).sort((a, b) => b.size - a.size);
}

/** Removes one partial (only a partial: any other name is refused, nothing is touched). */
export async function removePartial(path: string): Promise<void> {
  if (!isResumeTempName(basename(path))) {
    throw new RangeError(`"${path}" is not a partial download`);
  }
  await unlink(path);
}
