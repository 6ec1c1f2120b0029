// The version a package reports (agent strings, `cftp --version`): the one in that package's
// own package.json, read at run time, so an installed package never reports a stale copy.
import { readFileSync } from 'node:fs';

/**
 * `version` of the package.json at `manifest` (callers pass
 * `new URL('../package.json', import.meta.url)` from their dist folder); `unknown` when it
 * cannot be read.
 */
export function packageVersion(manifest: URL): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(manifest, 'utf8'));
    const version =
      typeof pkg === 'object' && pkg !== null && 'version' in pkg ? pkg.version : undefined;
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}
