// Many files in one command (get -r, put -r, mget, mput). The engine moves them (batches,
// several requests in flight on the one client, docs/protocol.md §3, §6.7); the command adds
// one progress line for all of them, -c (continue partial files, leave out the ones an
// earlier run finished) and errors that name their path as the session shows it.
import type { TransferFailure, TreeOptions } from '@cftp/client';
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
    });
  } finally {
    task.end();
  }
}
