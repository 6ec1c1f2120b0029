// Local paths for the session: relative to its local current folder (`lcd`), `~` for home.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function resolveLocal(cwd: string, path: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return join(homedir(), path.slice(2));
  return resolve(cwd, path);
}
