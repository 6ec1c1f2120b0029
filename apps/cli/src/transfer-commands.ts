// get, put, mget, mput: one file, a folder tree (-r) or glob patterns; -c continues an
// interrupted transfer (the engine checks the part already there, docs/protocol.md §6.2,
// §6.3). Many files run concurrently on the one client, with one progress line for all.
import { glob, lstat, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CftpError, type Entry } from '@cftp/client';
import type { Call, Session } from './context.js';
import { aboutPath, localError, pathError } from './errors.js';
import { batchSummary, plural, sortEntries, transferSummary } from './format.js';
import { hasGlobMagic, matchNames, splitPattern } from './glob.js';
import { resolveLocal } from './local-path.js';
import {
  failedJson,
  failedWarning,
  partialFailure,
  skippedLine,
  transferMany,
} from './many-files.js';
import { type CommandOutcome, outcome } from './output.js';
import { afterGet, afterGetTree, afterMget } from './partial-notice.js';
import type {
  FileItem,
  FilesResult,
  SkippedEntry,
  TransferResult,
  TreeResult,
} from './remote-fs.js';
import {
  displayRemote,
  REMOTE_ROOT,
  remoteBasename,
  remoteJoin,
  resolveRemote,
} from './remote-path.js';

/** The local file a download of `name` goes to: `arg` itself, or inside it if a folder. */
async function localTarget(cwd: string, arg: string | undefined, name: string): Promise<string> {
  if (arg === undefined) return join(cwd, name);
  const path = resolveLocal(cwd, arg);
  if (arg.endsWith('/')) return join(path, name);
  const info = await stat(path).catch(() => undefined);
  return info?.isDirectory() ? join(path, name) : path;
}

/** The remote file an upload of `name` goes to: `arg` itself, or inside it if a folder. */
async function remoteTarget(session: Session, arg: string | undefined, name: string) {
  if (arg === undefined) return remoteJoin(session.remoteCwd, name);
  const path = resolveRemote(session.remoteCwd, arg);
  if (arg.endsWith('/') || path === REMOTE_ROOT) return remoteJoin(path, name);
  const entry = await session.fs.stat(path).catch(() => undefined);
  return entry?.type === 'dir' ? remoteJoin(path, name) : path;
}

async function remoteStat(session: Session, path: string): Promise<Entry> {
  try {
    return await session.fs.stat(path);
  } catch (error) {
    throw aboutPath(error, displayRemote(path));
  }
}

/** What -n says of a target that is there: it is left as it is, and the command succeeds. */
function leftAlone(verb: 'get' | 'put', remote: string, local: string): CommandOutcome {
  const target = verb === 'get' ? `local "${local}"` : `"${displayRemote(remote)}"`;
  return outcome(
    { path: displayRemote(remote), local, bytes: 0, skipped: true, reason: 'exists' },
    [
      `${verb} ${verb === 'get' ? basename(local) : remoteBasename(remote)}: skipped, ${target} exists (-n)`,
    ],
  );
}

/**
 * Whether -n leaves this transfer out: its target is there. For a put the server is asked
 * first, so a file created between that stat and the upload is still replaced (the upload
 * itself has no "only if absent" form, docs/protocol.md §6.3): -n guards against mistakes,
 * not against a concurrent writer.
 */
async function targetExists(call: Call, verb: 'get' | 'put', remote: string, local: string) {
  if (call.flags['no-clobber'] !== true) return false;
  if (verb === 'get') return (await lstat(local).catch(() => undefined)) !== undefined;
  return (await call.session.fs.stat(remote).catch(() => undefined)) !== undefined;
}

function singleSummary(verb: string, name: string, result: TransferResult): string {
  const line = transferSummary(verb, name, result.bytes, result.durationMs);
  return result.resumedFrom > 0 ? `${line}, resumed at byte ${result.resumedFrom}` : line;
}

/** One file either way, with a progress line of its own. */
async function transferOne(
  call: Call,
  verb: 'get' | 'put',
  name: string,
  remote: string,
  local: string,
): Promise<CommandOutcome> {
  const { session, signal, flags } = call;
  if (await targetExists(call, verb, remote, local)) return leftAlone(verb, remote, local);
  const task = session.progress.begin(verb, displayRemote(remote));
  let result: TransferResult;
  try {
    const options = {
      signal,
      resume: flags.continue === true,
      exactMode: flags.preserve === true, // -p (docs/protocol.md §6.8)
      onProgress: (p: { bytes: number; total: number | undefined; resumed?: number }) =>
        task.update({ bytes: p.bytes, total: p.total, resumed: p.resumed ?? 0 }),
    };
    result =
      verb === 'get'
        ? await session.fs.get(remote, local, options)
        : await session.fs.put(local, remote, options);
  } catch (error) {
    const failure = aboutPath(error, displayRemote(remote));
    // A half-written file is never silent: where it is, and the command that resumes it.
    const kept = verb === 'get' ? await afterGet(call, failure, local, remote) : undefined;
    if (kept === undefined) throw failure;
    return kept;
  } finally {
    task.end();
  }
  return outcome(
    {
      path: displayRemote(remote),
      local,
      bytes: result.bytes,
      // Labelled with the session's algorithm (docs/protocol.md §7.1), not always "sha256".
      [result.algorithm]: result.digest,
      ms: Math.round(result.durationMs),
      resumedFrom: result.resumedFrom,
    },
    [singleSummary(verb, name, result)],
  );
}

function manyJson(patterns: readonly string[], result: FilesResult) {
  return {
    patterns: [...patterns],
    files: result.files,
    bytes: result.bytes,
    ms: Math.round(result.durationMs),
    unchanged: result.unchanged,
    failed: failedJson(result.failed),
  };
}

/** A many-file command's report: one warning per entry left out, the summary, EPARTIAL. */
function manyOutcome(
  verb: string,
  json: Record<string, unknown>,
  line: string,
  result: FilesResult & { skipped?: readonly SkippedEntry[] },
): CommandOutcome {
  const failure = partialFailure(verb, result.files, result.failed);
  return {
    ...outcome(json, [line]),
    warnings: [...(result.skipped ?? []).map(skippedLine), ...result.failed.map(failedWarning)],
    ...(failure === undefined ? {} : { failure }),
  };
}

/** `; 2 already complete` (-c) or `; 2 not overwritten (-n)`: the files left out. */
function unchangedNote(call: Call, unchanged: number): string {
  if (unchanged === 0) return '';
  return call.flags['no-clobber'] === true
    ? `; ${unchanged} not overwritten (-n)`
    : `; ${unchanged} already complete`;
}

function manyLine(call: Call, verb: string, label: string, result: FilesResult): string {
  const line = batchSummary(verb, label, { ...result, ms: result.durationMs });
  const failed = result.failed.length > 0 ? `; ${result.failed.length} failed` : '';
  return line + unchangedNote(call, result.unchanged) + failed;
}

function treeOutcome(
  call: Call,
  verb: 'get' | 'put',
  remote: string,
  local: string,
  result: TreeResult,
): CommandOutcome {
  const shown =
    verb === 'get'
      ? `${displayRemote(remote)} -> ${local}`
      : `${local} -> ${displayRemote(remote)}`;
  const totals = {
    files: result.files,
    dirs: result.folders + 1,
    bytes: result.bytes,
    ms: result.durationMs,
    skipped: result.skipped.length,
  };
  let line = batchSummary(`${verb} -r`, shown, totals);
  line += unchangedNote(call, result.unchanged);
  if (result.links > 0) line += `; ${plural(result.links, 'link')} made`;
  if (result.failed.length > 0) line += `; ${result.failed.length} failed`;
  const json = {
    path: displayRemote(remote),
    local,
    ...totals,
    ms: Math.round(totals.ms),
    unchanged: result.unchanged,
    links: result.links,
    skippedEntries: result.skipped.map((entry) => ({ ...entry })),
    failed: failedJson(result.failed),
  };
  return manyOutcome(`${verb} -r`, json, line, result);
}

async function getTree(
  call: Call,
  remote: string,
  localArg: string | undefined,
): Promise<CommandOutcome> {
  const { session } = call;
  const name = remoteBasename(remote);
  const localRoot =
    localArg !== undefined
      ? resolveLocal(session.localCwd, localArg)
      : name === ''
        ? session.localCwd
        : join(session.localCwd, name);
  const started = Date.now();
  let result: TreeResult;
  try {
    result = await transferMany(call, 'get', displayRemote(remote), (options) =>
      session.fs.getTree(remote, localRoot, options),
    );
  } catch (error) {
    const kept = await afterGetTree(call, error, localRoot, started);
    if (kept === undefined) throw error;
    return kept;
  }
  return treeOutcome(call, 'get', remote, localRoot, result);
}

async function putTree(
  call: Call,
  localRoot: string,
  remoteArg: string | undefined,
): Promise<CommandOutcome> {
  const { session } = call;
  const remote =
    remoteArg !== undefined
      ? resolveRemote(session.remoteCwd, remoteArg)
      : remoteJoin(session.remoteCwd, basename(localRoot).normalize('NFC'));
  const result = await transferMany(call, 'put', localRoot, (options) =>
    session.fs.putTree(localRoot, remote, options),
  );
  return treeOutcome(call, 'put', remote, localRoot, result);
}

export async function get(call: Call): Promise<CommandOutcome> {
  const { session, flags, args } = call;
  const remote = resolveRemote(session.remoteCwd, args[0]!);
  if (flags.recursive) {
    const entry = await remoteStat(session, remote);
    if (entry.type === 'dir') return getTree(call, remote, args[1]);
  }
  const name = remoteBasename(remote);
  if (name === '') throw pathError('EISDIR', '"/" is a folder: use get -r', '/');
  const local = await localTarget(session.localCwd, args[1], name);
  return transferOne(call, 'get', name, remote, local);
}

export async function put(call: Call): Promise<CommandOutcome> {
  const { session, flags, args } = call;
  const local = resolveLocal(session.localCwd, args[0]!);
  if (flags.recursive) {
    const info = await stat(local).catch((error: unknown) => {
      throw localError(error, local);
    });
    if (info.isDirectory()) return putTree(call, local, args[1]);
  }
  const remote = await remoteTarget(session, args[1], basename(local).normalize('NFC'));
  // Named as the file it makes: `put /etc/shadow x` reports `put x`.
  return transferOne(call, 'put', remoteBasename(remote), remote, local);
}

/**
 * Remote files matching `pattern` (a glob in its last segment, or a plain path), each named
 * by its whole protocol path.
 */
async function remoteMatches(session: Session, pattern: string): Promise<Entry[]> {
  if (!hasGlobMagic(pattern)) {
    const path = resolveRemote(session.remoteCwd, pattern);
    const entry = await remoteStat(session, path);
    if (entry.type === 'dir') {
      const shown = displayRemote(path);
      throw pathError('EISDIR', `"${shown}" is a folder: use get -r`, shown);
    }
    return [{ ...entry, name: path }];
  }
  const { dir: dirPart, glob } = splitPattern(pattern);
  const dir = resolveRemote(session.remoteCwd, dirPart === '' ? '.' : dirPart);
  const entries = await session.fs.list(dir).catch((error: unknown) => {
    throw aboutPath(error, displayRemote(dir));
  });
  const files = matchNames(entries, glob).filter((entry) => entry.type === 'file');
  return sortEntries(files.map((entry) => ({ ...entry, name: remoteJoin(dir, entry.name) })));
}

export async function mget(call: Call): Promise<CommandOutcome> {
  const { session, args } = call;
  const items: FileItem[] = [];
  const seen = new Set<string>();
  for (const pattern of args) {
    const matches = await remoteMatches(session, pattern);
    if (matches.length === 0) {
      throw new CftpError('ENOENT', `no remote file matches "${pattern}"`);
    }
    for (const { name: path, size, mtime } of matches) {
      if (seen.has(path)) continue;
      seen.add(path);
      const local = join(session.localCwd, remoteBasename(path));
      items.push({ remote: path, local, size, mtime });
    }
  }
  const label = args.join(' ');
  let result: FilesResult;
  try {
    result = await transferMany(call, 'get', label, (options) =>
      session.fs.getFiles(items, options),
    );
  } catch (error) {
    const kept = await afterMget(call, error, items);
    if (kept === undefined) throw error;
    return kept;
  }
  return manyOutcome('mget', manyJson(args, result), manyLine(call, 'mget', label, result), result);
}

export async function mput(call: Call): Promise<CommandOutcome> {
  const { session, args } = call;
  const items: FileItem[] = [];
  const seen = new Set<string>();
  for (const pattern of args) {
    const matches: string[] = [];
    for await (const entry of glob(pattern, { cwd: session.localCwd, withFileTypes: true })) {
      if (entry.isFile()) matches.push(join(entry.parentPath, entry.name));
    }
    if (matches.length === 0) {
      throw new CftpError('ENOENT', `no local file matches "${pattern}"`);
    }
    for (const local of matches.sort()) {
      if (seen.has(local)) continue;
      seen.add(local);
      // One that vanished since the glob saw it goes to the engine anyway: it fails on its
      // own there (skipped with a warning), the others are copied.
      const info = await stat(local).catch(() => undefined);
      const remote = remoteJoin(session.remoteCwd, basename(local).normalize('NFC'));
      items.push({ remote, local, size: info?.size ?? 0, mtime: info?.mtimeMs ?? 0 });
    }
  }
  const label = args.join(' ');
  const result = await transferMany(call, 'put', label, (options) =>
    session.fs.putFiles(items, options),
  );
  return manyOutcome('mput', manyJson(args, result), manyLine(call, 'mput', label, result), result);
}
