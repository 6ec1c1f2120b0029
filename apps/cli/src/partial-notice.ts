// What an interrupted download leaves is said (issue 14): `partial kept: 512.0 MiB in
// .big.bin.cftp-resume-….part; "get -c big.bin" resumes` after one file, and the partials
// of a stopped `get -r` or `mget` counted with the command that resumes them. The partial
// files themselves follow the engine's rule (@cftp/client).
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import {
  keptPartial,
  listPartials,
  type PartialFile,
  partialStem,
  partialTarget,
} from '@cftp/client';
import type { Call } from './context.js';
import { humanSize, plural } from './format.js';
import type { CommandOutcome } from './output.js';
import { escapeWord } from './words.js';

/** Folders walked at most when looking for the partials a stopped `get -r` kept. */
const MAX_FOLDERS = 10_000;

/** `get -c big.bin` as the person typed the command, with -c (and `extra` flags) added. */
function again(call: Call, verb: string, extra: readonly string[] = []): string {
  const typed = [verb, ...extra, '-c', ...call.args.map(escapeWord)].join(' ');
  return call.session.resumeCommand ?? typed;
}

/** A partial named by its stem (its key is noise), relative to the session's local folder. */
function shown(call: Call, partial: PartialFile): string {
  const where = relative(call.session.localCwd, dirname(partial.path));
  return join(where, `${partialStem(partialTarget(partial.name))}….part`);
}

/**
 * The failed command's outcome when it kept partials: the failure, then one note naming
 * them and the command that resumes them (undefined when none was kept: throw as it is).
 */
export function keptOutcome(
  call: Call,
  failure: unknown,
  kept: readonly PartialFile[],
  resume: string,
): CommandOutcome | undefined {
  if (kept.length === 0) return undefined;
  const bytes = kept.reduce((sum, p) => sum + p.size, 0);
  const what =
    kept.length === 1
      ? `${humanSize(bytes)} in ${shown(call, kept[0]!)}`
      : `${plural(kept.length, 'file')}, ${humanSize(bytes)}, first ${shown(call, kept[0]!)}`;
  return {
    json: { partials: kept.map((p) => ({ path: p.path, bytes: p.size })) },
    lines: [],
    failure,
    notes: [`partial kept: ${what}; "${resume}" resumes`],
  };
}

/** After a one-file get that failed: its partial, if it kept one. */
export async function afterGet(call: Call, failure: unknown, local: string, remote: string) {
  const kept = await keptPartial(local, remote);
  return keptOutcome(call, failure, kept === undefined ? [] : [kept], again(call, 'get'));
}

/** After an `mget` that stopped: the partials of its files. */
export async function afterMget(
  call: Call,
  failure: unknown,
  items: readonly { local: string; remote: string }[],
) {
  const found = await Promise.all(items.map((item) => keptPartial(item.local, item.remote)));
  const kept = found.filter((partial) => partial !== undefined);
  return keptOutcome(call, failure, kept, again(call, 'mget'));
}

/** After a `get -r` that stopped: the partials written under `root` since `since` (ms). */
export async function afterGetTree(call: Call, failure: unknown, root: string, since: number) {
  const kept: PartialFile[] = [];
  const pending = [root];
  for (let walked = 0; pending.length > 0 && walked < MAX_FOLDERS; walked++) {
    const dir = pending.shift()!;
    const entries: Dirent[] = await readdir(dir, { withFileTypes: true }).catch(() => []);
    // Folders only, never a link: the walk stays in the tree the command wrote.
    for (const entry of entries) if (entry.isDirectory()) pending.push(join(dir, entry.name));
    const partials = await listPartials(dir).catch(() => []);
    kept.push(...partials.filter((p) => p.size > 0 && p.mtime >= since));
  }
  return keptOutcome(call, failure, kept, again(call, 'get', ['-r']));
}
