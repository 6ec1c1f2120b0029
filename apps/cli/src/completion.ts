// Tab completion at the `ftp>` prompt: command names first, then per argument (commands.ts
// says which) remote names from the cached listing of the folder being typed, or local names.
import { readdir } from 'node:fs/promises';
import { COMMAND_NAMES, type Completion, findCommand } from './commands.js';
import type { Session } from './context.js';
import { resolveLocal } from './local-path.js';
import { resolveRemote } from './remote-path.js';
import { escapeWord, wordsBeforeCursor } from './words.js';

interface Name {
  name: string;
  dir: boolean;
}

async function remoteNames(session: Session, dir: string): Promise<Name[]> {
  const path = resolveRemote(session.remoteCwd, dir === '' ? '.' : dir);
  const entries = await session.listings.entries(path);
  return entries.map((e) => ({ name: e.name, dir: e.type === 'dir' }));
}

async function localNames(session: Session, dir: string): Promise<Name[]> {
  const path = resolveLocal(session.localCwd, dir === '' ? '.' : dir);
  const entries = await readdir(path, { withFileTypes: true });
  return entries.map((e) => ({ name: e.name, dir: e.isDirectory() }));
}

/** Which kind of argument the word being typed is (options do not count as arguments). */
function argumentKind(words: readonly string[]): Completion {
  const [name, ...rest] = words;
  if (name === undefined) return 'command';
  let spec: ReturnType<typeof findCommand>;
  try {
    spec = findCommand(name);
  } catch {
    return 'none';
  }
  const position = rest.filter((w) => !w.startsWith('-')).length;
  return spec.complete[Math.min(position, spec.complete.length - 1)] ?? 'none';
}

/** Candidates for the end of `line`, and the text of the line they replace. */
export async function complete(session: Session, line: string): Promise<[string[], string]> {
  const { done, current, raw, quote } = wordsBeforeCursor(line);
  const kind = argumentKind(done);
  if (kind === 'command') {
    return [COMMAND_NAMES.filter((n) => n.startsWith(current)).map((n) => `${n} `), raw];
  }
  if (kind === 'none' || current.startsWith('-')) return [[], raw];
  const slash = current.lastIndexOf('/');
  const dir = current.slice(0, slash + 1);
  const prefix = current.slice(slash + 1);
  let names: Name[];
  try {
    names = await (kind === 'remote' ? remoteNames(session, dir) : localNames(session, dir));
  } catch {
    return [[], raw];
  }
  const render = (word: string, isDir: boolean) => {
    if (quote === undefined) return escapeWord(word) + (isDir ? '' : ' ');
    const body = quote === '"' ? word.replace(/["\\]/g, '\\$&') : word;
    return `${quote}${body}${isDir ? '' : `${quote} `}`;
  };
  const candidates = names
    .filter((n) => n.name.startsWith(prefix))
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((n) => render(`${dir}${n.name}${n.dir ? '/' : ''}`, n.dir));
  return [candidates, raw];
}
