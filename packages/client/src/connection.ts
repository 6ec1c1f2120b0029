// The connection core (docs/protocol.md §3, §4): one control socket, its framing, request
// ids, routing each reply to the request waiting for it, the server's `maxInFlight` slots,
// abort, the handshake and the end of the session. The operation modules reach it through
// the `Session` interface (types.ts); replies are waited for in one place (ReplyQueue.expect)
// and data channels opened in one place (openDataSocket).
import type { Socket } from 'node:net';
import {
  AbortError,
  CftpError,
  type ClientMessage,
  ConnectionError,
  type DecodeResult,
  type DigestAlgorithm,
  encodeMessage,
  errorFromCode,
  featuresFor,
  MessageDecoder,
  negotiateDigest,
  PROTOCOL_VERSION,
  ProtocolError,
  Reclaimer,
  type ServerMessage,
} from '@cftp/protocol';
import { openDataSocket } from './data-channel.js';
import { ReplyQueue } from './replies.js';
import type { Exchange, ServerInfo, Session } from './types.js';

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
  /** What this client lists in `hello` (§4, §7.1). */
  private readonly features: string[];

  private readonly socket: Socket;
  private readonly decoder: MessageDecoder;
  private readonly onClose: (error: CftpError | undefined) => void;
  private readonly pending = new Map<number, ReplyQueue>();
  /** One per operation in flight: aborted when the control connection goes (§11). */
  private readonly running = new Set<AbortController>();
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
    this.onClose = options.onClose;
    this.reclaimer = new Reclaimer(options.collectGarbage);
    this.features = featuresFor(options.digest ?? 'blake3');
    this.decoder = new MessageDecoder({ maxFrameSize: options.maxFrameSize });
    const socket = options.socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) =>
      this.shutdown(new ConnectionError(error.message, { cause: error })),
    );
    socket.on('close', () => this.shutdown(new ConnectionError('connection closed by the server')));
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
    this.handleResults(this.decoder.push(chunk));
  }

  private handleResults(results: DecodeResult[]): void {
    for (const result of results) {
      if (!result.ok) {
        // A framing error (§2) is reported as it is; a reply that does not decode (§3) is a
        // broken server too. Either way the session cannot go on.
        this.shutdown(
          result.fatal
            ? result.error
            : new ProtocolError('EPROTO', `bad reply from the server: ${result.error.message}`),
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
    this.onClose(error);
  }

  /** Writes one message on the control channel. */
  private send(message: ClientMessage): void {
    this.socket.write(encodeMessage(message));
  }

  /** Sends a request and returns the queue its replies arrive on. */
  private request(build: (id: number) => ClientMessage): { id: number; replies: ReplyQueue } {
    if (this.closed) throw this.closedWith ?? new ConnectionError('client is closed');
    const id = this.nextId++;
    const replies = new ReplyQueue();
    this.pending.set(id, replies);
    this.send(build(id));
    return { id, replies };
  }

  /** Sends a request with no data channel and waits for its one reply, of type `type`. */
  private async ask<T extends ServerMessage['type']>(
    type: T,
    build: (id: number) => ClientMessage,
  ): Promise<Extract<ServerMessage, { type: T }>> {
    const { id, replies } = this.request(build);
    try {
      return await replies.expect(type);
    } finally {
      this.pending.delete(id);
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
      openData: (ready) =>
        openDataSocket({
          host: this.host,
          port: ready.port,
          token: ready.token,
          fingerprint: this.fingerprint,
        }),
    };
    try {
      return await body(exchange);
    } catch (error) {
      if (local.signal.aborted) throw local.signal.reason;
      throw error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.running.delete(local);
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

  /** Tells the server to drop request `id` (§6.4); its late replies are ignored. */
  private sendAbort(id: number): void {
    if (!this.closed) this.send({ type: 'abort', id });
  }

  /** Says hello and waits for welcome (§4). */
  async handshake(agent: string): Promise<void> {
    this.server = await this.ask('welcome', (id) => ({
      type: 'hello',
      id,
      version: PROTOCOL_VERSION,
      features: this.features,
      agent,
    }));
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
