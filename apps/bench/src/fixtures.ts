// The files every system is measured on, made once per run in a temporary folder on disk:
// a served root (large file, many small files, folders to list, an upload folder) and a
// local side (the file to upload, the small files to upload, download folders).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { link, lstat, mkdir, mkdtemp, open, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchConfig } from './config.js';
import { smallFileName } from './layout.js';
import { MiB } from './stats.js';

export interface Fixtures {
  /** Everything lives below this folder; removed at the end. */
  work: string;
  /** The folder the servers serve. */
  root: string;
  /** `large.bin` in `root`, `config.largeBytes` long. */
  largeName: string;
  /** The same file (a hard link: same inode, same cached pages) on the local side, for put. */
  localLarge: string;
  /** Local folder that receives downloads of the large file. */
  localGetDir: string;
  /** Remote folder (in `root`) with the small files, and the same files on the local side. */
  smallRemoteDir: string;
  localSmallDir: string;
  /** Local folder that receives downloads of the small files. */
  localGetManyDir: string;
  /** Remote folder for every upload; emptied after each run. */
  uploadDir: string;
  /** Remote folder name for a listing of `count` entries. */
  listDir(count: number): string;
  /** A local file of `config.sessionBytes` for the sessions scenario. */
  sessionFile: string;
  localSessionsDir: string;
  /** The CFTP server's key and certificate (`--state`), made by its first start. */
  stateDir: string;
}

/** Flushes dirty pages, so one run's writeback does not land in the next run's fsync. */
export function syncDisks(): void {
  execFileSync('sync');
}

async function writeLargeFile(path: string, size: number): Promise<void> {
  const chunk = randomBytes(MiB);
  const file = await open(path, 'wx', 0o644);
  try {
    for (let written = 0; written < size; ) {
      const length = Math.min(chunk.byteLength, size - written);
      chunk.writeUInt32BE(written / MiB, 0); // no two chunks alike
      written += (await file.write(chunk, 0, length, written)).bytesWritten;
    }
  } finally {
    await file.close();
  }
}

/** Reads a file once so the page cache holds it (the runs measure a warm cache). */
async function warm(path: string): Promise<void> {
  const buffer = Buffer.allocUnsafe(MiB);
  const file = await open(path, 'r');
  try {
    for (let position = 0; ; ) {
      const { bytesRead } = await file.read(buffer, 0, buffer.byteLength, position);
      if (bytesRead === 0) break;
      position += bytesRead;
    }
  } finally {
    await file.close();
  }
}

async function writeMany(dir: string, count: number, size: number): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const batch = 64;
  for (let start = 0; start < count; start += batch) {
    const end = Math.min(count, start + batch);
    const writes = [];
    for (let i = start; i < end; i++) {
      writes.push(writeFile(join(dir, smallFileName(i)), randomBytes(size), { mode: 0o644 }));
    }
    await Promise.all(writes);
  }
}

export async function createFixtures(config: BenchConfig): Promise<Fixtures> {
  // vsftpd serves anonymously as the `ftp` user: the files must be world-readable.
  process.umask(0o022);
  const work = await mkdtemp(join(tmpdir(), 'cftp-bench-'));
  const root = join(work, 'root');
  const local = join(work, 'local');
  const fixtures: Fixtures = {
    work,
    root,
    largeName: 'large.bin',
    localLarge: join(local, 'put-large.bin'),
    localGetDir: join(local, 'get-large'),
    smallRemoteDir: 'small',
    localSmallDir: join(local, 'small'),
    localGetManyDir: join(local, 'get-many'),
    uploadDir: 'up',
    listDir: (count) => `list-${count}`,
    sessionFile: join(local, 'session.bin'),
    localSessionsDir: join(local, 'sessions'),
    stateDir: join(work, 'state'),
  };
  for (const dir of [
    root,
    local,
    fixtures.localGetDir,
    fixtures.localGetManyDir,
    fixtures.localSessionsDir,
    join(root, fixtures.uploadDir),
  ]) {
    await mkdir(dir, { recursive: true, mode: 0o755 });
  }
  await writeLargeFile(join(root, fixtures.largeName), config.largeBytes);
  await link(join(root, fixtures.largeName), fixtures.localLarge);
  await writeMany(join(root, fixtures.smallRemoteDir), config.smallFiles, config.smallFileBytes);
  await writeMany(fixtures.localSmallDir, config.smallFiles, config.smallFileBytes);
  for (const count of config.listSizes)
    await writeMany(join(root, fixtures.listDir(count)), count, 0);
  await writeLargeFile(fixtures.sessionFile, config.sessionBytes);
  syncDisks();
  await warm(join(root, fixtures.largeName));
  return fixtures;
}

/** What a run left in a folder: its regular files and their total size. */
export interface FolderContents {
  files: number;
  bytes: number;
}

/**
 * Empties a folder (what a run uploaded or downloaded), keeping the folder, and says what
 * was in it: the check that every file of the run arrived whole.
 */
export async function emptyDir(dir: string): Promise<FolderContents> {
  const entries = await readdir(dir);
  let files = 0;
  let bytes = 0;
  await Promise.all(
    entries.map(async (entry) => {
      const path = join(dir, entry);
      const info = await lstat(path);
      if (info.isFile()) {
        files += 1;
        bytes += info.size;
      }
      await rm(path, { recursive: true, force: true });
    }),
  );
  return { files, bytes };
}

/** Throws unless a run left exactly `files` files of `bytes` bytes in all. */
export function expectContents(
  what: string,
  found: FolderContents,
  expected: FolderContents,
): void {
  if (found.files !== expected.files || found.bytes !== expected.bytes) {
    throw new Error(
      `${what}: expected ${expected.files} files of ${expected.bytes} bytes in all, ` +
        `found ${found.files} files of ${found.bytes} bytes`,
    );
  }
}

export async function removeFixtures(fixtures: Fixtures): Promise<void> {
  await rm(fixtures.work, { recursive: true, force: true });
}
