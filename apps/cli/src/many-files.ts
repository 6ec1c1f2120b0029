// Many files in one command (get -r, put -r, mget, mput). The engine moves them (batches,
// several requests in flight on the one client, docs/protocol.md §3, §6.7); the command adds
// one progress line for all of them, -c (continue partial files, leave out the ones an
// earlier run finished), errors that name their path as the session shows it, and skip and
// go on: what cannot be read is named in a warning, the rest is copied, and the summary
// (`4063 copied, 2 failed: …`, EPARTIAL) makes the command fail.
import type {
  FailedEntry,
  LinkMode,
  SkippedEntry,
  TransferFailure,
  TreeOptions,
} from '@cftp/client';
import { CftpError, errorFromCode } from '@cftp/protocol';
import type { Call } from './context.js';
import { aboutPath, describeError, localError, pathError, usageError } from './errors.js';
import { plural } from './format.js';
import { displayRemote } from './remote-path.js';

/** Names listed in the EPARTIAL summary before `and N more`. */
const NAMED_IN_SUMMARY = 3;

/** The error a command shows for a failed step of the engine's many-file transfer. */
export function nameFailure(error: unknown, failure: TransferFailure): unknown {
  switch (failure.step) {
    case 'list':
    case 'mkdir':
      return aboutPath(error, displayRemote(failure.remote));
    case 'not-a-folder': {
      const shown = displayRemote(failure.remote);
      return pathError('EEXIST', `"${shown}" exists and is not a folder`, shown);
    }
    case 'local':
      return localError(error, failure.local);
    case 'transfer': {
      const [only, ...more] = failure.items;
      if (more.length === 0 || only === undefined) {
        return aboutPath(error, displayRemote(only?.remote ?? ''));
      }
      return aboutFiles(error, displayRemote(only.remote), more.length);
    }
  }
}

/**
 * An error of several files that travelled together, said in the user's terms: `"/a/x" and
 * 2 other files: …` (how the engine groups files is its own business).
 */
function aboutFiles(error: unknown, first: string, others: number): unknown {
  if (!(error instanceof CftpError) || error.path !== undefined) return error;
  const files = `"${first}" and ${plural(others, 'other file')}`;
  return errorFromCode(error.code, `${files}: ${error.message}`, { path: first, cause: error });
}

/** Why a link was not followed (-L) or recreated (--links), in words. */
const LINK_REASONS: Record<NonNullable<SkippedEntry['reason']>, string> = {
  loop: 'a loop: it leads to a folder that holds it',
  dangling: 'it leads to nothing',
  'outside-tree': 'it leads outside the copied tree',
  'outside-root': "it leads outside the server's root",
};

/** `skipped symlink a/b -> ../c`, `skipped special file dev/null`, with -L/--links a reason. */
export function skippedLine(entry: SkippedEntry): string {
  if (entry.type === 'other') return `skipped special file ${entry.name}`;
  const target = entry.target === undefined ? '' : ` -> ${entry.target}`;
  const reason = entry.reason === undefined ? '' : ` (${LINK_REASONS[entry.reason]})`;
  return `skipped symlink ${entry.name}${target}${reason}`;
}

/** -L (follow) or --links (recreate): what a tree copy does with symlinks; EUSAGE for both. */
export function linkMode(call: Call): LinkMode | undefined {
  const follow = call.flags['follow-links'] === true;
  const recreate = call.flags.links === true;
  if (follow && recreate) throw usageError('-L follows links and -l recreates them: not both');
  return follow ? 'follow' : recreate ? 'recreate' : undefined;
}

/** `skipped a/b: permission denied … (EACCES)`: an entry `keepGoing` left out. */
export function failedWarning(entry: FailedEntry): CftpError {
  const { code, message } = describeError(entry.error);
  return errorFromCode(code, `skipped ${entry.name}: ${message}`, { cause: entry.error });
}

/** The JSON form of the entries left out: name, code and words, for scripts. */
export function failedJson(failed: readonly FailedEntry[]) {
  return failed.map((entry) => ({ name: entry.name, ...describeError(entry.error) }));
}

/**
 * `put -r: 4063 copied, 2 failed: a/b, c` (EPARTIAL) when entries were left out: what makes
 * the command fail after it reported what it did; undefined when nothing failed.
 */
export function partialFailure(
  verb: string,
  copied: number,
  failed: readonly FailedEntry[],
): CftpError | undefined {
  if (failed.length === 0) return undefined;
  const names = failed.slice(0, NAMED_IN_SUMMARY).map((entry) => entry.name);
  if (failed.length > NAMED_IN_SUMMARY) names.push(`and ${failed.length - NAMED_IN_SUMMARY} more`);
  return new CftpError(
    'EPARTIAL',
    `${verb}: ${copied} copied, ${failed.length} failed: ${names.join(', ')}`,
  );
}

/**
 * Runs one many-file transfer of the engine with the command's options: its signal, -c, -n
 * (no-clobber: a target that is there is left alone, and counted as `unchanged`), one
 * progress line labelled `verb label` for all the files (`scanning… N folders` while a tree
 * is walked), and errors named by `nameFailure`.
 */
export async function transferMany<T>(
  call: Call,
  verb: 'get' | 'put',
  label: string,
  run: (options: TreeOptions) => Promise<T>,
): Promise<T> {
  const { session, signal, flags } = call;
  const links = linkMode(call);
  const task = session.progress.begin(verb, label);
  try {
    return await run({
      signal,
      ...(flags.continue === true ? { resume: true, skipExisting: 'size-mtime' } : {}),
      // -n wins over -c's check: a target that is there at all is not touched.
      ...(flags['no-clobber'] === true ? { skipExisting: 'any' } : {}),
      ...(flags.preserve === true ? { exactMode: true } : {}), // -p (§6.8)
      onScan: (folders) => task.update({ bytes: 0, total: undefined, scanned: folders }),
      onProgress: (p) =>
        task.update({
          bytes: p.bytes,
          total: p.totalBytes,
          resumed: p.resumed,
          note: `${p.files}/${p.totalFiles} files`,
        }),
      mapError: nameFailure,
      keepGoing: true,
      ...(links === undefined ? {} : { links }),
    });
  } finally {
    task.end();
  }
}
