// Many files in one command (get -r, put -r, mget, mput). The engine moves them (batches,
// several requests in flight on the one client, docs/protocol.md §3, §6.7); the command adds
// one progress line for all of them, -c (continue partial files, leave out the ones an
// earlier run finished) and errors that name their path as the session shows it.
import type { FilesOptions, TransferFailure } from '@cftp/client';
import type { Call } from './context.js';
import { aboutBatch, aboutPath, localError, pathError } from './errors.js';
import { displayRemote } from './remote-path.js';

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
      return more.length === 0 && only !== undefined
        ? aboutPath(error, displayRemote(only.remote))
        : aboutBatch(
            error,
            failure.items.map((item) => displayRemote(item.remote)),
          );
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
      ...(flags.preserve === true ? { exactMode: true } : {}), // -p (§6.8)
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
