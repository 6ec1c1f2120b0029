// The version `cftp --version` prints: the one in this package's own package.json, read at run
// time, so the installed package (`cftp` on npm) can never report a copy that drifted.
import { readFileSync } from 'node:fs';

/** `version` of apps/cli/package.json; dist/version.js sits one folder below it. */
export function packageVersion(): string {
  const pkg: unknown = JSON.parse(
    readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
  );
  const version =
    typeof pkg === 'object' && pkg !== null && 'version' in pkg ? pkg.version : undefined;
  return typeof version === 'string' ? version : 'unknown';
}
