// The tree the sync scenarios run on (issue #16): `files` files in `folders` folders, sizes
// from 0 B to 4 MiB skewed small (most files a few KiB, 1 % from 64 KiB to 4 MiB, so the
// total stays modest), made from a seed so every system gets the same tree; and the two
// changes the scenarios make to it (1 % of files rewritten, 1 % deleted).
import { randomBytes } from 'node:crypto';
import { cp, mkdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KiB, MiB } from '../stats.js';

export interface SyncTreeShape {
  files: number;
  folders: number;
}

/** mulberry32: the same tree for the same seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `d07/s3/f00042.bin`: two levels, so a walk has depth to it. */
export function syncFilePath(shape: SyncTreeShape, index: number): string {
  const folder = index % shape.folders;
  const top = Math.floor(folder / 20);
  return join(
    `d${String(top).padStart(2, '0')}`,
    `s${folder % 20}`,
    `f${String(index).padStart(5, '0')}.bin`,
  );
}

function sizeOf(next: () => number): number {
  if (next() < 0.01) return Math.floor(64 * KiB * 64 ** next()); // 64 KiB … 4 MiB
  return Math.floor(next() * next() * 16 * KiB); // 0 … 16 KiB, mostly small
}

/** Writes the tree under `dir`; returns its total bytes. */
export async function makeSyncTree(dir: string, shape: SyncTreeShape): Promise<number> {
  const next = random(16);
  let total = 0;
  const when = new Date(Date.UTC(2025, 5, 1));
  for (let i = 0; i < shape.files; i++) {
    const path = join(dir, syncFilePath(shape, i));
    const size = sizeOf(next);
    if (i < shape.folders) await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, randomBytes(size));
    await utimes(path, when, when);
    total += size;
  }
  return total;
}

/** A copy of `from` with the same mtimes (each system starts from the same tree). */
export async function copyTree(from: string, to: string): Promise<void> {
  await rm(to, { recursive: true, force: true });
  await cp(from, to, { recursive: true, preserveTimestamps: true });
}

/** Rewrites 1 % of the files (same size, new bytes, a later mtime); returns their bytes. */
export async function changeOnePercent(dir: string, shape: SyncTreeShape): Promise<number> {
  let bytes = 0;
  const later = new Date(Date.UTC(2025, 6, 1));
  for (let i = 0; i < shape.files; i += 100) {
    const path = join(dir, syncFilePath(shape, i));
    const { size } = await stat(path);
    await writeFile(path, randomBytes(size));
    await utimes(path, later, later);
    bytes += size;
  }
  return bytes;
}

/** Deletes another 1 % of the files. */
export async function deleteOnePercent(dir: string, shape: SyncTreeShape): Promise<void> {
  for (let i = 50; i < shape.files; i += 100) await rm(join(dir, syncFilePath(shape, i)));
}

export const SYNC_MAX_FILE = 4 * MiB;
