// Uploading one file (docs/protocol.md §6.3): the server commits it atomically with the local
// mtime. `resume: true` makes an interrupted upload resumable, and continues one: it costs
// one extra read of the file, for its digest.
import { open } from 'node:fs/promises';
import { CftpError, IntegrityError, ProtocolError } from '@cftp/protocol';
import { dataFailure, watchFinalReply } from './data-channel.js';
import { Meter } from './meter.js';
import { localFileError, observePrefix, sendFile, serverHasModes, sourceMode } from './transfer.js';
import type { PutOptions, Session, TransferResult } from './types.js';

/** Uploads the local file `local` to `remote` (§6.3). */
export async function put(
  session: Session,
  local: string,
  remote: string,
  options: PutOptions,
): Promise<TransferResult> {
  const started = performance.now();
  const file = await open(local, 'r').catch((error: unknown) => {
    throw localFileError(error, local, 'opening');
  });
  try {
    const info = await file.stat();
    if (!info.isFile()) throw new CftpError('EISDIR', `local "${local}" is not a regular file`);
    const mtime = Math.max(0, Math.trunc(info.mtimeMs));
    let whole: string | undefined;
    if (options.resume === true) {
      const scan = new Meter(info.size, undefined, session.digest);
      await observePrefix(file, info.size, scan, options.signal);
      whole = scan.digest();
    }
    const attempt = (resume: boolean) =>
      session.operation(
        options.signal,
        (id) => ({
          type: 'put',
          id,
          path: remote,
          size: info.size,
          mtime,
          // §6.8: the source's bits, to a server that applies them; -p asks for them exactly.
          ...(serverHasModes(session.server) ? { mode: sourceMode(info.mode) } : {}),
          ...(serverHasModes(session.server) && options.exactMode === true
            ? { exactMode: true }
            : {}),
          ...(resume && whole !== undefined ? { resume: true, sha256: whole } : {}),
        }),
        async (exchange): Promise<TransferResult | 'restart'> => {
          const ready = await exchange.expect('ready');
          const offset = ready.offset ?? 0;
          const meter = new Meter(info.size, options.onProgress, session.digest);
          if (offset > 0) {
            if (offset <= info.size) await observePrefix(file, offset, meter, exchange.aborted);
            if (offset > info.size || meter.digestSoFar() !== ready.prefixSha256) {
              // The server's partial is not a prefix of this file: drop it, send it all.
              exchange.abandon();
              return 'restart';
            }
          }
          const socket = await exchange.openData(ready);
          const final = exchange.expect('ok');
          const data = watchFinalReply(final, exchange.aborted);
          try {
            await sendFile(file, info.size, socket, meter, {
              signal: data.signal,
              start: offset,
              path: local,
            });
          } catch (error) {
            socket.destroy();
            throw await data.failure(dataFailure(error));
          }
          const sha256 = meter.digest();
          exchange.send({ type: 'done', id: exchange.id, size: meter.bytes, sha256 });
          const ok = await final;
          if (ok.sha256 !== undefined && ok.sha256 !== sha256) {
            throw new IntegrityError(`upload of "${local}": the server committed different bytes`);
          }
          return {
            bytes: meter.bytes - offset,
            digest: sha256,
            algorithm: meter.algorithm,
            durationMs: performance.now() - started,
            resumedFrom: offset,
          };
        },
      );
    const first = await attempt(true);
    if (first !== 'restart') return first;
    const second = await attempt(false);
    if (second === 'restart') throw new ProtocolError('EPROTO', 'server resumed a fresh upload');
    return second;
  } finally {
    await file.close().catch(() => {});
  }
}
