// One-time data-channel listeners (docs/protocol.md §5): one connection, from the control
// connection's peer, presenting a 256-bit token within the accept timeout; nothing else.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { type SecureContext, TLSSocket } from 'node:tls';
import { DataChannelError, TimeoutError, TOKEN_BYTES } from '@cftp/protocol';

export interface DataChannel {
  readonly port: number;
  /** The token as 64 hex digits, for the `ready` message. */
  readonly token: string;
  /** Resolves with the authenticated socket (token consumed), or rejects with a CftpError. */
  readonly connection: Promise<Socket>;
  /** Closes the listener and destroys any connection not yet handed out. */
  close(): void;
}

export interface DataChannelOptions {
  /** Address to listen on: the control connection's local address. */
  host: string;
  /** The control connection's remote address; the only address allowed to connect. */
  peer: string;
  acceptTimeoutMs: number;
  signal: AbortSignal;
  /**
   * When set, the data connection is TLS with the control channel's certificate (§5.3):
   * the peer address is checked on the raw socket, the token is read inside TLS.
   */
  tls?: SecureContext;
}

/** `::ffff:127.0.0.1` and `127.0.0.1` are the same peer. */
export function normalizeAddress(address: string | undefined): string {
  if (address === undefined) return '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

export async function openDataChannel(options: DataChannelOptions): Promise<DataChannel> {
  const token = randomBytes(TOKEN_BYTES);
  const listener: Server = createServer({ pauseOnConnect: true });
  listener.maxConnections = 1;
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen({ host: normalizeAddress(options.host), port: 0, exclusive: true }, () => {
      listener.off('error', reject);
      resolve();
    });
  });
  const address = listener.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  let socket: Socket | undefined;
  let settled = false;
  let timer: NodeJS.Timeout | undefined;
  let resolveConnection!: (socket: Socket) => void;
  let rejectConnection!: (error: unknown) => void;
  const connection = new Promise<Socket>((resolve, reject) => {
    resolveConnection = resolve;
    rejectConnection = reject;
  });
  connection.catch(() => {}); // the caller awaits it; never an unhandled rejection

  const closeListener = () => {
    if (listener.listening) listener.close();
  };
  const fail = (error: unknown) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    closeListener();
    socket?.destroy();
    rejectConnection(error);
  };
  const onAbort = () => fail(options.signal.reason);
  if (options.signal.aborted) onAbort();
  options.signal.addEventListener('abort', onAbort, { once: true });

  timer = setTimeout(
    () => fail(new TimeoutError(`no data connection within ${options.acceptTimeoutMs} ms`)),
    options.acceptTimeoutMs,
  );
  timer.unref();

  listener.on('error', fail);
  listener.on('connection', (incoming: Socket) => {
    if (socket !== undefined || settled) {
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
          if (settled) return;
          if (presented.token === null || !timingSafeEqual(presented.token, token)) {
            fail(new DataChannelError('EDATAAUTH', 'data connection presented a wrong token'));
            return;
          }
          settled = true;
          clearTimeout(timer);
          options.signal.removeEventListener('abort', onAbort);
          resolveConnection(presented.socket);
        },
        (error: unknown) => fail(error),
      );
  });

  return {
    port,
    token: token.toString('hex'),
    connection,
    close: () => {
      options.signal.removeEventListener('abort', onAbort);
      if (!settled) fail(new DataChannelError('EDATA', 'data channel closed'));
      closeListener();
    },
  };
}

/** The raw connection, or the same connection once its TLS handshake has completed. */
function secured(socket: Socket, context: SecureContext | undefined): Promise<Socket> {
  if (context === undefined) return Promise.resolve(socket);
  return new Promise((resolve, reject) => {
    const secure = new TLSSocket(socket, { isServer: true, secureContext: context });
    const onError = (error: Error) =>
      reject(new DataChannelError('EDATAAUTH', `data connection TLS failed: ${error.message}`));
    secure.once('error', onError);
    secure.once('secure', () => {
      secure.off('error', onError);
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
