// Where the harness keeps things: its own built scripts, the cftp CLI, the repository root,
// and the names of the generated test files.
import { fileURLToPath } from 'node:url';

// This module sits directly in src/ (tests) or dist/ (built), one level below the package.
const packageRoot = new URL('../', import.meta.url);

/** A built worker script, `dist/workers/NAME.js`. */
export function workerScript(name: string): string {
  return fileURLToPath(new URL(`dist/workers/${name}.js`, packageRoot));
}

/** Preloaded into the cftp CLI client to report its CPU time and peak RSS at exit. */
export const USAGE_PROBE = new URL('dist/usage-probe.js', packageRoot).href;

/** The built `cftp` command. */
export const CFTP_CLI = fileURLToPath(new URL('../cli/dist/main.js', packageRoot));

export const REPO_ROOT = fileURLToPath(new URL('../../', packageRoot));

/** Name of the i-th file of a many-files set: `f0000.bin`, `f0001.bin`, ... */
export function smallFileName(index: number): string {
  return `f${String(index).padStart(5, '0')}.bin`;
}
