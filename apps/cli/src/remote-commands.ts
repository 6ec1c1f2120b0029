// Commands on the server's tree that move no file data: cd, pwd, ls, stat, mkdir, rmdir, rm,
// rename (docs/protocol.md §6.1, §6.6). Paths are resolved against the current remote folder.
import type { Entry } from '@cftp/client';
import type { Call, Session } from './context.js';
import { aboutPath, describeError, pathError } from './errors.js';
import { entryName, longListing, sortEntries, statLine } from './format.js';
import { hasGlobMagic, matchNames, splitPattern } from './glob.js';
import { type CommandOutcome, outcome } from './output.js';
import {
  changeRemoteDir,
  displayRemote,
  REMOTE_ROOT,
  remoteBasename,
  remoteJoin,
  resolveRemote,
} from './remote-path.js';

/** Runs a remote operation; its error names the path. */
async function onPath<T>(path: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw aboutPath(error, displayRemote(path));
  }
}

export function entryJson(entry: Entry): Record<string, unknown> {
  return { name: entry.name, type: entry.type, size: entry.size, mtime: entry.mtime };
}

/** A remote folder, or a link to one: something `cd` can enter. */
async function isRemoteFolder(session: Session, path: string): Promise<boolean> {
  const entry = await onPath(path, () => session.fs.stat(path));
  if (entry.type === 'dir') return true;
  if (entry.type !== 'symlink') return false;
  return session.fs.list(path).then(
    () => true,
    () => false,
  );
}

export async function cd({ session, args }: Call): Promise<CommandOutcome> {
  const arg = args[0];
  const target = arg === '-' ? session.previousRemoteCwd : changeRemoteDir(session.remoteCwd, arg);
  if (target !== REMOTE_ROOT && !(await isRemoteFolder(session, target))) {
    const shown = displayRemote(target);
    throw pathError('ENOTDIR', `"${shown}" is not a folder`, shown);
  }
  session.previousRemoteCwd = session.remoteCwd;
  session.remoteCwd = target;
  return outcome({ path: displayRemote(target) });
}

export async function pwd({ session }: Call): Promise<CommandOutcome> {
  const shown = displayRemote(session.remoteCwd);
  return outcome({ path: shown }, [shown]);
}

/** What `ls [path]` shows: a folder's entries, one file's entry, or a glob's matches. */
async function remoteEntries(session: Session, arg: string | undefined): Promise<Entry[]> {
  if (arg !== undefined && hasGlobMagic(remoteBasename(arg))) {
    const { dir: dirPart, glob } = splitPattern(arg);
    const dir = resolveRemote(session.remoteCwd, dirPart === '' ? '.' : dirPart);
    return matchNames(await onPath(dir, () => session.fs.list(dir)), glob);
  }
  const path = arg === undefined ? session.remoteCwd : resolveRemote(session.remoteCwd, arg);
  try {
    return await session.fs.list(path);
  } catch (error) {
    // `ls file` shows the file, as ls does.
    if (describeError(error).code !== 'ENOTDIR') throw aboutPath(error, displayRemote(path));
    return [await onPath(path, () => session.fs.stat(path))];
  }
}

export async function ls({ session, args, flags }: Call): Promise<CommandOutcome> {
  const entries = sortEntries(await remoteEntries(session, args[0]));
  const lines = flags.long ? longListing(entries) : entries.map(entryName);
  const shown = args[0] ?? displayRemote(session.remoteCwd);
  return outcome({ path: shown, entries: entries.map(entryJson) }, lines);
}

export async function statCommand({ session, args }: Call): Promise<CommandOutcome> {
  const path = resolveRemote(session.remoteCwd, args[0]!);
  const entry = await onPath(path, () => session.fs.stat(path));
  return outcome({ path: displayRemote(path), entry: entryJson(entry) }, [
    statLine(displayRemote(path), entry),
  ]);
}

/** Runs `operation` on each path argument in turn; stops at the first failure. */
async function eachPath(
  { session, args }: Call,
  operation: (path: string) => Promise<void>,
): Promise<CommandOutcome> {
  const done: string[] = [];
  for (const arg of args) {
    const path = resolveRemote(session.remoteCwd, arg);
    await onPath(path, () => operation(path));
    done.push(displayRemote(path));
  }
  return outcome({ paths: done });
}

export const mkdirCommand = (call: Call) => eachPath(call, (path) => call.session.fs.mkdir(path));
export const rmdirCommand = (call: Call) => eachPath(call, (path) => call.session.fs.rmdir(path));
export const rm = (call: Call) => eachPath(call, (path) => call.session.fs.delete(path));

export async function rename({ session, args }: Call): Promise<CommandOutcome> {
  const from = resolveRemote(session.remoteCwd, args[0]!);
  let to = resolveRemote(session.remoteCwd, args[1]!);
  // `mv a.txt folder/` (or an existing folder) moves it inside, keeping its name.
  const intoFolder =
    args[1]!.endsWith('/') ||
    to === REMOTE_ROOT ||
    (await session.fs.stat(to).then(
      (entry) => entry.type === 'dir',
      () => false,
    ));
  if (intoFolder) to = remoteJoin(to, remoteBasename(from));
  await onPath(from, () => session.fs.rename(from, to));
  return outcome({ from: displayRemote(from), to: displayRemote(to) });
}
