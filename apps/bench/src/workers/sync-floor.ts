// The floors under `cftp sync` (issue 16), measured in the same run as its rows: what a client
// that starts once per sync cannot do without, with nothing of CFTP in it.
// - `walk`: a Node process that lstats every entry of the source tree and exits. A no-change
//   re-sync started as a command must at least start Node and look at every local file.
// - `commit`: a Node process that copies the tree into an empty folder on the same disk the
//   way CFTP commits a file (protocol §8): written under a temporary name, fsynced, renamed,
//   and each folder fsynced once its files are in; 64 files at a time, since ext4 commits
//   concurrent fsyncs together. No network, no digest: a durable first sync's floor.
// Reports `{"entries": N}` or `{"files": N, "bytes": N}` (workers/io.ts).
import { lstatSync, readdirSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { report, workerArgs } from './io.js';

export interface SyncFloorArgs {
  mode: 'walk' | 'commit';
  source: string;
  /** `commit`: an empty or missing folder to copy the tree into. */
  destination?: string;
}

/** Files copied at once by `commit`. */
const IN_FLIGHT = 64;

function walk(folder: string): number {
  let entries = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    lstatSync(path);
    entries += 1;
    if (entry.isDirectory()) entries += walk(path);
  }
  return entries;
}

async function fsyncPath(path: string, flags: string): Promise<void> {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Copies `source` into `destination` with a durable commit per file; returns the totals. */
async function commit(source: string, destination: string) {
  const files: string[] = [];
  const folders: string[] = [''];
  for (let i = 0; i < folders.length; i++) {
    const relative = folders[i]!;
    await mkdir(join(destination, relative), { recursive: true });
    for (const entry of await readdir(join(source, relative), { withFileTypes: true })) {
      const path = join(relative, entry.name);
      if (entry.isDirectory()) folders.push(path);
      else if (entry.isFile()) files.push(path);
    }
  }
  let next = 0;
  let bytes = 0;
  const copyNext = async (): Promise<void> => {
    while (next < files.length) {
      const path = files[next++]!;
      const content = await readFile(join(source, path));
      const temporary = join(destination, `${path}.floor-tmp`);
      const handle = await open(temporary, 'wx');
      try {
        await handle.writeFile(content);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, join(destination, path));
      bytes += content.byteLength;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, copyNext));
  for (const relative of folders) await fsyncPath(join(destination, relative), 'r');
  return { files: files.length, bytes };
}

const args = workerArgs<SyncFloorArgs>();
if (args.mode === 'walk') report({ entries: walk(args.source) });
else if (args.destination === undefined) throw new Error('commit needs a destination');
else report(await commit(args.source, args.destination));
