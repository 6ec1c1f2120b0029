// Shared by the sync suites: a tree snapshot by digest (and mtime, and mode), a small tree
// with nested folders, an empty file and a symlink, and `cftp sync` as a process.
import { chmod, lstat, mkdir, readdir, readlink, symlink, utimes } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { type CliResult, KiB, runCli, sha256File, writeRandomFile } from './helpers.js';

export interface Snapshot {
  /** Relative path → 'dir', 'link:<target>' or the file's SHA-256. */
  content: Record<string, string>;
  /** Relative path → mtime in whole milliseconds (files only). */
  mtimes: Record<string, number>;
  /** Relative path → permission bits (files only). */
  modes: Record<string, number>;
}

/** Every entry under `dir` (temporary transfer files included: none may be left). */
export async function snapshot(dir: string): Promise<Snapshot> {
  const content: Record<string, string> = {};
  const mtimes: Record<string, number> = {};
  const modes: Record<string, number> = {};
  // Walked by hand: readdir's `recursive` follows links to folders, and /etc is big.
  const walk = async (folder: string): Promise<string[]> => {
    const found: string[] = [];
    for (const dirent of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, dirent.name);
      found.push(path);
      if (dirent.isDirectory()) found.push(...(await walk(path)));
    }
    return found;
  };
  for (const path of (await walk(dir)).sort()) {
    const rel = relative(dir, path).split(sep).join('/');
    const info = await lstat(path);
    if (info.isDirectory()) content[rel] = 'dir';
    else if (info.isSymbolicLink()) content[rel] = `link:${await readlink(path)}`;
    else {
      content[rel] = await sha256File(path);
      mtimes[rel] = Math.trunc(info.mtimeMs);
      modes[rel] = info.mode & 0o777;
    }
  }
  return { content, mtimes, modes };
}

/** Files only, by digest: what "equal by digest" means for two trees. */
export async function files(dir: string): Promise<Record<string, string>> {
  const { content } = await snapshot(dir);
  return Object.fromEntries(
    Object.entries(content).filter(([, v]) => v !== 'dir' && !v.startsWith('link:')),
  );
}

/** A small tree: nested and empty folders, an empty file, sizes to 300 KiB, a link. */
export async function makeTree(
  dir: string,
  sizes: [string, number][] = DEFAULT_FILES,
): Promise<void> {
  await mkdir(join(dir, 'empty folder'), { recursive: true });
  let when = Date.UTC(2022, 0, 2, 3, 4, 5, 678);
  for (const [rel, size] of sizes) {
    await mkdir(join(dir, rel, '..'), { recursive: true });
    await writeRandomFile(join(dir, rel), size);
    when += 86_400_000;
    await utimes(join(dir, rel), new Date(when), new Date(when));
  }
  await chmod(join(dir, 'top.txt'), 0o640);
}

export const DEFAULT_FILES: [string, number][] = [
  ['top.txt', 10],
  ['empty-file', 0],
  ['docs/report.pdf', 300 * KiB],
  ['docs/résumé.txt'.normalize('NFC'), 2 * KiB],
  ['docs/deep/deeper/data.bin', 33 * KiB + 7],
  ['logs/app.log', 500],
  ['logs/keep.log', 600],
];

export async function addLink(dir: string, name: string, target: string): Promise<void> {
  await symlink(target, join(dir, name));
}

/** `cftp sync ...args` in `cwd`. */
export function sync(args: string[], cwd: string): Promise<CliResult> {
  return runCli(['sync', ...args], { cwd });
}

/** `127.0.0.1:PORT:/path` */
export const at = (port: number, path: string) => `127.0.0.1:${port}:/${path}`;

/** The summary line's counts. */
export function counts(stdout: string) {
  const m = /(\d+) updated, (\d+) created, (\d+) deleted, (\d+) unchanged, (.+) moved/.exec(stdout);
  if (m === null) throw new Error(`no summary line in ${JSON.stringify(stdout)}`);
  return {
    updated: Number(m[1]),
    created: Number(m[2]),
    deleted: Number(m[3]),
    unchanged: Number(m[4]),
    moved: m[5]!,
  };
}
