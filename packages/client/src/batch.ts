// Several files over one data channel (docs/protocol.md §6.7): one round trip for all, each
// file verified on its own.
import { IntegrityError, ProtocolError } from '@cftp/protocol';
import { type BatchTarget, commitBatch, discardBatch, receiveBatch } from './batch-receive.js';
import { closeLocalFiles, openLocalFiles } from './batch-send.js';
import { dataFailure, verify, watchFinalReply } from './data-channel.js';
import { Meter } from './meter.js';
import { partialPathFor, sendFiles, serverHasModes, sourceMode } from './transfer.js';
import type { BatchItem, BatchOptions, BatchResult, Session } from './types.js';

/**
 * Uploads several local files over one data channel (§6.7); the server commits them only if
 * every one arrived intact.
 */
export async function putMany(
  session: Session,
  items: readonly BatchItem[],
  options: BatchOptions,
): Promise<BatchResult> {
  const started = performance.now();
  const files = openLocalFiles(items.map((item) => item.local));
  try {
    const total = files.reduce((sum, f) => sum + f.size, 0);
    const modes = serverHasModes(session.server); // §6.8
    return await session.operation(
      options.signal,
      (id) => ({
        type: 'putmany',
        id,
        files: items.map((item, i) => ({
          path: item.remote,
          size: files[i]!.size,
          mtime: files[i]!.mtime,
          ...(modes ? { mode: sourceMode(files[i]!.mode) } : {}),
        })),
        ...(modes && options.exactMode === true ? { exactMode: true } : {}),
      }),
      async (exchange) => {
        const ready = await exchange.expect('ready');
        const socket = await exchange.openData(ready);
        const meter = new Meter(total, options.onProgress, session.digest);
        let digests: string[];
        const final = exchange.expect('ok');
        const data = watchFinalReply(final, exchange.aborted);
        try {
          digests = await sendFiles(files, socket, meter, data.signal);
        } catch (error) {
          socket.destroy();
          throw await data.failure(dataFailure(error));
        }
        const sha256 = meter.digest();
        exchange.send({ type: 'done', id: exchange.id, size: meter.bytes, sha256, files: digests });
        await final;
        return { files: files.length, bytes: total, durationMs: performance.now() - started };
      },
    );
  } finally {
    closeLocalFiles(files);
  }
}

/**
 * Downloads several remote files over one data channel (§6.7). Each is written to its
 * partial file, given its mode and remote mtime, fsynced, verified on its own and renamed
 * into place (batch-receive.ts).
 */
export function getMany(
  session: Session,
  items: readonly BatchItem[],
  options: BatchOptions,
): Promise<BatchResult> {
  const started = performance.now();
  return session.operation(
    options.signal,
    (id) => ({ type: 'getmany', id, paths: items.map((item) => item.remote) }),
    async (exchange) => {
      const ready = await exchange.expect('ready');
      const announced = ready.files;
      if (announced === undefined || announced.length !== items.length) {
        throw new ProtocolError('EPROTO', 'getmany reply does not describe every file');
      }
      const targets = items.map(
        (item, i): BatchTarget => ({
          partial: partialPathFor(item.local, item.remote),
          local: item.local,
          size: announced[i]!.size,
          mtime: announced[i]!.mtime,
          mode: announced[i]!.mode,
        }),
      );
      const total = targets.reduce((sum, t) => sum + t.size, 0);
      const meter = new Meter(total, options.onProgress, session.digest);
      const socket = await exchange.openData(ready);
      let committed = false;
      try {
        let received: { bytes: number; sha256: string; files: string[] };
        const final = exchange.expect('done');
        const data = watchFinalReply(final, exchange.aborted);
        try {
          received = await receiveBatch(socket, targets, {
            meter,
            signal: data.signal,
            received: session.received,
            exactMode: options.exactMode === true,
          });
        } catch (error) {
          // The splitter refuses a byte past the announced total (every file whole): that is
          // more data than announced, EPROTO (§5.4), not a bad digest.
          if (error instanceof IntegrityError && meter.bytes >= total) {
            throw new ProtocolError('EPROTO', 'batch download: more data than announced');
          }
          throw await data.failure(dataFailure(error));
        }
        const done = await final;
        verify(done, received.bytes, received.sha256, 'batch download');
        received.files.forEach((digest, i) => {
          if (done.files?.[i] !== digest) {
            throw new IntegrityError(`download of "${items[i]!.remote}": SHA-256 mismatch`);
          }
        });
        commitBatch(targets);
        committed = true;
        return {
          files: items.length,
          bytes: received.bytes,
          durationMs: performance.now() - started,
        };
      } finally {
        socket.destroy();
        if (!committed) discardBatch(targets);
      }
    },
  );
}
