// Opening a session (docs/protocol.md §4): TCP or TLS with the server's certificate checked by
// fingerprint (SSH's model), the handshake, and the login. Trust only after a real hello
// (§4.3): a pinned fingerprint is compared during TLS, but an unknown one is offered to the
// caller (who may pin it) only after a valid `welcome` within the hello timeout.
import { connect as netConnect, type Socket } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import {
  AbortError,
  CftpError,
  ConnectionError,
  DEFAULT_CLIENT_TIMEOUT_MS,
  DEFAULT_HELLO_TIMEOUT_MS,
  DEFAULT_MAX_FRAME_SIZE,
  MAX_LIST_ENTRIES,
  MAX_LIST_LINE_BYTES,
  networkWords,
  TimeoutError,
} from '@cftp/protocol';
import { packageVersion } from '@cftp/transfer';
import { CftpClient } from './client.js';
import { peerFingerprint, tlsOptions } from './data-channel.js';
import { formatDuration } from './replies.js';
import type { ClientLimits, ConnectOptions } from './types.js';

/**
 * The server's certificate is not the one pinned for it (§4.1): ETLS, with both fingerprints,
 * so a caller can explain without reading the message.
 */
export class HostKeyChangedError extends CftpError {
  constructor(
    /** `HOST:PORT`. */
    readonly where: string,
    /** What the server presented. */
    readonly fingerprint: string,
    /** What was pinned. */
    readonly pinned: string,
  ) {
    super(
      'ETLS',
      `WARNING: the certificate of ${where} has CHANGED (now ${fingerprint}, pinned ${pinned}). ` +
        'Someone may be intercepting the connection, or the server got a new key. Refusing to connect.',
    );
  }
}

/** The client's waits and limits from its options (§5.4, §12). */
function limitsOf(options: ConnectOptions): ClientLimits {
  return {
    timeoutMs: options.timeoutMs ?? DEFAULT_CLIENT_TIMEOUT_MS,
    maxListEntries: options.maxListEntries ?? MAX_LIST_ENTRIES,
    maxListLineBytes: options.maxListLineBytes ?? MAX_LIST_LINE_BYTES,
  };
}

/** A TLS handshake that failed after TCP connected: the peer may not speak TLS at all. */
class HandshakeFailed extends CftpError {}

/**
 * Opens a control connection and performs the handshake (§4), TLS and login included. When
 * the TLS handshake fails, one plaintext hello (no user, no password) tells a CFTP server
 * started with --insecure-plaintext from something that is no CFTP server (a web server),
 * so the error says which, instead of guessing.
 */
export async function connect(options: ConnectOptions): Promise<CftpClient> {
  try {
    return await open(options);
  } catch (error) {
    if (!(error instanceof HandshakeFailed)) throw error;
    const { host, port, helloTimeoutMs, signal } = options;
    const probe = await open({
      host,
      port,
      ...(helloTimeoutMs === undefined ? {} : { helloTimeoutMs }),
      ...(signal === undefined ? {} : { signal }),
    }).catch(() => undefined);
    const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    if (probe === undefined) {
      throw new CftpError('EPROTO', `${where} is not a CFTP server (${error.message})`, {
        cause: error,
      });
    }
    probe.close();
    throw new CftpError(
      'ETLS',
      `${where} serves CFTP without TLS (started with --insecure-plaintext): connect with --insecure-plaintext only on a network you trust`,
      { cause: error },
    );
  }
}

function open(options: ConnectOptions): Promise<CftpClient> {
  const helloTimeoutMs = options.helloTimeoutMs ?? DEFAULT_HELLO_TIMEOUT_MS;
  const maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
  const where = `${options.host.includes(':') ? `[${options.host}]` : options.host}:${options.port}`;
  const tls = options.tls;
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new AbortError('connect aborted')); // ECANCELED, like an abort while connecting
      return;
    }
    const socket: Socket =
      tls === undefined
        ? netConnect({ host: options.host, port: options.port })
        : tlsConnect({ host: options.host, port: options.port, ...tlsOptions(options.host) });
    let client: CftpClient | undefined;
    let tcpConnected = false;
    let settled = false;
    const fail = (error: CftpError) => {
      if (settled) return;
      settled = true;
      clearTimeout(helloTimer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      client?.close();
      reject(error);
    };
    const onAbort = () => fail(new AbortError('connect aborted'));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    // §4.3: from the TCP connect, TLS and a valid welcome within the hello timeout.
    const helloTimer = setTimeout(() => {
      const waited = formatDuration(helloTimeoutMs);
      if (!tcpConnected) {
        fail(new TimeoutError(`cannot connect to ${where}: no answer within ${waited}`));
      } else if (client !== undefined) {
        client.helloExpired(`no welcome within ${waited}`);
      } else {
        fail(
          new CftpError(
            'EPROTO',
            `${where} is not a CFTP server (no TLS handshake within ${waited})`,
          ),
        );
      }
    }, helloTimeoutMs);
    const onConnectError = (error: Error) =>
      fail(
        tcpConnected && tls !== undefined
          ? new HandshakeFailed('ETLS', `no TLS handshake: ${networkWords(error)}`)
          : new ConnectionError(`cannot connect to ${where}: ${networkWords(error)}`),
      );
    socket.once('error', onConnectError);
    socket.once('connect', () => {
      tcpConnected = true;
    });
    const start = (fingerprint: string | undefined, trusted: boolean) => {
      socket.off('error', onConnectError);
      const connected = new CftpClient({
        host: options.host,
        port: options.port,
        socket,
        maxFrameSize,
        fingerprint,
        collectGarbage: options.collectGarbage,
        limits: limitsOf(options),
        digest: options.digest,
      });
      client = connected;
      (async () => {
        await connected.handshake(
          options.agent ??
            `cftp-client/${packageVersion(new URL('../package.json', import.meta.url))}`,
        );
        clearTimeout(helloTimer);
        // A real CFTP server answered: only now may an unknown certificate be trusted (and
        // pinned by the caller), and only then is the password sent (§4.3).
        if (fingerprint !== undefined && !trusted) await trustUnknown(fingerprint);
        if (options.user !== undefined) {
          await connected.login(options.user, options.password ?? '');
        } else if (connected.server?.login === true) {
          throw new CftpError('EAUTH', `${where} requires a user name (user@host)`);
        }
      })().then(
        () => {
          if (settled) return;
          settled = true;
          options.signal?.removeEventListener('abort', onAbort);
          resolve(connected);
        },
        (error: unknown) =>
          fail(error instanceof CftpError ? error : new ConnectionError(String(error))),
      );
    };
    const trustUnknown = async (fingerprint: string) => {
      const yes = (await tls?.onUnknownHost?.(fingerprint)) === true;
      if (!yes) throw new CftpError('ETLS', `the server ${where} (${fingerprint}) is not trusted`);
    };
    if (tls === undefined) {
      socket.once('connect', () => start(undefined, true));
      return;
    }
    socket.once('secureConnect', () => {
      const fingerprint = peerFingerprint(socket as TLSSocket);
      if (fingerprint === undefined) {
        fail(new CftpError('ETLS', `${where} presented no certificate`));
        return;
      }
      // A pinned fingerprint is compared before hello (§4.1); a mismatch fails at once.
      if (tls.fingerprint !== undefined && tls.fingerprint !== fingerprint) {
        fail(new HostKeyChangedError(where, fingerprint, tls.fingerprint));
        return;
      }
      start(fingerprint, tls.fingerprint !== undefined);
    });
  });
}
