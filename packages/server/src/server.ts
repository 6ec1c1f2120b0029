// The CFTP server engine: accepts control connections and runs a Session for each.
// A library first: `createServer(options)` → listen / close / address / handle, plus events.
import { EventEmitter } from 'node:events';
import {
  type AddressInfo,
  createServer as createNetServer,
  type Server,
  type Socket,
} from 'node:net';
import { TLSSocket } from 'node:tls';
import { CftpError, encodeMessage } from '@cftp/protocol';
import { normalizeAddress } from './address.js';
import { LocalStorage } from './local-storage.js';
import {
  type ResolvedOptions,
  resolveOptions,
  type ServerOptions,
  type SessionInfo,
} from './options.js';
import { type ListingSkippedEvent, type OperationEvent, Session } from './session.js';
import { demultiplex } from './single-port.js';
import type { Storage, SweepResult } from './storage.js';

export interface RefusedConnection {
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Which limit refused it. */
  readonly reason: 'max sessions' | 'max sessions per address';
}

export interface CftpServerEvents {
  /** A control connection was accepted. */
  session: [session: SessionInfo];
  /** A session ended. */
  sessionClose: [session: SessionInfo, reason: string];
  /** A control connection was refused because a session limit was reached (EBUSY). */
  refused: [connection: RefusedConnection];
  /** A session logged in (§4.2). */
  login: [session: SessionInfo];
  /** A login failed; `blocked` when the address has now too many failures (§4.2). */
  loginFailed: [failure: { session: SessionInfo; user: string; blocked: boolean }];
  /** Single-port mode: a connection was closed before it became a session or a data channel. */
  dropped: [connection: { remoteAddress: string; reason: string }];
  /** A connection failed its TLS handshake (for example a plaintext client, §4.1). */
  tlsError: [failure: { remoteAddress: string; message: string }];
  /** One operation finished, successfully or not. */
  operation: [event: OperationEvent];
  /**
   * A listing left entries out (§6.1): names not UTF-8, with control characters or `\`,
   * other Unicode forms of a listed name, or past the entry limit. Worth one warning line.
   */
  listingSkipped: [event: ListingSkippedEvent];
  /** The start-up sweep of leftover temporary files finished (docs/protocol.md §8). */
  sweep: [result: SweepResult];
  error: [error: Error];
}

/** Addresses with recent failed logins kept before expired ones are swept. */
const LOGIN_FAILURE_ADDRESSES = 10_000;

/** How long a refused connection may take to read its EBUSY before it is destroyed. */
const REFUSAL_LINGER_MS = 2000;

export class CftpServer extends EventEmitter<CftpServerEvents> {
  private readonly options: ResolvedOptions;
  private readonly storage: Storage;
  private readonly listener: Server;
  private readonly sessions = new Set<Session>();
  /** Open sessions per remote address (maxSessionsPerAddress). */
  private readonly perAddress = new Map<string, number>();
  /** Recent failed logins per remote address (timestamps, ms), for the login limit. */
  private readonly loginFailures = new Map<string, number[]>();
  /** Single-port mode: connections whose first bytes are not read yet (closed on shutdown). */
  private readonly unrouted = new Set<Socket>();
  private nextSessionId = 1;
  private closing: Promise<void> | undefined;
  private readonly sweepControl = new AbortController();
  private sweeping: Promise<SweepResult | undefined> = Promise.resolve(undefined);

  constructor(private readonly config: ServerOptions) {
    super();
    if (config.storage === undefined && config.root === undefined) {
      throw new TypeError('createServer needs `root` or `storage`');
    }
    this.options = resolveOptions(config);
    this.storage = config.storage ?? new LocalStorage(config.root as string);
    this.listener = createNetServer({ pauseOnConnect: true }, (socket) => this.accept(socket));
    // A failure to start listening (EADDRINUSE…) rejects listen() and is reported there alone;
    // later listener errors are the server's.
    this.listener.on('error', (error) => {
      if (this.listener.listening) this.emit('error', error);
    });
  }

  /**
   * Starts listening; resolves with the bound address (port 0 picks a free port). Then
   * sweeps leftover temporary files in the background (see `sweepFinished`).
   */
  async listen(port = this.config.port ?? 0, host = this.config.host): Promise<AddressInfo> {
    const startedAt = Date.now();
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.listener.once('error', onError);
      this.listener.listen({ port, host }, () => {
        this.listener.off('error', onError);
        resolve();
      });
    });
    this.startSweep(startedAt);
    return this.address();
  }

  /**
   * Resolves when the start-up sweep has finished (undefined if none ran). Only files last
   * modified before `listen()` was called are removed, so uploads of this run are never touched.
   */
  sweepFinished(): Promise<SweepResult | undefined> {
    return this.sweeping;
  }

  private startSweep(startedAt: number): void {
    const sweep = this.storage.sweep?.bind(this.storage);
    if (!this.options.sweepOnStart || sweep === undefined) return;
    this.sweeping = sweep({
      startedAt,
      partialMaxAgeMs: this.options.partialMaxAgeMs,
      maxEntries: this.options.sweepMaxEntries,
      liveIdleMs: this.options.dataStallTimeoutMs + this.options.dataAcceptTimeoutMs,
      signal: this.sweepControl.signal,
    }).then(
      (result) => {
        this.emit('sweep', result);
        return result;
      },
      (error: unknown) => {
        this.emit('error', error instanceof Error ? error : new Error(String(error)));
        return undefined;
      },
    );
  }

  address(): AddressInfo {
    const address = this.listener.address();
    if (address === null || typeof address === 'string') throw new Error('server is not listening');
    return address;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /**
   * A new connection from the listener: with TLS, the session starts once the handshake has
   * completed (§4.1); a handshake that fails or takes longer than the handshake timeout
   * closes the connection. Nothing is read in clear text.
   */
  private accept(socket: Socket): void {
    const context = this.options.tls;
    const acceptedAt = Date.now();
    if (context === undefined) {
      socket.resume();
      this.route(socket, acceptedAt);
      return;
    }
    const remoteAddress = normalizeAddress(socket.remoteAddress);
    socket.on('error', () => {});
    const secure = new TLSSocket(socket, { isServer: true, secureContext: context });
    const timer = setTimeout(() => socket.destroy(), this.options.handshakeTimeoutMs);
    timer.unref();
    const onHandshakeError = (error: Error) => {
      clearTimeout(timer);
      this.emit('tlsError', { remoteAddress, message: error.message });
      // Most often a plaintext client (§4.1): tell it so in its own framing, then close.
      if (!socket.destroyed && socket.writable) {
        socket.setTimeout(REFUSAL_LINGER_MS, () => socket.destroy());
        socket.end(
          encodeMessage({
            type: 'error',
            id: null,
            code: 'ETLS',
            message: 'this server requires TLS (the client must not use --insecure-plaintext)',
          }),
        );
      } else {
        socket.destroy();
      }
    };
    secure.once('error', onHandshakeError);
    secure.once('secure', () => {
      clearTimeout(timer);
      // From here on an error is the session's (a client that resets the connection after
      // its quit is no failed handshake); the session and the router listen for it.
      secure.off('error', onHandshakeError);
      secure.on('error', () => {});
      this.route(secure, acceptedAt);
    });
  }

  /**
   * Single-port mode (docs/protocol.md §5.5): the first bytes say whether a connection is a
   * control connection (a session) or a data connection (its token's transfer). Everything
   * since the TCP accept, the TLS handshake included, counts against the handshake timeout.
   */
  private route(socket: Socket, acceptedAt: number): void {
    const plan = this.options.dataChannels;
    if (plan.kind !== 'single-port') {
      this.handle(socket);
      return;
    }
    if (this.closing !== undefined) {
      socket.destroy();
      return;
    }
    const remoteAddress = normalizeAddress(socket.remoteAddress);
    const left = this.options.handshakeTimeoutMs - (Date.now() - acceptedAt);
    this.unrouted.add(socket);
    void demultiplex(socket, left).then((routed) => {
      this.unrouted.delete(socket);
      if (routed.kind === 'control') {
        socket.resume(); // demultiplex paused it; the session reads from here on
        this.handle(socket);
      } else if (routed.kind === 'drop') {
        this.emit('dropped', { remoteAddress, reason: routed.reason });
      } else if (this.closing !== undefined || !plan.registry.present(routed.token, socket)) {
        socket.destroy();
        this.emit('dropped', {
          remoteAddress,
          reason: 'data connection with no transfer waiting for its token',
        });
      }
    });
  }

  private isLoginBlocked(address: string): boolean {
    const cutoff = Date.now() - this.options.loginFailureWindowMs;
    const recent = (this.loginFailures.get(address) ?? []).filter((at) => at > cutoff);
    if (recent.length === 0) this.loginFailures.delete(address);
    else this.loginFailures.set(address, recent);
    return recent.length >= this.options.maxLoginFailuresPerAddress;
  }

  private recordLoginFailure(session: Session, user: string): boolean {
    // Bounded memory against many addresses: drop the ones whose failures have all expired.
    if (this.loginFailures.size >= LOGIN_FAILURE_ADDRESSES) {
      const cutoff = Date.now() - this.options.loginFailureWindowMs;
      for (const [address, times] of this.loginFailures) {
        if ((times.at(-1) ?? 0) <= cutoff) this.loginFailures.delete(address);
      }
    }
    const failures = this.loginFailures.get(session.remoteAddress) ?? [];
    failures.push(Date.now());
    this.loginFailures.set(session.remoteAddress, failures);
    const blocked = this.isLoginBlocked(session.remoteAddress);
    this.emit('loginFailed', { session, user, blocked });
    return blocked;
  }

  /**
   * Runs a session on an already-connected socket (the listener calls this too, after the
   * TLS handshake when `tls` is set). A caller that hands over a raw socket on a TLS server
   * gets a plaintext session: securing it is the caller's job.
   */
  handle(socket: Socket): void {
    if (this.closing !== undefined) {
      socket.destroy();
      return;
    }
    const address = normalizeAddress(socket.remoteAddress);
    const fromAddress = this.perAddress.get(address) ?? 0;
    if (this.sessions.size >= this.options.maxSessions) {
      this.refuse(socket, address, 'max sessions', this.options.maxSessions);
      return;
    }
    if (fromAddress >= this.options.maxSessionsPerAddress) {
      this.refuse(socket, address, 'max sessions per address', this.options.maxSessionsPerAddress);
      return;
    }
    this.perAddress.set(address, fromAddress + 1);
    const session = new Session(this.nextSessionId++, socket, this.storage, this.options, {
      onOperation: (event) => this.emit('operation', event),
      onListingSkipped: (event) => this.emit('listingSkipped', event),
      isLoginBlocked: (peer) => this.isLoginBlocked(peer),
      onLoginFailure: (failed, user) => this.recordLoginFailure(failed, user),
      onLogin: (loggedIn) => this.emit('login', loggedIn),
      onClose: (closed, reason) => {
        this.sessions.delete(closed);
        const left = (this.perAddress.get(address) ?? 1) - 1;
        if (left > 0) this.perAddress.set(address, left);
        else this.perAddress.delete(address);
        this.emit('sessionClose', closed, reason);
      },
    });
    this.sessions.add(session);
    this.emit('session', session);
  }

  /**
   * Over a session limit: one `error {id: null, code: EBUSY}` (docs/protocol.md §11), then
   * close. What the client sends meanwhile is read and dropped, so the close is a clean FIN
   * (unread data would turn it into a reset that can destroy the error before it is read).
   */
  private refuse(
    socket: Socket,
    address: string,
    reason: RefusedConnection['reason'],
    limit: number,
  ): void {
    socket.on('error', () => {});
    socket.setTimeout(REFUSAL_LINGER_MS, () => socket.destroy());
    socket.on('end', () => socket.destroy());
    socket.resume();
    socket.end(
      encodeMessage({
        type: 'error',
        id: null,
        code: 'EBUSY',
        message: `too many sessions (${reason}: ${limit}); try again later`,
      }),
    );
    this.emit('refused', { remoteAddress: address, remotePort: socket.remotePort ?? 0, reason });
  }

  /**
   * Graceful shutdown (docs/protocol.md §10): stop accepting, let transfers in flight finish
   * for up to `deadlineMs`, abort the rest with ESHUTDOWN, close every session.
   */
  close(deadlineMs = this.options.shutdownDeadlineMs): Promise<void> {
    this.closing ??= this.shutdown(deadlineMs);
    return this.closing;
  }

  private async shutdown(deadlineMs: number): Promise<void> {
    this.sweepControl.abort();
    for (const socket of this.unrouted) socket.destroy();
    const stopped = new Promise<void>((resolve) => {
      if (this.listener.listening) this.listener.close(() => resolve());
      else resolve();
    });
    const sessions = [...this.sessions];
    const drained = Promise.all(sessions.map((session) => session.drain()));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), deadlineMs);
    });
    if ((await Promise.race([drained, deadline])) === 'late') {
      const reason = new CftpError('ESHUTDOWN', 'the server is shutting down');
      for (const session of sessions) session.abortAll(reason);
      await Promise.race([drained, new Promise((r) => setTimeout(r, 1000))]);
    }
    clearTimeout(timer);
    const notice = new CftpError('ESHUTDOWN', 'the server is shutting down');
    for (const session of this.sessions) session.close('server shutdown', notice);
    await Promise.all([stopped, this.sweeping]);
  }
}

export function createServer(options: ServerOptions): CftpServer {
  return new CftpServer(options);
}
