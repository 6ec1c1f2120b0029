// Data channels (docs/protocol.md §5): one connection, from the control connection's peer,
// presenting a 256-bit token within the accept timeout; nothing else. Classic mode opens a
// one-time listener per transfer (any free port, or one of `dataPorts`); single-port mode
// opens none and waits for the token on the control port (§5.5, single-port.ts).
import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { type SecureContext, TLSSocket } from 'node:tls';
import { CftpError, DataChannelError, TimeoutError, TOKEN_BYTES } from '@cftp/protocol';
import { normalizeAddress } from './address.js';
import type { TokenRegistry } from './single-port.js';

export { normalizeAddress } from './address.js';

export interface DataChannel {
  /** The port for `ready`; 0 in single-port mode (§5.5). */
  readonly port: number;
  /** The token as 64 hex digits, for the `ready` message. */
  readonly token: string;
  /** Resolves with the authenticated socket (token consumed), or rejects with a CftpError. */
  readonly connection: Promise<Socket>;
  /** Closes the listener and destroys any connection not yet handed out. */
  close(): void;
}

/** An inclusive range of TCP ports for classic data listeners (`--data-ports`). */
export interface PortRange {
  readonly low: number;
  readonly high: number;
}

/** How a server opens its data channels; one per server, shared by its sessions. */
export type DataChannelPlan =
  | {
      readonly kind: 'classic';
      readonly ports: PortRange | undefined;
      /** Ports of `ports` this server's listeners hold now: not tried again until freed. */
      readonly held: Set<number>;
    }
  | { readonly kind: 'single-port'; readonly registry: TokenRegistry };

export interface DataChannelOptions {
  /** Address to listen on: the control connection's local address. */
  host: string;
  /** The control connection's remote address; the only address allowed to connect. */
  peer: string;
  acceptTimeoutMs: number;
  signal: AbortSignal;
  /**
   * When set, the data connection is TLS with the control channel's certificate (§5.3):
   * the peer address is checked on the raw socket, the token is read inside TLS. (In
   * single-port mode the server's listener has already done the TLS handshake.)
   */
  tls?: SecureContext;
  /** Classic with any free port unless given. */
  plan?: DataChannelPlan | undefined;
}

/** The one-time wait for a data connection, however it arrives. */
interface Pending {
  readonly connection: Promise<Socket>;
  readonly settled: () => boolean;
  fail(error: unknown): void;
  succeed(socket: Socket): void;
  /** Runs once when the wait ends, whichever way. */
  onSettle(cleanup: () => void): void;
}

function pendingConnection(options: DataChannelOptions): Pending {
  let done = false;
  const cleanups: Array<() => void> = [];
  let resolveConnection!: (socket: Socket) => void;
  let rejectConnection!: (error: unknown) => void;
  const connection = new Promise<Socket>((resolve, reject) => {
    resolveConnection = resolve;
    rejectConnection = reject;
  });
  connection.catch(() => {}); // the caller awaits it; never an unhandled rejection
  const settle = () => {
    done = true;
    clearTimeout(timer);
    options.signal.removeEventListener('abort', onAbort);
    for (const cleanup of cleanups.splice(0)) cleanup();
  };
  const pending: Pending = {
    connection,
    settled: () => done,
    fail(error) {
      if (done) return;
      settle();
      rejectConnection(error);
    },
    succeed(socket) {
      if (done) {
        socket.destroy();
        return;
      }
      settle();
      resolveConnection(socket);
    },
    onSettle(cleanup) {
      if (done) cleanup();
      else cleanups.push(cleanup);
    },
  };
  const onAbort = () => pending.fail(options.signal.reason);
  const timer = setTimeout(
    () => pending.fail(new TimeoutError(`no data connection within ${options.acceptTimeoutMs} ms`)),
    options.acceptTimeoutMs,
  );
  timer.unref();
  if (options.signal.aborted) onAbort();
  else options.signal.addEventListener('abort', onAbort, { once: true });
  return pending;
}

export async function openDataChannel(options: DataChannelOptions): Promise<DataChannel> {
  const plan = options.plan;
  if (plan?.kind === 'single-port') return singlePortChannel(options, plan.registry);
  return listenerChannel(options, plan?.ports, plan?.held ?? new Set());
}

/** §5.5: no listener; the token waits in the registry until its connection presents it. */
function singlePortChannel(options: DataChannelOptions, registry: TokenRegistry): DataChannel {
  const token = randomBytes(TOKEN_BYTES);
  const pending = pendingConnection(options);
  const withdraw = registry.register(token, {
    peer: options.peer,
    claim: (socket) => pending.succeed(socket),
    refuse: (error) => pending.fail(error),
  });
  pending.onSettle(withdraw);
  return {
    port: 0,
    token: token.toString('hex'),
    connection: pending.connection,
    close: () => pending.fail(new DataChannelError('EDATA', 'data channel closed')),
  };
}

/** Listens on the first free port of `range` (from a random start), or any port without one. */
async function listenIn(
  listener: Server,
  host: string,
  range: PortRange | undefined,
  held: Set<number>,
): Promise<number> {
  const listenOn = (port: number) =>
    new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen({ host, port, exclusive: true }, () => {
        listener.off('error', reject);
        resolve();
      });
    });
  if (range === undefined) {
    await listenOn(0);
    const address = listener.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }
  const size = range.high - range.low + 1;
  const start = randomInt(size);
  for (let i = 0; i < size; i++) {
    const port = range.low + ((start + i) % size);
    if (held.has(port)) continue;
    held.add(port); // claimed before the await: concurrent transfers never race for it
    try {
      await listenOn(port);
      return port;
    } catch (error) {
      held.delete(port);
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error;
    }
  }
  throw new CftpError(
    'EBUSY',
    `no free data port in ${range.low}-${range.high}: too many transfers at once, try again later`,
  );
}

async function listenerChannel(
  options: DataChannelOptions,
  range: PortRange | undefined,
  held: Set<number>,
): Promise<DataChannel> {
  const token = randomBytes(TOKEN_BYTES);
  const listener: Server = createServer({ pauseOnConnect: true });
  listener.maxConnections = 1;
  const port = await listenIn(listener, normalizeAddress(options.host), range, held);
  const closeListener = () => {
    if (!listener.listening) return;
    listener.close();
    // The listening socket is gone now; an accepted connection on this port does not stop
    // another listener from binding it (SO_REUSEADDR), so the port is free for the range.
    if (range !== undefined) held.delete(port);
  };

  let socket: Socket | undefined;
  let handedOut = false;
  const pending = pendingConnection(options);
  // However the wait ends (token, wrong token, timeout, abort): no listener stays open, and
  // a connection that was not handed out is destroyed.
  pending.onSettle(() => {
    closeListener();
    if (!handedOut) socket?.destroy();
  });
  const fail = (error: unknown) => pending.fail(error);

  listener.on('error', fail);
  listener.on('connection', (incoming: Socket) => {
    if (socket !== undefined || pending.settled()) {
      incoming.destroy();
      return;
    }
    socket = incoming;
    closeListener(); // one connection per listener
    incoming.on('error', () => {}); // reported through the transfer instead
    if (normalizeAddress(incoming.remoteAddress) !== normalizeAddress(options.peer)) {
      fail(new DataChannelError('EDATAAUTH', 'data connection from another address'));
      return;
    }
    secured(incoming, options.tls)
      .then(readToken)
      .then(
        (presented) => {
          if (pending.settled()) {
            presented.socket.destroy();
            return;
          }
          if (presented.token === null || !timingSafeEqual(presented.token, token)) {
            fail(new DataChannelError('EDATAAUTH', 'data connection presented a wrong token'));
            return;
          }
          handedOut = true;
          pending.succeed(presented.socket);
        },
        (error: unknown) => fail(error),
      );
  });

  return {
    port,
    token: token.toString('hex'),
    connection: pending.connection,
    close: () => fail(new DataChannelError('EDATA', 'data channel closed')),
  };
}

/** The raw connection, or the same connection once its TLS handshake has completed. */
function secured(socket: Socket, context: SecureContext | undefined): Promise<Socket> {
  if (context === undefined) return Promise.resolve(socket);
  return new Promise((resolve, reject) => {
    const secure = new TLSSocket(socket, { isServer: true, secureContext: context });
    const onError = (error: Error) =>
      reject(new DataChannelError('EDATAAUTH', `data connection TLS failed: ${error.message}`));
    // A peer that closes in the middle of a handshake gets no 'error' from OpenSSL, only a
    // close: without this the transfer would wait for its data deadline (ETIMEDOUT).
    const onClose = () =>
      reject(new DataChannelError('EDATAAUTH', 'data connection closed before its TLS handshake'));
    secure.once('error', onError);
    secure.once('close', onClose);
    secure.once('secure', () => {
      secure.off('error', onError);
      secure.off('close', onClose);
      secure.on('error', () => {}); // reported through the transfer instead
      resolve(secure);
    });
  });
}

/** Reads exactly TOKEN_BYTES from a paused socket, leaving any payload bytes unread. Null if the peer ends first. */
function readToken(socket: Socket): Promise<{ socket: Socket; token: Buffer | null }> {
  return new Promise((outer) => {
    const resolve = (token: Buffer | null) => outer({ socket, token });
    const cleanup = () => {
      socket.off('readable', onReadable);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
    };
    const onReadable = () => {
      const bytes = socket.read(TOKEN_BYTES) as Buffer | null;
      if (bytes !== null) {
        cleanup();
        // At the end of the stream read() returns what is left, which may be a short token.
        resolve(bytes.byteLength === TOKEN_BYTES ? bytes : null);
      }
    };
    const onEnd = () => {
      cleanup();
      resolve(null);
    };
    socket.on('readable', onReadable);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    socket.resume(); // undo pauseOnConnect; 'readable' listeners keep it in paused mode
  });
}
