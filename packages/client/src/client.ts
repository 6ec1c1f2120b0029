// The CFTP client engine: one control connection, promise operations with progress and
// AbortSignal (docs/protocol.md). No terminal code: the CLI and TUI sit on top of this.
import { EventEmitter, once } from 'node:events';
import { open, rename, stat, unlink, utimes } from 'node:fs/promises';
import { connect as netConnect, type Socket } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import {
  AbortError,
  CftpError,
  ConnectionError,
  checkName,
  DataChannelError,
  DEFAULT_MAX_FRAME_SIZE,
  type DecodeResult,
  type Entry,
  encodeMessage,
  entrySchema,
  errorFromCode,
  FEATURES,
  IntegrityError,
  MessageDecoder,
  MessageFrameSizeError,
  PROTOCOL_VERSION,
  ProtocolError,
  Reclaimer,
  type ServerMessage,
  TimeoutError,
  type Welcome,
} from '@cftp/protocol';
import { FileSink } from './file-sink.js';
import { type FileItem, type FilesOptions, type FilesResult, moveFiles } from './files.js';
import { ReplyQueue } from './replies.js';
import {
  localFileError,
  Meter,
  meterStream,
  observePrefix,
  openDataSocket,
  openLocalFiles,
  type ProgressListener,
  partialPathFor,
  peerFingerprint,
  receiveFiles,
  sendFile,
  sendFiles,
  serverName,
} from './transfer.js';
import { getTree, putTree, type TreeOptions, type TreeResult } from './tree.js';

/** Longest listing line the client accepts (a hostile server cannot grow it without bound). */
const MAX_LIST_LINE_BYTES = 64 * 1024;

export interface ConnectOptions {
  host: string;
  port: number;
  /** Gives up connecting + handshake after this long (default 10 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  maxFrameSize?: number;
  agent?: string;
  /**
   * Called after every 16 MiB of download data received, to free socket read buffers
   * sooner (see Reclaimer in @cftp/protocol); `cftp` passes V8's minor GC.
   */
  collectGarbage?: () => void;
  /**
   * TLS on the control and data channels (docs/protocol.md §4.1). Without it the session is
   * plaintext (what `--insecure-plaintext` asks for). The server's certificate is checked
   * by its fingerprint only, SSH-style: equal to `fingerprint` when given, else accepted
   * when `onUnknownHost` says so (it is told the fingerprint). With neither, it is refused.
   */
  tls?: ClientTlsOptions;
  /** Account to log in as (§4.2), when the server asks for one. */
  user?: string;
  password?: string;
}

export interface ClientTlsOptions {
  /** `SHA256:<base64>` of the server certificate's DER; any other certificate is refused. */
  fingerprint?: string;
  /** Asked about a server whose fingerprint is not pinned; resolve true to go on. */
  onUnknownHost?: (fingerprint: string) => boolean | Promise<boolean>;
}

export interface OperationOptions {
  signal?: AbortSignal;
}

export interface TransferOptions extends OperationOptions {
  onProgress?: ProgressListener;
}

export interface TransferResult {
  /** Bytes moved by this call (without a resumed prefix). */
  bytes: number;
  /** SHA-256 of the whole file. */
  sha256: string;
  durationMs: number;
  /** Bytes that were already in place from an interrupted transfer (0 when none). */
  resumedFrom: number;
}

/** One file of a batch: where it is on this machine and on the server. */
export interface BatchItem {
  local: string;
  remote: string;
}

/** A batch's `onProgress` counts the bytes of all its files together, as they move. */
export type BatchOptions = TransferOptions;

export interface BatchResult {
  files: number;
  bytes: number;
  durationMs: number;
}

export interface GetOptions extends TransferOptions {
  /** Continue from the partial file of an interrupted download, if there is one. */
  resume?: boolean;
}

export interface PutOptions extends TransferOptions {
  /** Make the upload resumable, and continue the server's partial file if there is one. */
  resume?: boolean;
}

export interface CftpClientEvents {
  /** The control connection closed (after quit, close, or loss). */
  close: [error: CftpError | undefined];
}

export class CftpClient extends EventEmitter<CftpClientEvents> {
  private readonly decoder: MessageDecoder;
  private readonly pending = new Map<number, ReplyQueue>();
  /** One per operation in flight: aborted when the control connection goes (§11). */
  private readonly running = new Set<AbortController>();
  private nextId = 1;
  private slotsInUse = 0;
  private readonly reclaimer: Reclaimer;
  /** Notes download bytes received (memory reclaim). */
  private readonly received = (bytes: number) => this.reclaimer.note(bytes);
  private readonly slotWaiters: Array<() => void> = [];
  private closedWith: CftpError | undefined;
  private closed = false;
  /** What the server said in `welcome`. */
  server:
    | Pick<Welcome, 'agent' | 'version' | 'features' | 'maxFrameSize' | 'maxInFlight' | 'login'>
    | undefined;

  /** Received no byte yet: a plaintext client that is answered in TLS says so (§4.1). */
  private firstBytes = true;

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly socket: Socket,
    maxFrameSize: number,
    /** The server certificate's fingerprint when the session is TLS; data channels must match. */
    readonly fingerprint?: string,
    collectGarbage?: () => void,
  ) {
    super();
    this.reclaimer = new Reclaimer(collectGarbage);
    this.decoder = new MessageDecoder({ maxFrameSize });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) =>
      this.shutdown(new ConnectionError(error.message, { cause: error })),
    );
    socket.on('close', () => this.shutdown(new ConnectionError('connection closed by the server')));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private onData(chunk: Buffer): void {
    if (this.firstBytes && this.fingerprint === undefined && chunk.byteLength > 0) {
      this.firstBytes = false;
      // A CFTP frame starts with a length far below 0x15000000; a TLS record starts with
      // 0x15 (alert) or 0x16 (handshake).
      if (chunk[0] === 0x15 || chunk[0] === 0x16) {
        this.shutdown(
          new CftpError(
            'ETLS',
            `${this.host}:${this.port} answered in TLS: the server requires TLS, drop --insecure-plaintext`,
          ),
        );
        return;
      }
    }
    let results: DecodeResult[];
    let fatal: MessageFrameSizeError | undefined;
    try {
      results = this.decoder.push(chunk);
    } catch (error) {
      if (!(error instanceof MessageFrameSizeError)) throw error;
      fatal = error;
      results = error.results;
    }
    this.handleResults(results);
    if (fatal !== undefined) this.shutdown(fatal);
  }

  private handleResults(results: DecodeResult[]): void {
    for (const result of results) {
      if ('error' in result) {
        this.shutdown(
          new ProtocolError('EPROTO', `bad reply from the server: ${result.error.message}`),
        );
        return;
      }
      const message = result.message as ServerMessage;
      if (message.id === null) {
        // Not tied to a request: the server is telling the session something fatal.
        if (message.type === 'error') this.shutdown(errorFromCode(message.code, message.message));
        continue;
      }
      // Replies to requests we gave up on (aborted) are dropped.
      this.pending.get(message.id)?.push(message);
    }
  }

  private shutdown(error: CftpError | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.closedWith = error;
    const reason = error ?? new ConnectionError('client closed');
    for (const queue of this.pending.values()) queue.fail(reason);
    this.pending.clear();
    // A data channel may outlive its control connection: stop waiting on it.
    for (const controller of this.running) controller.abort(reason);
    this.socket.destroy();
    this.emit('close', error);
  }

  /** Sends a request and returns the queue its replies arrive on. */
  private request(build: (id: number) => Parameters<typeof encodeMessage>[0]): {
    id: number;
    replies: ReplyQueue;
  } {
    if (this.closed) throw this.closedWith ?? new ConnectionError('client is closed');
    const id = this.nextId++;
    const replies = new ReplyQueue();
    this.pending.set(id, replies);
    this.socket.write(encodeMessage(build(id)));
    return { id, replies };
  }

  private finish(id: number): void {
    this.pending.delete(id);
  }

  /**
   * Runs one operation with abort support: on abort the server is told (§6.4), the local
   * resources are released by `body`'s own cleanup, and the promise rejects with ECANCELED.
   */
  private async operation<T>(
    signal: AbortSignal | undefined,
    start: (id: number) => Parameters<typeof encodeMessage>[0],
    body: (id: number, replies: ReplyQueue, aborted: AbortSignal) => Promise<T>,
  ): Promise<T> {
    if (signal?.aborted) throw new AbortError(); // ECANCELED, like an abort mid-operation
    await this.acquireSlot(signal);
    let id: number;
    let replies: ReplyQueue;
    try {
      ({ id, replies } = this.request(start));
    } catch (error) {
      this.releaseSlot();
      throw error;
    }
    const local = new AbortController();
    this.running.add(local);
    const onAbort = () => {
      const reason = new AbortError();
      local.abort(reason);
      replies.fail(reason);
      this.sendAbort(id);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort(); // aborted while waiting for a slot
    try {
      return await body(id, replies, local.signal);
    } catch (error) {
      if (local.signal.aborted) throw local.signal.reason;
      throw error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.running.delete(local);
      this.finish(id);
      this.releaseSlot();
    }
  }

  /**
   * Waits until fewer than the server's `maxInFlight` operations are running (§3, §12), so
   * callers may start any number at once without ever being refused with EBUSY.
   */
  private acquireSlot(signal: AbortSignal | undefined): Promise<void> {
    const limit = this.server?.maxInFlight ?? 1;
    if (this.slotsInUse < Math.max(1, limit)) {
      this.slotsInUse++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = () => {
        signal?.removeEventListener('abort', onAbort);
        this.slotsInUse++;
        resolve();
      };
      const onAbort = () => {
        this.slotWaiters.splice(this.slotWaiters.indexOf(waiter), 1);
        reject(new AbortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.slotWaiters.push(waiter);
    });
  }

  private releaseSlot(): void {
    this.slotsInUse--;
    this.slotWaiters.shift()?.();
  }

  /** Tells the server to drop request `id` (§6.4); its late replies are ignored. */
  private sendAbort(id: number): void {
    if (!this.closed) this.socket.write(encodeMessage({ type: 'abort', id }));
  }

  /** Lists a remote folder (§6.1). Every name is checked before it is returned. */
  list(path = '', options: OperationOptions = {}): Promise<Entry[]> {
    return this.operation(
      options.signal,
      (id) => ({ type: 'list', id, path }),
      async (_id, replies, aborted) => {
        const ready = await replies.expect('ready');
        const socket = await openDataSocket(this.host, ready.port, ready.token, this.fingerprint);
        const meter = new Meter(undefined, undefined);
        const entries: Entry[] = [];
        let partial = '';
        const final = replies.expect('done');
        const data = watchFinalReply(final, aborted);
        try {
          await pipeline(
            socket,
            meterStream(meter),
            async (source: AsyncIterable<Buffer>) => {
              const decoder = new TextDecoder('utf-8', { fatal: true });
              for await (const chunk of source) {
                partial += decoder.decode(chunk, { stream: true });
                let newline = partial.indexOf('\n');
                while (newline >= 0) {
                  entries.push(parseEntry(partial.slice(0, newline)));
                  partial = partial.slice(newline + 1);
                  newline = partial.indexOf('\n');
                }
                if (partial.length > MAX_LIST_LINE_BYTES) {
                  throw new ProtocolError('EPROTO', 'listing line too long');
                }
              }
              partial += decoder.decode();
            },
            { signal: data.signal },
          );
        } catch (error) {
          throw await data.failure(dataFailure(error));
        } finally {
          socket.destroy();
        }
        if (partial !== '')
          throw new ProtocolError('EPROTO', 'listing ended in the middle of a line');
        const done = await final;
        verify(done, meter.bytes, meter.digest(), 'listing');
        if (done.count !== undefined && done.count !== entries.length) {
          throw new IntegrityError(
            `listing has ${entries.length} entries, server sent ${done.count}`,
          );
        }
        return entries;
      },
    );
  }

  /**
   * Downloads `remote` to the local path `local` (§6.2). The bytes go to a partial file
   * beside it, which is fsynced and renamed into place only after size and digest match.
   * An interrupted download keeps its partial file; `resume: true` continues from it.
   */
  async get(remote: string, local: string, options: GetOptions = {}): Promise<TransferResult> {
    const started = performance.now();
    const partial = partialPathFor(local, remote);
    const meter = new Meter(undefined, options.onProgress);
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
    return this.operation(
      options.signal,
      (id) => ({ type: 'get', id, path: remote, ...prefix }),
      async (_id, replies, aborted) => {
        const ready = await replies.expect('ready');
        const offset = ready.offset ?? 0;
        // The server starts over when our prefix is not its prefix.
        const counted = offset === have ? meter : new Meter(undefined, options.onProgress);
        counted.total = ready.size;
        let socket: Socket | undefined;
        let file: FileSink | undefined;
        let corrupt = false;
        let succeeded = false;
        try {
          // Opened before anything else can fail, so a local error is reported as one. The
          // sink fsyncs as it goes and at the end; pipeline resolves after that.
          const handle = await open(partial, offset > 0 ? 'a' : 'w').catch(
            (error: NodeJS.ErrnoException) => {
              throw localFileError(error, `cannot write "${local}"`);
            },
          );
          file = new FileSink(handle);
          socket = await openDataSocket(this.host, ready.port, ready.token, this.fingerprint);
          const final = replies.expect('done');
          const data = watchFinalReply(final, aborted);
          try {
            await pipeline(socket, meterStream(counted, this.received), file, {
              signal: data.signal,
            });
          } catch (error) {
            throw await data.failure(dataFailure(error));
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
          await rename(partial, local);
          succeeded = true;
          return {
            bytes: counted.bytes - offset,
            sha256,
            durationMs: performance.now() - started,
            resumedFrom: offset,
          };
        } finally {
          socket?.destroy();
          if (file !== undefined && !file.closed) {
            // The pipeline never ran (e.g. the data port refused): release the descriptor.
            file.destroy();
            await once(file, 'close').catch(() => {});
          }
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

  /**
   * Uploads the local file `local` to `remote` (§6.3); the server commits it atomically
   * with the local mtime. `resume: true` makes an interrupted upload resumable, and
   * continues one: it costs one extra read of the file, for its digest.
   */
  async put(local: string, remote: string, options: PutOptions = {}): Promise<TransferResult> {
    const started = performance.now();
    const file = await open(local, 'r').catch((error: NodeJS.ErrnoException) => {
      throw localFileError(error, `cannot read local file "${local}"`);
    });
    try {
      const info = await file.stat();
      if (!info.isFile()) throw new CftpError('EISDIR', `local "${local}" is not a regular file`);
      const mtime = Math.max(0, Math.trunc(info.mtimeMs));
      let whole: string | undefined;
      if (options.resume === true) {
        const scan = new Meter(info.size, undefined);
        await observePrefix(file, info.size, scan, options.signal);
        whole = scan.digest();
      }
      const attempt = (resume: boolean) =>
        this.operation(
          options.signal,
          (id) => ({
            type: 'put',
            id,
            path: remote,
            size: info.size,
            mtime,
            ...(resume && whole !== undefined ? { resume: true, sha256: whole } : {}),
          }),
          async (id, replies, aborted): Promise<TransferResult | 'restart'> => {
            const ready = await replies.expect('ready');
            const offset = ready.offset ?? 0;
            const meter = new Meter(info.size, options.onProgress);
            if (offset > 0) {
              if (offset <= info.size) await observePrefix(file, offset, meter, aborted);
              if (offset > info.size || meter.digestSoFar() !== ready.prefixSha256) {
                // The server's partial is not a prefix of this file: drop it, send it all.
                this.sendAbort(id);
                return 'restart';
              }
            }
            const socket = await openDataSocket(
              this.host,
              ready.port,
              ready.token,
              this.fingerprint,
            );
            const final = replies.expect('ok');
            const data = watchFinalReply(final, aborted);
            try {
              await sendFile(file, info.size, socket, meter, data.signal, offset);
            } catch (error) {
              socket.destroy();
              throw await data.failure(dataFailure(error));
            }
            const sha256 = meter.digest();
            this.socket.write(encodeMessage({ type: 'done', id, size: meter.bytes, sha256 }));
            const ok = await final;
            if (ok.sha256 !== undefined && ok.sha256 !== sha256) {
              throw new IntegrityError(
                `upload of "${local}": the server committed different bytes`,
              );
            }
            return {
              bytes: meter.bytes - offset,
              sha256,
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

  /**
   * Downloads a remote folder tree into `local`, several files at a time (small ones in
   * batches), keeping file and folder mtimes. Symlinks and special files are skipped (listed in
   * the result). See FilesOptions for progress, resume and `skipExisting`.
   */
  getTree(remote: string, local: string, options: TreeOptions = {}): Promise<TreeResult> {
    return getTree(this, remote, local, options);
  }

  /**
   * Uploads a local folder tree into `remote` (merging into folders already there), several
   * files at a time (small ones in batches), keeping file mtimes; remote names are NFC.
   */
  putTree(local: string, remote: string, options: TreeOptions = {}): Promise<TreeResult> {
    return putTree(this, local, remote, options);
  }

  /** Downloads many files as getTree does, each to its own local path (its folder must exist). */
  getFiles(items: readonly FileItem[], options: FilesOptions = {}): Promise<FilesResult> {
    return moveFiles(this, 'get', items, options);
  }

  /** Uploads many files as putTree does, each to its own remote path (its folder must exist). */
  putFiles(items: readonly FileItem[], options: FilesOptions = {}): Promise<FilesResult> {
    return moveFiles(this, 'put', items, options);
  }

  /**
   * Uploads several local files over one data channel (§6.7): one round trip for all, each
   * file verified on its own; the server commits them only if every one arrived intact.
   */
  async putMany(items: readonly BatchItem[], options: BatchOptions = {}): Promise<BatchResult> {
    const started = performance.now();
    const files = await openLocalFiles(items.map((item) => item.local));
    try {
      const total = files.reduce((sum, f) => sum + f.size, 0);
      return await this.operation(
        options.signal,
        (id) => ({
          type: 'putmany',
          id,
          files: items.map((item, i) => ({
            path: item.remote,
            size: files[i]!.size,
            mtime: files[i]!.mtime,
          })),
        }),
        async (id, replies, aborted) => {
          const ready = await replies.expect('ready');
          const socket = await openDataSocket(this.host, ready.port, ready.token, this.fingerprint);
          const meter = new Meter(total, options.onProgress);
          let digests: string[];
          const final = replies.expect('ok');
          const data = watchFinalReply(final, aborted);
          try {
            digests = await sendFiles(files, socket, meter, data.signal);
          } catch (error) {
            socket.destroy();
            throw await data.failure(dataFailure(error));
          }
          const sha256 = meter.digest();
          this.socket.write(
            encodeMessage({ type: 'done', id, size: meter.bytes, sha256, files: digests }),
          );
          await final;
          return { files: files.length, bytes: total, durationMs: performance.now() - started };
        },
      );
    } finally {
      await Promise.all(files.map((f) => f.handle.close().catch(() => {})));
    }
  }

  /**
   * Downloads several remote files over one data channel (§6.7). Each is written to its
   * partial file, verified on its own, given its remote mtime and renamed into place.
   */
  getMany(items: readonly BatchItem[], options: BatchOptions = {}): Promise<BatchResult> {
    const started = performance.now();
    return this.operation(
      options.signal,
      (id) => ({ type: 'getmany', id, paths: items.map((item) => item.remote) }),
      async (_id, replies, aborted) => {
        const ready = await replies.expect('ready');
        const announced = ready.files;
        if (announced === undefined || announced.length !== items.length) {
          throw new ProtocolError('EPROTO', 'getmany reply does not describe every file');
        }
        const targets = items.map((item, i) => ({
          partial: partialPathFor(item.local, item.remote),
          local: item.local,
          size: announced[i]!.size,
          mtime: announced[i]!.mtime,
        }));
        const total = targets.reduce((sum, t) => sum + t.size, 0);
        const meter = new Meter(total, options.onProgress);
        const socket = await openDataSocket(this.host, ready.port, ready.token, this.fingerprint);
        let committed = false;
        try {
          let received: { bytes: number; sha256: string; files: string[] };
          const final = replies.expect('done');
          const data = watchFinalReply(final, aborted);
          try {
            received = await receiveFiles(socket, targets, meter, data.signal, this.received);
          } catch (error) {
            throw await data.failure(dataFailure(error));
          }
          const done = await final;
          verify(done, received.bytes, received.sha256, 'batch download');
          received.files.forEach((digest, i) => {
            if (done.files?.[i] !== digest) {
              throw new IntegrityError(`download of "${items[i]!.remote}": SHA-256 mismatch`);
            }
          });
          await Promise.all(
            targets.map(async (t) => {
              await utimes(t.partial, new Date(), new Date(t.mtime));
              await rename(t.partial, t.local);
            }),
          );
          committed = true;
          return {
            files: items.length,
            bytes: received.bytes,
            durationMs: performance.now() - started,
          };
        } finally {
          socket.destroy();
          if (!committed) await Promise.all(targets.map((t) => unlink(t.partial).catch(() => {})));
        }
      },
    );
  }

  /** Describes one remote entry, not following a final symlink (§6.6). */
  async stat(path: string, options: OperationOptions = {}): Promise<Entry> {
    const ok = await this.simple(options, (id) => ({ type: 'stat', id, path }));
    if (ok.entry === undefined) throw new ProtocolError('EPROTO', 'stat reply has no entry');
    return ok.entry;
  }

  /** Creates one remote folder; its parent must exist (§6.6). */
  async mkdir(path: string, options: OperationOptions = {}): Promise<void> {
    await this.simple(options, (id) => ({ type: 'mkdir', id, path }));
  }

  /** Removes an empty remote folder (§6.6). */
  async rmdir(path: string, options: OperationOptions = {}): Promise<void> {
    await this.simple(options, (id) => ({ type: 'rmdir', id, path }));
  }

  /** Removes a remote file or symlink (§6.6). */
  async delete(path: string, options: OperationOptions = {}): Promise<void> {
    await this.simple(options, (id) => ({ type: 'delete', id, path }));
  }

  /** Renames or moves a remote entry; never replaces an existing `to` (§6.6). */
  async rename(from: string, to: string, options: OperationOptions = {}): Promise<void> {
    await this.simple(options, (id) => ({ type: 'rename', id, from, to }));
  }

  private simple(
    options: OperationOptions,
    start: (id: number) => Parameters<typeof encodeMessage>[0],
  ): Promise<Extract<ServerMessage, { type: 'ok' }>> {
    return this.operation(options.signal, start, (_id, replies) => replies.expect('ok'));
  }

  /** Says hello and waits for welcome (§4); `connect` calls this once. */
  async handshake(agent: string): Promise<void> {
    const { id, replies } = this.request((id) => ({
      type: 'hello',
      id,
      version: PROTOCOL_VERSION,
      features: [...FEATURES],
      agent,
    }));
    try {
      this.server = await replies.expect('welcome');
    } finally {
      this.finish(id);
    }
  }

  /** Logs in (§4.2); EAUTH for a wrong user name or password. `connect` calls this. */
  async login(user: string, password: string): Promise<void> {
    const { id, replies } = this.request((id) => ({ type: 'login', id, user, password }));
    try {
      await replies.expect('ok');
    } finally {
      this.finish(id);
    }
  }

  /** Ends the session politely (§6.5): waits for the server's `ok`, then closes. */
  async quit(): Promise<void> {
    if (this.closed) return;
    try {
      const { id, replies } = this.request((id) => ({ type: 'quit', id }));
      await replies.expect('ok').finally(() => this.finish(id));
    } catch {
      // The connection went away first: that is a quit too.
    }
    this.shutdown(undefined);
  }

  /** Closes the connection at once; operations in flight fail with ECONNECTION. */
  close(): void {
    this.shutdown(new ConnectionError('client closed'));
  }
}

function parseEntry(line: string): Entry {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new ProtocolError('EPROTO', 'listing line is not JSON');
  }
  const parsed = entrySchema.parse(value);
  if (!parsed.ok) throw new ProtocolError('EPROTO', `bad listing entry (${parsed.error})`);
  checkName(parsed.value.name); // a hostile server's "../x" never reaches the local disk
  return parsed.value;
}

/** A local file-system error as a CftpError with the matching code. */

/**
 * Watches a request's final reply while its data moves (§3, §6): if the server ends the
 * request with an `error` mid-transfer (a stall timeout, a full disk, shutdown), the data
 * channel is stopped at once and the server's error is what the caller sees — not a hang
 * waiting for bytes that will never come, nor a bare EDATA.
 */
function watchFinalReply(
  final: Promise<unknown>,
  aborted: AbortSignal,
): { signal: AbortSignal; failure(local: unknown): Promise<unknown> } {
  const stop = new AbortController();
  final.catch(() => stop.abort());
  return {
    signal: AbortSignal.any([aborted, stop.signal]),
    async failure(local) {
      if (stop.signal.aborted && !aborted.aborted) {
        try {
          await final;
        } catch (serverError) {
          return serverError;
        }
      }
      return local;
    },
  };
}

function verify(
  done: { size: number; sha256: string },
  bytes: number,
  sha256: string,
  what: string,
): void {
  if (done.size !== bytes) {
    throw new IntegrityError(`${what}: server sent ${done.size} bytes, received ${bytes}`);
  }
  if (done.sha256 !== sha256) {
    throw new IntegrityError(`${what}: SHA-256 mismatch, the received bytes are corrupt`);
  }
}

function dataFailure(error: unknown): unknown {
  if (error instanceof CftpError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ABORT_ERR') return error;
  return new DataChannelError('EDATA', `data connection failed: ${code ?? String(error)}`);
}

/** Opens a control connection and performs the handshake (§4), TLS and login included. */
export function connect(options: ConnectOptions): Promise<CftpClient> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
  const where = `${options.host}:${options.port}`;
  const tls = options.tls;
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new AbortError('connect aborted')); // ECANCELED, like an abort while connecting
      return;
    }
    const socket: Socket =
      tls === undefined
        ? netConnect({ host: options.host, port: options.port })
        : tlsConnect({
            host: options.host,
            port: options.port,
            // Trust comes from the pinned fingerprint (SSH's model), not from a CA.
            rejectUnauthorized: false,
            ...serverName(options.host),
          });
    let client: CftpClient | undefined;
    let tcpConnected = false;
    const fail = (error: CftpError) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      client?.close();
      reject(error);
    };
    const onAbort = () => fail(new AbortError('connect aborted'));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(
      () => fail(new TimeoutError(`no handshake with ${where} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onConnectError = (error: Error) =>
      fail(
        tcpConnected && tls !== undefined
          ? new CftpError(
              'ETLS',
              `TLS handshake with ${where} failed (${(error as NodeJS.ErrnoException).code ?? error.message}): is the server running with --insecure-plaintext?`,
            )
          : new ConnectionError(`cannot connect to ${where}: ${error.message}`),
      );
    socket.once('error', onConnectError);
    socket.once('connect', () => {
      tcpConnected = true;
    });
    const start = (fingerprint: string | undefined) => {
      socket.off('error', onConnectError);
      const connected = new CftpClient(
        options.host,
        options.port,
        socket,
        maxFrameSize,
        fingerprint,
        options.collectGarbage,
      );
      client = connected;
      (async () => {
        await connected.handshake(options.agent ?? 'cftp-client/0.1.0');
        if (options.user !== undefined) {
          await connected.login(options.user, options.password ?? '');
        } else if (connected.server?.login === true) {
          throw new CftpError('EAUTH', `${where} requires a user name (user@host)`);
        }
      })().then(
        () => {
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          resolve(connected);
        },
        (error: unknown) =>
          fail(error instanceof CftpError ? error : new ConnectionError(String(error))),
      );
    };
    if (tls === undefined) {
      socket.once('connect', () => start(undefined));
      return;
    }
    socket.once('secureConnect', () => {
      const fingerprint = peerFingerprint(socket as TLSSocket);
      if (fingerprint === undefined) {
        fail(new CftpError('ETLS', `${where} presented no certificate`));
        return;
      }
      checkHost(tls, fingerprint, where).then(
        () => start(fingerprint),
        (error: unknown) =>
          fail(error instanceof CftpError ? error : new CftpError('ETLS', String(error))),
      );
    });
  });
}

/** SSH's rule: a pinned fingerprint must match; an unknown one needs the caller's yes. */
async function checkHost(tls: ClientTlsOptions, fingerprint: string, where: string): Promise<void> {
  if (tls.fingerprint !== undefined) {
    if (tls.fingerprint === fingerprint) return;
    throw new CftpError(
      'ETLS',
      `WARNING: the certificate of ${where} has CHANGED (now ${fingerprint}, pinned ${tls.fingerprint}). ` +
        'Someone may be intercepting the connection, or the server got a new key. Refusing to connect.',
    );
  }
  if (tls.onUnknownHost !== undefined && (await tls.onUnknownHost(fingerprint))) return;
  throw new CftpError('ETLS', `the server ${where} (${fingerprint}) is not trusted`);
}
