// Many files in one command (get -r, put -r, mget, mput). The engine moves them (batches,
// several requests in flight on the one client, docs/protocol.md §3, §6.7); the command adds
// one progress line for all of them, -c (continue partial files, leave out the ones an
// earlier run finished) and errors that name their path as the session shows it.
import { CftpError, type FileItem, type FilesOptions, type TransferFailure } from '@cftp/client';
import type { Call } from './context.js';
import { aboutPath, CommandError, localError } from './errors.js';
import { displayRemote } from './remote-path.js';

/** A batch's error names one of its paths (the server's usually does already). */
function aboutBatch(error: unknown, items: readonly FileItem[]): unknown {
  if (!(error instanceof CftpError) || error.code === 'ECONNECTION') return error;
  const shown = items.map((item) => displayRemote(item.remote));
  const named = shown.some(
    (path) => error.message.includes(path) || error.message.includes(`"${path.slice(1)}"`),
  );
  if (named) return error;
  const first = `batch of ${items.length} files from "${shown[0]}"`;
  return new CommandError(error.code, `${first}: ${error.message}`);
}

/** The error a command shows for a failed step of the engine's many-file transfer. */
export function nameFailure(error: unknown, failure: TransferFailure): unknown {
  switch (failure.step) {
    case 'list':
    case 'mkdir':
      return aboutPath(error, displayRemote(failure.remote));
    case 'not-a-folder':
      return new CommandError(
        'EEXIST',
        `"${displayRemote(failure.remote)}" exists and is not a folder`,
      );
    case 'local':
      return localError(error, failure.local);
    case 'transfer': {
      const [only, ...more] = failure.items;
      return more.length === 0 && only !== undefined
        ? aboutPath(error, displayRemote(only.remote))
        : aboutBatch(error, failure.items);
    }
  }
}

/**
 * Runs one many-file transfer of the engine with the command's options: its signal, -c, one
 * progress line labelled `verb label` for all the files, and errors named by `nameFailure`.
 */
export async function transferMany<T>(
  call: Call,
  verb: 'get' | 'put',
  label: string,
  run: (options: FilesOptions) => Promise<T>,
): Promise<T> {
  const { session, signal, flags } = call;
  const task = session.progress.begin(verb, label);
  try {
    return await run({
      signal,
      ...(flags.continue === true ? { resume: true, skipExisting: 'size-mtime' } : {}),
      onProgress: (p) =>
        task.update({
          bytes: p.bytes,
          total: p.totalBytes,
          note: `${p.files}/${p.totalFiles} files`,
        }),
      mapError: nameFailure,
    });
  } finally {
    task.end();
  }
}
