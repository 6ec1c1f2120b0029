// Many small files over one data channel (docs/protocol.md §6.7): one request, one listener,
// one connection and one round trip for up to BATCH_MAX_FILES files, each still verified
// on its own and committed atomically.
import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { finished } from 'node:stream/promises';
import { type GetMany, IntegrityError, type PutMany, pump } from '@cftp/protocol';
import {
  dataError,
  type OperationContext,
  type OperationResult,
  withDataChannel,
  writeChunk,
} from './operations.js';
import type { ReadableFile, Upload } from './storage.js';

export interface BatchUpload {
  segments: string[];
  size: number;
  mtime: number | undefined;
}

/** Opens all, or none: on a failure the ones already opened are released. */
async function openAll<T>(
  count: number,
  open: (index: number) => Promise<T>,
  release: (item: T) => Promise<void>,
): Promise<T[]> {
  const settled = await Promise.allSettled(Array.from({ length: count }, (_, i) => open(i)));
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure === undefined) return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
  await Promise.all(
    settled.map((s) => (s.status === 'fulfilled' ? release(s.value) : Promise.resolve())),
  );
  throw failure.reason;
}

export async function runPutMany(
  ctx: OperationContext,
  request: PutMany,
  files: BatchUpload[],
): Promise<OperationResult> {
  const uploads: Upload[] = await openAll(
    files.length,
    (i) => ctx.storage.createUpload(files[i]!.segments, { size: files[i]!.size }),
    (upload) => upload.abort(),
  );
  try {
    const total = files.reduce((sum, f) => sum + f.size, 0);
    const whole = createHash('sha256');
    const each = files.map(() => createHash('sha256'));
    const received = await withDataChannel(
      ctx,
      (channel) =>
        ctx.send({ type: 'ready', id: ctx.id, port: channel.port, token: channel.token }),
      async (socket) => {
        try {
          return await splitInto(socket, files, uploads, whole, each, ctx.received);
        } catch (error) {
          throw dataError(error, ctx.signal);
        }
      },
    );
    const stated = await ctx.clientDone();
    const digests = each.map((hash) => hash.digest('hex'));
    const sha256 = whole.digest('hex');
    if (received !== total || stated.size !== total) {
      throw new IntegrityError(`batch size mismatch: expected ${total}, received ${received}`);
    }
    const bad = digests.findIndex((digest, i) => stated.files?.[i] !== digest);
    if (stated.sha256 !== sha256 || stated.files?.length !== files.length || bad >= 0) {
      const which = bad >= 0 ? ` ("${request.files[bad]?.path}")` : '';
      throw new IntegrityError(`batch digest mismatch${which}: nothing was committed`);
    }
    await Promise.all(uploads.map((upload, i) => upload.commit(files[i]!.mtime)));
    return {
      bytes: total,
      reply: { type: 'ok', id: ctx.id, size: total, sha256, count: files.length },
    };
  } finally {
    await Promise.all(uploads.map((upload) => upload.abort()));
  }
}

/**
 * Routes the data channel's bytes to the uploads in order, by their declared sizes, with
 * backpressure from each file; resolves with the byte count once every file is on disk.
 * Bytes beyond the declared total are refused at once (a peer cannot fill the disk).
 */
async function splitInto(
  socket: Socket,
  files: BatchUpload[],
  uploads: Upload[],
  whole: Hash,
  each: Hash[],
  noteReceived: (bytes: number) => void,
): Promise<number> {
  // Written to directly (no pipeline): a write error must reject here, never go unhandled.
  let failure: unknown;
  for (const upload of uploads) {
    upload.stream.on('error', (error) => {
      failure ??= error;
    });
  }
  let index = 0;
  let left = files[0]?.size ?? 0;
  let received = 0;
  const closeFinished = () => {
    // Zero-byte files (and files just completed) are ended as soon as they are whole.
    while (index < files.length && left === 0) {
      uploads[index]!.stream.end();
      index++;
      left = files[index]?.size ?? 0;
    }
  };
  closeFinished();
  for await (const chunk of socket as AsyncIterable<Buffer>) {
    let at = 0;
    while (at < chunk.byteLength) {
      if (index >= files.length) throw new IntegrityError('batch data longer than declared');
      const part = chunk.subarray(at, at + Math.min(left, chunk.byteLength - at));
      at += part.byteLength;
      left -= part.byteLength;
      received += part.byteLength;
      whole.update(part);
      each[index]!.update(part);
      noteReceived(part.byteLength);
      const stream = uploads[index]!.stream;
      if (failure !== undefined) throw failure;
      if (!stream.write(part)) await once(stream, 'drain'); // rejects on a write error
      closeFinished();
    }
  }
  // Short data: the files not yet whole are ended too, and the size check fails.
  for (let i = index; i < uploads.length; i++) uploads[i]!.stream.end();
  await Promise.all(uploads.map((upload) => finished(upload.stream)));
  return received;
}

export async function runGetMany(
  ctx: OperationContext,
  request: GetMany,
  paths: string[][],
): Promise<OperationResult> {
  const files: ReadableFile[] = await openAll(
    paths.length,
    (i) => ctx.storage.openRead(paths[i]!),
    (file) => file.close(),
  );
  try {
    return await withDataChannel(
      ctx,
      (channel) =>
        ctx.send({
          type: 'ready',
          id: ctx.id,
          port: channel.port,
          token: channel.token,
          files: files.map((file) => ({ size: file.size, mtime: file.mtime })),
        }),
      async (socket) => {
        const whole = createHash('sha256');
        const digests: string[] = [];
        let total = 0;
        const onAbort = () => socket.destroy();
        ctx.signal.addEventListener('abort', onAbort, { once: true });
        try {
          for (const file of files) {
            const hash = createHash('sha256');
            const sent = await pump(
              {
                read: (buffer, position) =>
                  position >= file.size
                    ? Promise.resolve(0)
                    : file.read(
                        buffer.subarray(0, Math.min(buffer.byteLength, file.size - position)),
                        position,
                      ),
                write: (chunk) => writeChunk(socket, chunk),
                observe: (chunk) => {
                  hash.update(chunk);
                  whole.update(chunk);
                },
              },
              { expectedBytes: file.size, signal: ctx.signal },
            );
            if (sent !== file.size) {
              throw new IntegrityError(
                `"${request.paths[digests.length]}" shrank while it was being sent`,
              );
            }
            total += sent;
            digests.push(hash.digest('hex'));
          }
          socket.end();
          await finished(socket, { readable: false });
        } catch (error) {
          throw dataError(error, ctx.signal);
        } finally {
          ctx.signal.removeEventListener('abort', onAbort);
        }
        return {
          bytes: total,
          reply: {
            type: 'done',
            id: ctx.id,
            size: total,
            sha256: whole.digest('hex'),
            files: digests,
          },
        };
      },
    );
  } finally {
    await Promise.all(files.map((file) => file.close().catch(() => {})));
  }
}
