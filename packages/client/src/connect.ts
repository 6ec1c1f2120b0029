// Opening a session (docs/protocol.md §4): TCP or TLS with the server's certificate checked by
// fingerprint (SSH's model), the handshake, and the login; gives up after a timeout or abort.
import { connect as netConnect, type Socket } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import {
  AbortError,
  CftpError,
  ConnectionError,
  DEFAULT_MAX_FRAME_SIZE,
  TimeoutError,
} from '@cftp/protocol';
import { CftpClient } from './client.js';
import { peerFingerprint, serverName } from './data-channel.js';
import type { ClientTlsOptions, ConnectOptions } from './types.js';

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
      const connected = new CftpClient({
        host: options.host,
        port: options.port,
        socket,
        maxFrameSize,
        fingerprint,
        collectGarbage: options.collectGarbage,
        digest: options.digest,
      });
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
