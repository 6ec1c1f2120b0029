// Glob patterns on remote names: `mget logs/*.gz`, `ls *.txt`. The pattern may only be in
// the last segment; the folder part is an ordinary path. Matching is node:path's matchesGlob
// (so `*` does not match a leading dot, as in a shell).
import { matchesGlob } from 'node:path';
import { usageError } from './errors.js';

/** True when a word has characters that `matchesGlob` would act on. */
export function hasGlobMagic(pattern: string): boolean {
  return /[*?[\]{}]/.test(pattern);
}

/** `logs/*.gz` → folder `logs/` (empty: the current one) and pattern `*.gz`. */
export function splitPattern(pattern: string): { dir: string; glob: string } {
  const slash = pattern.lastIndexOf('/');
  const dir = pattern.slice(0, slash + 1);
  if (hasGlobMagic(dir)) {
    throw usageError(`"${pattern}": a pattern may only be in the last name`);
  }
  return { dir, glob: pattern.slice(slash + 1).normalize('NFC') };
}

/** The entries whose names match `glob`. */
export function matchNames<T extends { name: string }>(entries: readonly T[], glob: string): T[] {
  return entries.filter((entry) => matchesGlob(entry.name, glob));
}
