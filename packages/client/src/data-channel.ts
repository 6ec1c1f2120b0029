// The client's side of a data channel (docs/protocol.md §5): connecting with the token and,
// under TLS, the control channel's certificate; watching the request's final reply while the
// bytes move; and checking what arrived against it. `openDataSocket` is the one place a data
// channel is opened.
import { isIP, connect as netConnect, type Socket } from 'node:net';
import {
  type ConnectionOptions,
  createSecureContext,
  type SecureContext,
  type TLSSocket,
  connect as tlsConnect,
} from 'node:tls';
import {
  CftpError,
  ConnectionError,
  DATA_PREAMBLE_MAGIC,
  DataChannelError,
  errnoOf,
  errorFromCode,
  IntegrityError,
  networkWords,
  osError,
  ProtocolError,
  SINGLE_PORT_FEATURE,
  TimeoutError,
} from '@cftp/protocol';
import { certificateFingerprint } from '@cftp/transfer';
import { formatDuration } from './replies.js';
import type { DataOnRead } from './types.js';

/** The fingerprint of the certificate a TLS peer presented, or undefined. */
export function peerFingerprint(socket: TLSSocket): string | undefined {
  const raw = socket.getPeerCertificate(false).raw as Buffer | undefined;
  return raw === undefined ? undefined : certificateFingerprint(raw);
}

/** SNI only for names: TLS forbids an IP address there. */
function serverName(host: string): { servername?: string } {
  return isIP(host) === 0 ? { servername: host } : {};
}

let sharedContext: SecureContext | undefined;

/**
 * What every TLS connection of the client (control and data) is opened with. Trust comes
 * from the pinned fingerprint (SSH's model), not from a CA. One SecureContext for the
 * process: without it each connection builds its own, about 0.4 ms of CPU per data channel.
 * Sharing it resumes nothing: Node offers a session only when given one, so every data
 * channel still makes a full handshake and presents the certificate checked (§5.3).
 */
export function tlsOptions(host: string): ConnectionOptions {
  sharedContext ??= createSecureContext();
  return { rejectUnauthorized: false, secureContext: sharedContext, ...serverName(host) };
}

export interface DataChannelOptions {
  /** The peer address of the control connection (§5.1), never the name resolved again. */
  address: string;
  /** The host name as the user gave it: the TLS server name (SNI), when it is a name. */
  host: string;
  port: number;
  /** The `ready` reply's token, hex. */
  token: string;
  /** The control channel's certificate fingerprint: the data channel is TLS and must match. */
  fingerprint?: string | undefined;
  /** Bounds opening (connect, TLS, token) and then every silence on the channel (§5.4). */
  timeoutMs: number;
  /** Single-port mode (§5.5): the token goes after the `CFTPDATA` magic. */
  singlePort?: boolean;
  /** Reads land here instead of `data` events (a download's FileReceiver). */
  onread?: DataOnRead | undefined;
}

// --- Single-port mode (docs/protocol.md §5.5) -------------------------------------------

/** Where a data connection goes (§5.1, §5.5), and whether it opens with the preamble. */
export interface DataTarget {
  /** A peer address, never a name resolved again (§5.1). */
  address: string;
  port: number;
  singlePort: boolean;
}

/**
 * The target of a `ready`: the announced port at the control connection's peer address, or,
 * when the server listed `single-port` in `welcome`, exactly the address and port the control
 * connection reached (a port forward or NAT in front of the one port then just works). A
 * `ready` that does not fit the mode names no port the client may reach: EPROTO.
 */
export function dataTarget(
  control: Socket,
  address: string,
  ready: { port: number },
  serverFeatures: readonly string[] | undefined,
): DataTarget {
  if (serverFeatures?.includes(SINGLE_PORT_FEATURE) === true) {
    if (ready.port !== 0) {
      throw new ProtocolError('EPROTO', `single-port server announced data port ${ready.port}`);
    }
    const port = control.remotePort;
    if (control.remoteAddress === undefined || port === undefined) {
      throw new ConnectionError('the control connection is closed');
    }
    return { address: control.remoteAddress, port, singlePort: true };
  }
  if (ready.port === 0) {
    throw new ProtocolError(
      'EPROTO',
      'ready without a data port, from a server without single-port',
    );
  }
  return { address, port: ready.port, singlePort: false };
}

/** The first bytes of a data connection: the token, after the magic in single-port mode. */
function opening(token: string, singlePort: boolean): Buffer {
  const raw = Buffer.from(token, 'hex');
  return singlePort ? Buffer.concat([DATA_PREAMBLE_MAGIC, raw]) : raw;
}

// ------------------------------------------------------------------------------------------

/**
 * Connects to a data port and presents the token (§5). With `fingerprint`, the data channel
 * is TLS and must present the same certificate as the control channel (§5.3). The socket
 * must open within `timeoutMs`, and is destroyed with ETIMEDOUT when no byte moves on it,
 * either way, for `timeoutMs` (a stalled sender or receiver, §5.4).
 */
export function openDataSocket(options: DataChannelOptions): Promise<Socket> {
  const { address, host, port, token, fingerprint, timeoutMs } = options;
  const where = `${isIP(address) === 6 ? `[${address}]` : address}:${port}`;
  const limited = timeoutMs > 0 && timeoutMs < Infinity;
  return new Promise((resolve, reject) => {
    const onread = options.onread === undefined ? {} : { onread: options.onread };
    const socket =
      fingerprint === undefined
        ? netConnect({ host: address, port, ...onread })
        : tlsConnect({ host: address, port, ...tlsOptions(host), ...onread });
    const timer = limited
      ? setTimeout(() => {
          socket.destroy();
          reject(
            new TimeoutError(
              `data connection to ${where} did not open within ${formatDuration(timeoutMs)}`,
            ),
          );
        }, timeoutMs)
      : undefined;
    const onError = (error: Error) => {
      clearTimeout(timer);
      reject(new ConnectionError(`data connection to port ${port} failed: ${error.message}`));
    };
    socket.once('error', onError);
    socket.once(fingerprint === undefined ? 'connect' : 'secureConnect', () => {
      if (fingerprint !== undefined && peerFingerprint(socket as TLSSocket) !== fingerprint) {
        clearTimeout(timer);
        socket.destroy();
        reject(new CftpError('ETLS', 'the data channel presented another certificate'));
        return;
      }
      socket.write(opening(token, options.singlePort === true), (error) => {
        clearTimeout(timer);
        if (error !== undefined && error !== null) return; // reported by onError
        socket.off('error', onError);
        socket.on('error', () => {}); // surfaced through the stream pipeline
        if (limited) {
          socket.setTimeout(timeoutMs, () =>
            socket.destroy(
              new TimeoutError(
                `no data for ${formatDuration(timeoutMs)} on the data connection to ${where}`,
              ),
            ),
          );
        }
        resolve(socket);
      });
    });
  });
}

/** How long a failed data channel waits for the server's word on why (see failure()). */
const SETTLE_MS = 2000;

/**
 * Watches a request's final reply while its data moves (§3, §6): if the server ends the
 * request with an `error` mid-transfer (a stall timeout, a full disk, shutdown), the data
 * channel is stopped at once and the server's error is what the caller sees — not a hang
 * waiting for bytes that will never come, nor a bare EDATA.
 */
export function watchFinalReply(
  final: Promise<unknown>,
  aborted: AbortSignal,
): { signal: AbortSignal; failure(local: unknown): Promise<unknown> } {
  const stop = new AbortController();
  final.catch(() => stop.abort());
  return {
    signal: AbortSignal.any([aborted, stop.signal]),
    async failure(local) {
      // A data channel cut under us (EDATA) usually means the server ended the request or
      // died: its final reply, or the control connection's end, says so better than the
      // socket's error (never "cancelled" when the server was killed). Wait for either, a
      // little; the caller then reports the connection's end (it aborts `aborted`).
      if (local instanceof DataChannelError && !stop.signal.aborted && !aborted.aborted) {
        const settle = AbortSignal.any([stop.signal, aborted, AbortSignal.timeout(SETTLE_MS)]);
        await new Promise((resolve) => settle.addEventListener('abort', resolve, { once: true }));
      }
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

/**
 * A data channel's failure as the caller should see it: EDATA unless it says more. A storage
 * error on this side (ENOSPC, EACCES) is local, never a network word: its code and words
 * come from the OS-error table.
 */
export function dataFailure(error: unknown): unknown {
  if (error instanceof CftpError) return error;
  const code = errnoOf(error);
  if (code === 'ABORT_ERR') return error;
  const local = osError(code);
  if (local !== undefined)
    return errorFromCode(local.code, `local ${local.words}`, { cause: error });
  return new DataChannelError('EDATA', `data connection failed: ${networkWords(error)}`);
}

/** Checks the bytes received against the server's final `done` (size and SHA-256). */
export function verify(
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
