// The connection core (docs/protocol.md §3, §4): one control socket, its framing, request
// ids, routing each reply to the request waiting for it, the server's `maxInFlight` slots,
// abort, the handshake and the end of the session. The operation modules reach it through
// the `Session` interface (types.ts); replies are waited for in one place (ReplyQueue.expect)
// and data channels opened in one place (openDataSocket).
import { isIP, type Socket } from 'node:net';
import {
  AbortError,
  CftpError,
  type ClientMessage,
  ConnectionError,
  clientDisposition,
  type DecodeResult,
  type DigestAlgorithm,
  encodeMessage,
  errorFromCode,
  featuresFor,
  MessageDecoder,
  negotiateDigest,
  networkWords,
  PROTOCOL_VERSION,
  ProtocolError,
  Reclaimer,
  type ServerMessage,
  SINGLE_PORT_FEATURE,
} from '@cftp/protocol';
import { dataTarget, openDataSocket } from './data-channel.js';
import { describeRequest, HelloWatch } from './hello.js';
import { ReplyQueue } from './replies.js';
import type { ClientLimits, Exchange, ServerInfo, Session } from './types.js';

/** After a quit, how long the server may take to close its side before the socket is destroyed. */
const QUIT_LINGER_MS = 2000;

export interface ConnectionOptions {
  host: string;
  port: number;
  /** The connected control socket (TLS already negotiated when `fingerprint` is set). */
  socket: Socket;
  maxFrameSize: number;
  /** The server certificate's fingerprint when the session is TLS; data channels must match. */
  fingerprint?: string | undefined;
  /** See ConnectOptions.collectGarbage. */
  collectGarbage?: (() => void) | undefined;
  /** The client's own waits and limits (§5.4). */
  limits: ClientLimits;
  /** See ConnectOptions.digest. */
  digest?: DigestAlgorithm | undefined;
  /** Told once when the connection closes: undefined after a polite quit. */
  onClose: (error: CftpError | undefined) => void;
}

export class Connection implements Session {
  readonly host: string;
  readonly port: number;
  readonly fingerprint: string | undefined;
  /** What the server said in `welcome`. */
  server: ServerInfo | undefined;
  readonly limits: ClientLimits;
  /** What this client lists in `hello` (§4, §7.1). */
  private readonly features: string[];

  private readonly socket: Socket;
  /** The control connection's peer address: data channels connect to it (§5.1). */
  private readonly address: string;
  /** Until a valid `welcome`: every frame is judged by §4.3, not §3.3. */
  private hello: HelloWatch | undefined;
  private readonly decoder: MessageDecoder;
  private readonly onClose: (error: CftpError | undefined) => void;
  private readonly pending = new Map<number, ReplyQueue>();
  /** One per operation in flight: aborted when the control connection goes (§11). */
  private readonly running = new Set<AbortController>();
  /** The same controllers by request id: a request failed by the server's frame stops at once. */
  private readonly controllers = new Map<number, AbortController>();
  /** Requests the server was told to drop (§6.4), so it is told once. */
  private readonly abandoned = new Set<number>();
  private nextId = 1;
  private slotsInUse = 0;
  private readonly slotWaiters: Array<() => void> = [];
  private readonly reclaimer: Reclaimer;
  private closedWith: CftpError | undefined;
  private closed = false;
  /** Received no byte yet: a plaintext client that is answered in TLS says so (§4.1). */
  private firstBytes = true;

  constructor(options: ConnectionOptions) {
    this.host = options.host;
    this.port = options.port;
    this.fingerprint = options.fingerprint;
    this.socket = options.socket;
    this.limits = options.limits;
    // Read now: a closed socket forgets it. Falls back to the name only if the OS gave none.
    this.address = options.socket.remoteAddress ?? options.host;
    this.onClose = options.onClose;
    this.reclaimer = new Reclaimer(options.collectGarbage);
    this.features = [...featuresFor(options.digest ?? 'blake3'), SINGLE_PORT_FEATURE];
    this.decoder = new MessageDecoder({ maxFrameSize: options.maxFrameSize });
    const socket = options.socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) =>
      this.shutdown(
        new ConnectionError(`connection to the server lost: ${networkWords(error)}`, {
          cause: error,
        }),
      ),
    );
    socket.on('close', () =>
      this.shutdown(
        this.hello?.notCftp('it closed the connection') ??
          new ConnectionError('connection to the server lost: it closed the connection'),
      ),
    );
  }

  /** `HOST:PORT` as messages name the server. */
  get where(): string {
    return `${isIP(this.host) === 6 ? `[${this.host}]` : this.host}:${this.port}`;
  }

  /** The session's digest (§7.1): the rule applied to our `hello` and the `welcome`. */
  get digest(): DigestAlgorithm {
    return negotiateDigest(this.features, this.server?.features ?? []);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Notes download bytes received (memory reclaim). */
  readonly received = (bytes: number): void => this.reclaimer.note(bytes);

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
    this.hello?.saw(chunk);
    this.handleResults(this.decoder.push(chunk));
  }

  private handleResults(results: DecodeResult[]): void {
    for (const result of results) {
      if (this.closed) return;
      if (this.hello !== undefined) {
        // §4.3: the first frame must be a valid `welcome` (or an `error`), else this peer is
        // not a CFTP server; nothing else is delivered before it.
        const verdict = this.hello.judge(result);
        if (verdict.kind === 'fail') {
          this.shutdown(verdict.error);
          return;
        }
        this.hello = undefined;
        this.pending.get(verdict.welcome.id)?.push(verdict.welcome);
        continue;
      }
      if (!result.ok && result.fatal) {
        // A framing error (§2): the stream cannot be resynchronised.
        this.shutdown(result.error);
        return;
      }
      const frame = result.ok
        ? { message: result.message }
        : { error: { code: result.error.code, message: result.error.message }, id: result.id };
      // Forward compatibility (§3.3): what a frame does is decided in @cftp/protocol.
      const disposition = clientDisposition(frame, (id) => this.pending.has(id));
      switch (disposition.action) {
        case 'deliver':
          this.pending.get(disposition.message.id)?.push(disposition.message);
          break;
        case 'ignore':
          break;
        case 'failRequest':
          this.failRequest(
            disposition.id,
            new ProtocolError('EPROTO', `bad reply from the server: ${disposition.reason}`),
          );
          break;
        case 'endSession':
          this.shutdown(
            result.ok
              ? errorFromCode(disposition.code, disposition.reason)
              : new ProtocolError('EPROTO', `bad reply from the server: ${disposition.reason}`),
          );
          return;
      }
    }
  }

  /** One request ends with `error` and is dropped (§3.3): the server is told, late replies ignored. */
  private failRequest(id: number, error: CftpError): void {
    const queue = this.pending.get(id);
    if (queue === undefined) return;
    this.pending.delete(id);
    queue.fail(error);
    this.controllers.get(id)?.abort(error);
    this.sendAbort(id);
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
    if (error === undefined && !this.socket.destroyed) {
      // A polite quit ends politely too: our FIN, then the server's, read to its end. A
      // destroy here would reset a connection whose close_notify is still on its way, and the
      // server would see a reset instead of a finished session.
      const socket = this.socket;
      socket.once('end', () => socket.destroy());
      socket.end();
      setTimeout(() => socket.destroy(), QUIT_LINGER_MS).unref();
    } else {
      this.socket.destroy();
    }
    this.onClose(error);
  }

  /** Writes one message on the control channel. */
  private send(message: ClientMessage): void {
    this.socket.write(encodeMessage(message));
  }

  /**
   * Sends a request and returns the queue its replies arrive on. Each wait on it is bounded
   * by the client's timeout (§5.4), except with `untimed` (hello: its own timeout, §4.3).
   */
  private request(
    build: (id: number) => ClientMessage,
    untimed = false,
  ): { id: number; replies: ReplyQueue } {
    if (this.closed) throw this.closedWith ?? new ConnectionError('client is closed');
    const id = this.nextId++;
    const message = build(id);
    const replies = new ReplyQueue({
      timeoutMs: untimed ? 0 : this.limits.timeoutMs,
      what: describeRequest(message),
      onTimeout: (error) => {
        // The request is over for us: tell the server, stop its data, ignore its late replies.
        this.pending.delete(id);
        this.controllers.get(id)?.abort(error);
        this.sendAbort(id);
      },
    });
    this.pending.set(id, replies);
    this.send(message);
    return { id, replies };
  }

  /** Sends a request with no data channel and waits for its one reply, of type `type`. */
  private async ask<T extends ServerMessage['type']>(
    type: T,
    build: (id: number) => ClientMessage,
    untimed = false,
  ): Promise<Extract<ServerMessage, { type: T }>> {
    const { id, replies } = this.request(build, untimed);
    try {
      return await replies.expect(type);
    } finally {
      this.pending.delete(id);
      this.abandoned.delete(id);
    }
  }

  async operation<T>(
    signal: AbortSignal | undefined,
    start: (id: number) => ClientMessage,
    body: (exchange: Exchange) => Promise<T>,
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
    this.controllers.set(id, local);
    const onAbort = () => {
      const reason = new AbortError();
      local.abort(reason);
      replies.fail(reason);
      this.sendAbort(id);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort(); // aborted while waiting for a slot
    const exchange: Exchange = {
      id,
      aborted: local.signal,
      expect: (type) => replies.expect(type),
      send: (message) => this.send(message),
      abandon: () => this.sendAbort(id),
      openData: async (ready, onread) => {
        const socket = await openDataSocket({
          onread,
          ...dataTarget(this.socket, this.address, ready, this.server?.features),
          host: this.host,
          token: ready.token,
          fingerprint: this.fingerprint,
          timeoutMs: this.limits.timeoutMs,
        });
        // While data moves, the data channel's own timer bounds the wait; the final reply
        // is due within the timeout from the end of the data (§5.4).
        const release = replies.holdClock();
        socket.once('finish', release);
        socket.once('close', release);
        return socket;
      },
    };
    try {
      return await body(exchange);
    } catch (error) {
      // A request that failed on our side before its final reply: the server drops it (§6.4).
      if (!replies.finished) this.sendAbort(id);
      if (local.signal.aborted) throw local.signal.reason;
      throw error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.running.delete(local);
      this.controllers.delete(id);
      this.abandoned.delete(id);
      this.pending.delete(id);
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

  /** Tells the server to drop request `id` (§6.4), once; its late replies are ignored. */
  private sendAbort(id: number): void {
    if (this.closed || this.abandoned.has(id)) return;
    this.abandoned.add(id);
    this.send({ type: 'abort', id });
  }

  /**
   * Says hello and waits for a valid welcome (§4, §4.3). Unbounded here: the caller's hello
   * timeout (connect) bounds TLS and the welcome together, and calls `notCftp` on expiry.
   */
  async handshake(agent: string): Promise<void> {
    this.hello = new HelloWatch(this.where, this.nextId);
    this.server = await this.ask(
      'welcome',
      (id) => ({
        type: 'hello',
        id,
        version: PROTOCOL_VERSION,
        features: this.features, // §5.5, §7.1: used only when welcome lists them too
        agent,
      }),
      true,
    );
  }

  /** Ends a handshake that saw no welcome in time: "HOST:PORT is not a CFTP server" (§4.3). */
  helloExpired(what: string): void {
    this.shutdown(this.hello?.notCftp(what) ?? new ProtocolError('EPROTO', what));
  }

  /** Logs in (§4.2); EAUTH for a wrong user name or password. */
  async login(user: string, password: string): Promise<void> {
    await this.ask('ok', (id) => ({ type: 'login', id, user, password }));
  }

  /** Ends the session politely (§6.5): waits for the server's `ok`, then closes. */
  async quit(): Promise<void> {
    if (this.closed) return;
    try {
      await this.ask('ok', (id) => ({ type: 'quit', id }));
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
