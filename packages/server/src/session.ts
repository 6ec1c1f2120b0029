// One control connection (docs/protocol.md §3, §4, §10): the states before `ready`
// (handshake, login), decoding and replies, pipelining limits, deadlines and cleanup. What a
// ready session's requests start is dispatch.ts; the requests in flight are in-flight.ts.
import type { Socket } from 'node:net';
import {
  CftpError,
  type ClientMessage,
  type DigestAlgorithm,
  type ErrorCode,
  encodeMessage,
  isTempName,
  type Login,
  type Message,
  MessageDecoder,
  negotiateDigest,
  PathError,
  PROTOCOL_VERSION,
  parsePath,
  type ServerMessage,
  SUPPORTED_VERSIONS,
  TimeoutError,
} from '@cftp/protocol';
import { normalizeAddress } from './address.js';
import { dispatchRequest, type RequestRunner } from './dispatch.js';
import { BadDoneError, InFlightRequests } from './in-flight.js';
import { LINGER_MS, type OperationContext, type OperationResult } from './operations.js';
import type { Authorize, Operation, ResolvedOptions, SessionInfo } from './options.js';
import { singlePortRefusal, welcomeFeatures } from './single-port.js';
import type { Storage } from './storage.js';

export type SessionState = 'handshake' | 'login' | 'ready' | 'closing' | 'closed';

export interface OperationEvent {
  session: SessionInfo;
  operation: Operation;
  path: string;
  bytes: number;
  durationMs: number;
  /** 'ok' or the error code. */
  outcome: 'ok' | ErrorCode;
  /** A batch (§6.7): every file's path as the client named it; `path` then says "N files". */
  files?: readonly string[];
}

/** A listing that left entries out (§6.1): the server logs one warning line for it. */
export interface ListingSkippedEvent {
  session: SessionInfo;
  /** The folder as the client asked for it. */
  path: string;
  /** Entries left out: names the wire cannot carry or reach, or past the entry limit. */
  skipped: number;
}

export interface SessionHooks {
  onOperation(event: OperationEvent): void;
  onListingSkipped(event: ListingSkippedEvent): void;
  onClose(session: Session, reason: string): void;
  /** True while this address has too many recent failed logins (§4.2). */
  isLoginBlocked(address: string): boolean;
  /** Records a failed login; returns true when the address is now blocked. */
  onLoginFailure(session: Session, user: string): boolean;
  onLogin(session: Session): void;
}

export class Session implements SessionInfo {
  readonly remoteAddress: string;
  readonly remotePort: number;
  private readonly localAddress: string;
  private readonly decoder: MessageDecoder;
  private readonly inFlight = new InFlightRequests();
  /** The session's digest (§7.1), fixed by `hello`. */
  private digest: DigestAlgorithm = 'sha256';
  /** Both peers list `links` (§6.9): listed symlinks carry their `target`. */
  private links = false;
  /** Dispatch's view of this session (dispatch.ts). */
  private readonly requests: RequestRunner = {
    start: (id, operation, path, run) => this.start(id, operation, path, run),
    begin: (id, operation, label, run, files) => this.begin(id, operation, label, run, files),
    checkedPath: (operation, path, creates) => this.checkedPath(operation, path, creates),
    sendError: (id, code, message) => this.sendError(id, code, message),
    quit: (id) => {
      this.send({ type: 'ok', id });
      this.close('quit');
    },
    abort: (id, reason) => this.inFlight.abort(id, reason),
    deliverDone: (done) => this.inFlight.deliverDone(done),
  };
  private handshakeTimer: NodeJS.Timeout | undefined;
  /** Runs while the session is ready, nothing is in flight and no message comes (§10). */
  private idleTimer: NodeJS.Timeout | undefined;
  /** Finished data sockets waiting for the client's FIN (see linger). */
  private readonly lingering = new Set<Socket>();
  state: SessionState = 'handshake';
  /** Set by a successful `login` (§4.2). */
  user: string | undefined;
  /** The logged-in account's permissions, on top of the server-wide `authorize`. */
  private accountAuthorize: Authorize | undefined;
  private loggingIn = false;

  constructor(
    readonly id: number,
    private readonly socket: Socket,
    private storage: Storage,
    private readonly options: ResolvedOptions,
    private readonly hooks: SessionHooks,
  ) {
    this.remoteAddress = normalizeAddress(socket.remoteAddress);
    this.remotePort = socket.remotePort ?? 0;
    this.localAddress = normalizeAddress(socket.localAddress);
    this.decoder = new MessageDecoder({ maxFrameSize: options.maxFrameSize });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => {}); // 'close' follows and cleans up
    socket.on('close', () => this.cleanup('connection closed'));
    socket.on('drain', () => socket.resume());
    this.handshakeTimer = setTimeout(
      () => this.close('handshake timeout'),
      options.handshakeTimeoutMs,
    );
    this.handshakeTimer.unref();
  }

  get requestsInFlight(): number {
    return this.inFlight.size;
  }

  private send(message: ServerMessage): void {
    if (this.socket.destroyed || !this.socket.writable) return;
    // A peer that does not read its replies stops being read from (bounded memory).
    if (!this.socket.write(encodeMessage(message))) this.socket.pause();
  }

  private sendError(id: number | null, code: ErrorCode, message: string): void {
    this.send({ type: 'error', id, code, message });
  }

  /**
   * One final reply per request id (§3.3): a message for request `id` while it is in flight
   * must not be answered with `id`, which the client would take for that request's reply.
   * Refuses it with `error {id: null, refusedId}` and leaves the request alone.
   */
  private refuseInFlight(id: number, code: ErrorCode, message: string): void {
    this.send({ type: 'error', id: null, code, message, refusedId: id });
  }

  /**
   * A message that could not be decoded but names request `id` in flight (§3.3, §6.3). A
   * malformed `done` for an upload still waiting for its `done` fails that upload, once: the
   * abort reason becomes its one final reply and its temporary file is removed. Anything else
   * is refused without touching the request. False when `id` is not in flight.
   */
  private refuseBadMessage(id: number, type: string | undefined, error: CftpError): boolean {
    if (!this.inFlight.has(id)) return false;
    if (type === 'done' && this.inFlight.failUpload(id, new BadDoneError(error.message))) {
      return true;
    }
    this.refuseInFlight(id, error.code, error.message);
    return true;
  }

  private onData(chunk: Buffer): void {
    const results = this.decoder.push(chunk);
    for (const result of results) {
      if (this.state === 'closed') return;
      if (!result.ok) {
        if (!result.fatal && this.state !== 'handshake' && result.id !== null) {
          if (this.refuseBadMessage(result.id, result.type, result.error)) continue;
        }
        this.sendError(result.id, result.error.code, result.error.message);
        // A framing error cannot be resynchronised (§2); the messages before it still counted.
        if (result.fatal) this.close('framing error');
        else if (this.state === 'handshake') this.close('protocol error before hello');
        continue;
      }
      this.dispatch(result.message);
    }
    // Any whole message is activity; bytes that do not complete one are not (slowloris).
    if (results.length > 0) this.armIdle();
  }

  /**
   * (Re)starts the idle timer: a ready session with nothing in flight that sends no message
   * for `idleTimeoutMs` is told ETIMEDOUT and closed (§10). Requests in flight have their
   * own deadlines (accept, stall), so a busy session always becomes idle eventually.
   */
  private armIdle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.state !== 'ready' || this.inFlight.size > 0) return;
    const ms = this.options.idleTimeoutMs;
    this.idleTimer = setTimeout(
      () => this.close('idle timeout', new TimeoutError(`session idle for ${ms / 1000} s`)),
      ms,
    );
    this.idleTimer.unref();
  }

  private dispatch(message: Message): void {
    if (this.state === 'handshake') {
      if (message.type !== 'hello') {
        this.sendError(message.id, 'EPROTO', 'the first message must be "hello"');
        this.close('protocol error before hello');
        return;
      }
      if (!SUPPORTED_VERSIONS.includes(message.version)) {
        this.sendError(
          message.id,
          'EVERSION',
          `protocol version ${message.version} not supported; this server speaks ${SUPPORTED_VERSIONS.join(', ')}`,
        );
        this.close('unsupported version');
        return;
      }
      const refusal = singlePortRefusal(message.features, this.options.singlePort);
      if (refusal !== undefined) {
        this.sendError(message.id, 'EVERSION', refusal);
        this.close('client without single-port');
        return;
      }
      this.digest = negotiateDigest(message.features, this.options.features);
      this.links = [message.features, this.options.features].every((f) => f.includes('links'));
      const needsLogin = this.options.authenticate !== undefined;
      if (needsLogin) {
        // The handshake deadline keeps running until the login succeeds (§4.2).
        this.state = 'login';
      } else {
        clearTimeout(this.handshakeTimer);
        this.state = 'ready';
        this.armIdle();
      }
      this.send({
        type: 'welcome',
        id: message.id,
        version: PROTOCOL_VERSION,
        features: welcomeFeatures(this.options.features, this.options.singlePort),
        agent: this.options.agent,
        maxFrameSize: this.options.maxFrameSize,
        maxInFlight: this.options.maxInFlight,
        ...(needsLogin ? { login: true } : {}),
      });
      return;
    }
    const request = message as ClientMessage;
    if (this.state === 'login') {
      // docs/protocol.md §4.2: nothing but login and quit before a login succeeds.
      if (request.type === 'login') {
        void this.login(request);
      } else if (request.type === 'quit') {
        this.send({ type: 'ok', id: request.id });
        this.close('quit');
      } else {
        this.sendError(request.id, 'EAUTH', 'log in first');
      }
      return;
    }
    // abort and done act on the request they name; any other request reusing an id in
    // flight is refused, whatever its type (§3.3): hello, login and quit included.
    if (request.type !== 'abort' && request.type !== 'done' && this.inFlight.has(request.id)) {
      this.refuseInFlight(request.id, 'EPROTO', `request id ${request.id} is already in flight`);
      return;
    }
    dispatchRequest(message, this.requests);
  }

  /**
   * docs/protocol.md §4.2: every failure gets the same EAUTH reply after the same fixed delay
   * (counted from the request), whether the user is unknown or the password wrong.
   */
  private async login(request: Login): Promise<void> {
    if (this.loggingIn) {
      this.sendError(request.id, 'EBUSY', 'a login is already in progress');
      return;
    }
    const authenticate = this.options.authenticate;
    if (authenticate === undefined) return;
    this.loggingIn = true;
    const started = performance.now();
    let account: Awaited<ReturnType<typeof authenticate>> = null;
    const blockedBefore = this.hooks.isLoginBlocked(this.remoteAddress);
    if (!blockedBefore) {
      try {
        account = await authenticate(request.user, request.password, this);
      } catch {
        account = null;
      }
    }
    if (this.state !== 'login') return;
    if (account === null) {
      const blocked = blockedBefore || this.hooks.onLoginFailure(this, request.user);
      const wait = this.options.loginFailureDelayMs - (performance.now() - started);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait).unref());
      if (this.state !== 'login') return;
      this.loggingIn = false;
      if (blocked) {
        this.sendError(request.id, 'EAUTH', 'too many failed logins from this address; try later');
        this.close('too many failed logins');
      } else {
        this.sendError(request.id, 'EAUTH', 'wrong user name or password');
      }
      return;
    }
    this.loggingIn = false;
    this.user = account.user;
    this.storage = account.storage ?? this.storage;
    this.accountAuthorize = account.authorize;
    clearTimeout(this.handshakeTimer);
    this.state = 'ready';
    this.armIdle();
    this.send({ type: 'ok', id: request.id });
    this.hooks.onLogin(this);
  }

  /**
   * Parses a client path (§9), hides temporary files (§8) and asks the authorize hook. A
   * temporary name is reserved (§6.3): reading one is ENOENT, as for any missing name, and
   * creating one (`creates`: put, putmany, mkdir, the `to` of rename) is EBADNAME.
   */
  private async checkedPath(
    operation: Operation,
    path: string,
    creates = operation === 'put' || operation === 'mkdir',
  ): Promise<string[]> {
    const segments = parsePath(path);
    const last = segments.length - 1;
    if (creates && last >= 0 && isTempName(segments[last]!)) {
      throw new PathError('EBADNAME', `name reserved for temporary files: "${path}"`);
    }
    if (segments.some(isTempName)) {
      throw new PathError('ENOENT', `no such file or directory: "${path}"`);
    }
    const authorize = this.options.authorize;
    const joined = segments.join('/');
    for (const check of [authorize, this.accountAuthorize]) {
      if (check !== undefined && !(await check(this, operation, joined))) {
        throw new CftpError('EACCES', `${operation} of "${path}" is not allowed`);
      }
    }
    return segments;
  }

  /** Starts an operation on one path, checked and authorized first (§9). */
  private start(
    id: number,
    operation: Operation,
    path: string,
    run: (ctx: OperationContext, segments: string[]) => Promise<OperationResult>,
  ): void {
    this.begin(id, operation, path, async (ctx) =>
      run(ctx, await this.checkedPath(operation, path)),
    );
  }

  /** Starts an operation: in-flight bookkeeping, the final reply, the operation event. */
  private begin(
    id: number,
    operation: Operation,
    path: string,
    run: (ctx: OperationContext) => Promise<OperationResult>,
    files?: readonly string[],
  ): void {
    if (this.state !== 'ready') {
      this.sendError(id, 'ESHUTDOWN', 'the server is shutting down');
      return;
    }
    if (this.inFlight.has(id)) {
      this.refuseInFlight(id, 'EPROTO', `request id ${id} is already in flight`);
      return;
    }
    if (this.inFlight.size >= this.options.maxInFlight) {
      this.sendError(id, 'EBUSY', `more than ${this.options.maxInFlight} requests in flight`);
      return;
    }
    const entry = this.inFlight.add(id, operation === 'put');
    this.armIdle(); // busy: no idle timeout while a request runs
    const started = performance.now();
    const signal = entry.controller.signal;
    // Bytes that crossed the data channel so far: what a failed or cancelled transfer moved.
    let moved = 0;
    const ctx: OperationContext = {
      id,
      storage: this.storage,
      signal,
      localAddress: this.localAddress,
      remoteAddress: this.remoteAddress,
      dataAcceptTimeoutMs: this.options.dataAcceptTimeoutMs,
      tls: this.options.tls,
      dataChannels: this.options.dataChannels,
      dataStallTimeoutMs: this.options.dataStallTimeoutMs,
      treeDigestWaitMs: this.options.treeDigestWaitMs,
      digest: this.digest,
      links: this.links,
      linger: (socket) => this.linger(socket),
      send: (message) => this.send(message),
      clientDone: () => this.inFlight.clientDone(entry, this.options.dataAcceptTimeoutMs),
      received: (bytes, garbage = bytes) => {
        moved += bytes;
        this.options.reclaimer.note(garbage);
      },
      sent: (bytes) => {
        moved += bytes;
      },
      umask: this.options.umask,
      leftOut: (skipped) => this.hooks.onListingSkipped({ session: this, path, skipped }),
    };
    const finish = (bytes: number, outcome: 'ok' | ErrorCode, reply: ServerMessage) => {
      this.inFlight.remove(id);
      this.send(reply);
      this.hooks.onOperation({
        session: this,
        operation,
        path,
        bytes,
        durationMs: performance.now() - started,
        outcome,
        ...(files === undefined ? {} : { files }),
      });
      if (this.inFlight.size === 0) {
        this.inFlight.wakeIdle();
        this.armIdle();
      }
    };
    run(ctx).then(
      (result) => finish(result.bytes, 'ok', result.reply),
      (error: unknown) => {
        const failure =
          error instanceof CftpError
            ? error
            : new CftpError('EIO', error instanceof Error ? error.message : String(error));
        finish(moved, failure.code, {
          type: 'error',
          id,
          code: failure.code,
          message: failure.message,
        });
      },
    );
  }

  /** Stops taking requests; resolves when none is in flight. */
  drain(): Promise<void> {
    if (this.state === 'ready') this.state = 'closing';
    return this.inFlight.whenIdle();
  }

  /** Aborts every request in flight with `reason`; each still gets its error reply. */
  abortAll(reason: CftpError): void {
    this.inFlight.abortAll(reason);
  }

  /** Aborts every request and closes the connection, telling the peer `notice` first if given. */
  close(why: string, notice?: CftpError): void {
    this.abortAll(new CftpError('ECANCELED', why));
    if (notice !== undefined) this.sendError(null, notice.code, notice.message);
    if (!this.socket.destroyed) {
      this.socket.end();
      // Give the last reply a moment to flush, then make sure the socket is gone.
      setTimeout(() => this.socket.destroy(), 1000).unref();
    }
    this.cleanup(why);
  }

  /**
   * A finished data socket waits for the client's FIN, for up to LINGER_MS. At most
   * `maxInFlight` of them per session (the oldest goes first), none after the session ends:
   * a client that never closes its data connections cannot pile up descriptors.
   */
  private linger(socket: Socket): void {
    if (socket.destroyed) return;
    if (this.state === 'closed') {
      socket.destroy();
      return;
    }
    this.lingering.add(socket);
    socket.once('close', () => this.lingering.delete(socket));
    socket.setTimeout(LINGER_MS, () => socket.destroy());
    if (this.lingering.size > this.options.maxInFlight) {
      this.lingering.values().next().value?.destroy();
    }
  }

  private cleanup(why: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.handshakeTimer);
    clearTimeout(this.idleTimer);
    for (const socket of this.lingering) socket.destroy();
    this.inFlight.abortAll(new CftpError('ECANCELED', why));
    this.hooks.onClose(this, why);
  }
}
