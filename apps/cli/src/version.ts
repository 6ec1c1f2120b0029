// The version `cftp --version` prints: the one in this package's own package.json, read at run
// time (packageVersion), so the installed package (`cftp` on npm) never reports a stale copy.
import { packageVersion as versionOf } from '@cftp/transfer';

/** `version` of apps/cli/package.json; dist/version.js sits one folder below it. */
export function packageVersion(): string {
  return versionOf(new URL('../package.json', import.meta.url));
}
