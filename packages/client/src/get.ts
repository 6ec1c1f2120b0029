// Downloading one file (docs/protocol.md §6.2): the bytes go to a partial file beside the
// target, which is fsynced and renamed into place only after size and digest match. An
// interrupted download keeps its partial file (§8); `resume: true` continues from it.
import { open, rename, stat, unlink, utimes } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { CftpError, IntegrityError, ProtocolError } from '@cftp/protocol';
import { FileReceiver } from '@cftp/transfer';
import { dataFailure, verify, watchFinalReply } from './data-channel.js';
import { Meter } from './meter.js';
import {
  applyReceivedMode,
  localFileError,
  observePrefix,
  PARTIAL_MODE,
  partialPathFor,
} from './transfer.js';
import type { GetOptions, Session, TransferResult } from './types.js';

/** Downloads `remote` to the local path `local` (§6.2). */
export async function get(
  session: Session,
  remote: string,
  local: string,
  options: GetOptions,
): Promise<TransferResult> {
  const started = performance.now();
  const partial = partialPathFor(local, remote);
  const meter = new Meter(undefined, options.onProgress, session.digest);
  // The part already here, verified by the server against its own prefix (§6.2).
  let have = 0;
  if (options.resume === true) {
    const existing = await open(partial, 'r').catch(() => undefined);
    if (existing !== undefined) {
      try {
        have = (await existing.stat()).size;
        if (have > 0) await observePrefix(existing, have, meter, options.signal);
      } finally {
        await existing.close();
      }
    }
  }
  const prefix = have > 0 ? { offset: have, prefixSha256: meter.digestSoFar() } : {};
  return session.operation(
    options.signal,
    (id) => ({ type: 'get', id, path: remote, ...prefix }),
    async (exchange) => {
      const ready = await exchange.expect('ready');
      const offset = ready.offset ?? 0;
      // The stream is exactly size − offset bytes (§5.4): without a size it has no bound.
      if (ready.size === undefined || offset > ready.size || (offset !== 0 && offset !== have)) {
        throw new ProtocolError(
          'EPROTO',
          `bad ready for get "${remote}": size ${ready.size}, offset ${offset}, we have ${have}`,
        );
      }
      const expected = ready.size - offset;
      // The server starts over when our prefix is not its prefix.
      const counted =
        offset === have ? meter : new Meter(undefined, options.onProgress, session.digest);
      counted.total = ready.size;
      let socket: Socket | undefined;
      let file: FileReceiver | undefined;
      let corrupt = false;
      let succeeded = false;
      try {
        // Opened before anything else can fail, so a local error is reported as one. The
        // receiver reads the socket straight into its blocks, hashes them, fsyncs as it goes
        // and at the end, and fails at once on one byte more than announced (§5.4).
        const handle = await open(partial, offset > 0 ? 'a' : 'w', PARTIAL_MODE).catch(
          (error: unknown) => {
            throw localFileError(error, local, 'creating');
          },
        );
        file = new FileReceiver(handle, {
          limit: expected,
          tooMuch: () =>
            new ProtocolError(
              'EPROTO',
              `download of "${remote}": more data than announced (${expected} bytes)`,
            ),
          observe: (chunk) => counted.observe(chunk),
          path: local,
        });
        socket = await exchange.openData(ready, file.onread);
        const final = exchange.expect('done');
        const data = watchFinalReply(final, exchange.aborted);
        try {
          await file.receive(socket, data.signal);
          counted.finish();
        } catch (error) {
          const failure = await data.failure(dataFailure(error));
          // More than announced: the partial is no valid prefix, even for a resume (§5.4).
          if (failure instanceof CftpError && failure.code === 'EPROTO') corrupt = true;
          // A local write failure (full disk, EIO): its partial is not kept, it would only
          // hold the disk full; the error names the file (FileSink, localIoError).
          if (error instanceof CftpError && error.path === local) corrupt = true;
          throw failure;
        }
        const done = await final;
        const sha256 = counted.digest();
        try {
          verify(done, counted.bytes, sha256, `download of "${remote}"`);
          if (ready.size !== undefined && ready.size !== counted.bytes) {
            throw new IntegrityError(
              `download of "${remote}": announced ${ready.size} bytes, received ${counted.bytes}`,
            );
          }
        } catch (error) {
          corrupt = true;
          throw error;
        }
        if (ready.mtime !== undefined) await utimes(partial, new Date(), new Date(ready.mtime));
        await applyReceivedMode(partial, local, ready.mode, options.exactMode === true);
        await rename(partial, local);
        succeeded = true;
        return {
          bytes: counted.bytes - offset,
          digest: sha256,
          algorithm: counted.algorithm,
          durationMs: performance.now() - started,
          resumedFrom: offset,
        };
      } finally {
        socket?.destroy();
        // Releases the descriptor when the data never ran (e.g. the data port refused).
        await file?.close();
        // A corrupt or empty partial is useless; an interrupted one is kept for resume (§8).
        if (!succeeded) {
          const size = await stat(partial).then(
            (info) => info.size,
            () => 0,
          );
          if (corrupt || size === 0) await unlink(partial).catch(() => {});
        }
      }
    },
  );
}
