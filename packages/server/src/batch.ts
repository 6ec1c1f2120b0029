// Many small files over one data channel (docs/protocol.md §6.7): one request, one listener,
// one connection and one round trip for up to BATCH_MAX_FILES files, each still verified
// on its own and committed atomically.
import { type GetMany, IntegrityError, type PutMany } from '@cftp/protocol';
import { createDigest, sendFiles, splitInto } from '@cftp/transfer';
import {
  dataError,
  modeOptions,
  type OperationContext,
  type OperationResult,
  withDataChannel,
} from './operations.js';
import type { ReadableFile, Upload } from './storage.js';

export interface BatchUpload {
  segments: string[];
  size: number;
  mtime: number | undefined;
  /** The source's permission bits (§6.8). */
  mode: number | undefined;
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
  // One group: the batch's uploads share their folders' opens (shared-folders.ts).
  const group = {};
  const uploads: Upload[] = await openAll(
    files.length,
    (i) =>
      ctx.storage.createUpload(files[i]!.segments, {
        group,
        size: files[i]!.size,
        ...(files[i]!.mtime === undefined ? {} : { mtime: files[i]!.mtime }),
        ...modeOptions(ctx, files[i]!.mode, request.exactMode),
      }),
    (upload) => upload.abort(),
  );
  try {
    const total = files.reduce((sum, f) => sum + f.size, 0);
    const whole = createDigest(ctx.digest);
    const each = files.map(() => createDigest(ctx.digest));
    const received = await withDataChannel(
      ctx,
      (channel) =>
        ctx.send({ type: 'ready', id: ctx.id, port: channel.port, token: channel.token }),
      async (socket) => {
        try {
          const targets = uploads.map((upload, i) => ({
            size: files[i]!.size,
            stream: upload.stream,
          }));
          return await splitInto(socket, targets, (i, part) => {
            whole.update(part);
            each[i]!.update(part);
            ctx.received(part.byteLength);
          });
        } catch (error) {
          throw dataError(error, ctx.signal);
        }
      },
    );
    const stated = await ctx.clientDone();
    const digests = each.map((hash) => hash.hex());
    const sha256 = whole.hex();
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
          files: files.map((file) => ({
            size: file.size,
            mtime: file.mtime,
            ...(file.mode === undefined ? {} : { mode: file.mode }),
          })),
        }),
      async (socket) => {
        const whole = createDigest(ctx.digest);
        const each = files.map(() => createDigest(ctx.digest));
        let total: number;
        try {
          total = await sendFiles(files, socket, {
            observe: (i, chunk) => {
              each[i]!.update(chunk);
              whole.update(chunk);
              ctx.sent(chunk.byteLength);
            },
            shrank: (i) =>
              new IntegrityError(`"${request.paths[i]}" shrank while it was being sent`),
            signal: ctx.signal,
          });
        } catch (error) {
          throw dataError(error, ctx.signal);
        }
        return {
          bytes: total,
          reply: {
            type: 'done',
            id: ctx.id,
            size: total,
            sha256: whole.hex(),
            files: each.map((hash) => hash.hex()),
          },
        };
      },
    );
  } finally {
    await Promise.all(files.map((file) => file.close().catch(() => {})));
  }
}
