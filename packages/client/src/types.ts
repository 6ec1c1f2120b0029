// The client's vocabulary: the options and results of its public calls, and the two small
// interfaces its layers talk through. The operation modules (list, get, put, batch, fs-ops)
// see the connection only as a `Session`; the many-file and tree modules see the client only
// as `RemoteFiles`. Nothing here imports a client module, so no layer imports its caller.
import type { Socket } from 'node:net';
import type {
  CftpError,
  ClientMessage,
  DigestAlgorithm,
  Entry,
  ServerMessage,
  Welcome,
} from '@cftp/protocol';

export interface ConnectOptions {
  host: string;
  port: number;
  /**
   * Bounds every wait after the handshake (docs/protocol.md §5.4; default 60 s, `--timeout`):
   * for a reply, for a data connection to open, for the next byte on a data channel, for
   * the final reply after the data. On expiry the request fails with ETIMEDOUT, the server
   * is told (`abort`), and the session goes on. Also bounds `login`.
   */
  timeoutMs?: number;
  /**
   * From the TCP connect to a valid `welcome` (§4.3; default 5 s): a peer that has not
   * completed TLS and answered `hello` by then "is not a CFTP server" (EPROTO).
   */
  helloTimeoutMs?: number;
  /** Most entries the client accepts in one listing (§6.1; default MAX_LIST_ENTRIES). */
  maxListEntries?: number;
  /** Longest listing line the client accepts, `\n` excluded (§6.1; default MAX_LIST_LINE_BYTES). */
  maxListLineBytes?: number;
  signal?: AbortSignal;
  maxFrameSize?: number;
  agent?: string;
  /**
   * Called after every 16 MiB of download data received, to free socket read buffers
   * sooner (see Reclaimer in @cftp/protocol); `cftp` passes V8's minor GC.
   */
  collectGarbage?: () => void;
  /**
   * The fastest digest to offer (docs/protocol.md §7.1): `blake3` (the default) lists the
   * `blake3` feature, used when the server lists it too; `sha256` holds the session to SHA-256.
   */
  digest?: DigestAlgorithm;
  /**
   * TLS on the control and data channels (docs/protocol.md §4.1). Without it the session is
   * plaintext (what `--insecure-plaintext` asks for). The server's certificate is checked
   * by its fingerprint only, SSH-style: equal to `fingerprint` when given (compared during
   * the TLS handshake: a mismatch is HostKeyChangedError, ETLS), else accepted when
   * `onUnknownHost` says so — asked only after a valid `welcome` (§4.3), so a peer that is
   * not a CFTP server is never pinned. With neither, it is refused.
   */
  tls?: ClientTlsOptions;
  /** Account to log in as (§4.2), when the server asks for one. */
  user?: string;
  password?: string;
}

export interface ClientTlsOptions {
  /** `SHA256:<base64>` of the server certificate's DER; any other certificate is refused. */
  fingerprint?: string;
  /**
   * Asked about a server whose fingerprint is not pinned, after its valid `welcome` and
   * before `login` (§4.3: hello and welcome carry no secrets); resolve true to go on.
   */
  onUnknownHost?: (fingerprint: string) => boolean | Promise<boolean>;
}

export interface Progress {
  /** Bytes moved so far. */
  bytes: number;
  /** Expected total, when known. */
  total: number | undefined;
  /** Average rate since the start, bytes per second, of the bytes moved (`resumed` left out). */
  rate: number;
  /** Bytes of `bytes` already in place from an interrupted transfer: hashed, not moved. */
  resumed?: number;
}

export type ProgressListener = (progress: Progress) => void;

export interface OperationOptions {
  signal?: AbortSignal;
}

export interface TransferOptions extends OperationOptions {
  onProgress?: ProgressListener;
  /**
   * `-p` (docs/protocol.md §6.8): the received file gets exactly the source's mode, new or
   * overwritten. Without it a new file gets the source's mode masked by the receiver's umask
   * and an overwritten one keeps its own.
   */
  exactMode?: boolean;
}

export interface TransferResult {
  /** Bytes moved by this call (without a resumed prefix). */
  bytes: number;
  /** The digest (hex) of the whole file, in `algorithm`: the session's digest (§7.1). */
  digest: string;
  /** The session's digest algorithm (§7.1): `blake3` when both peers list it, else `sha256`. */
  algorithm: DigestAlgorithm;
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
  /** Something left out that did not fail the operation: a listing entry refused (§6.1). */
  warning: [warning: CftpError];
}

/** What the server said in `welcome`. */
export type ServerInfo = Pick<
  Welcome,
  'agent' | 'version' | 'features' | 'maxFrameSize' | 'maxInFlight' | 'login'
>;

/** A reply of one type. */
export type Reply<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

/** A socket's `onread` option (net.connect): where reads land and who is told. */
export interface DataOnRead {
  buffer: () => Uint8Array;
  callback: (bytes: number, buffer: Uint8Array) => boolean;
}

/** One request in flight, as an operation's body sees it. */
export interface Exchange {
  readonly id: number;
  /** Aborted when the caller aborts or the control connection goes (§11). */
  readonly aborted: AbortSignal;
  /** The next reply to this request, which must be a `type`; an `error` reply is thrown. */
  expect<T extends ServerMessage['type']>(type: T): Promise<Reply<T>>;
  /** Sends a follow-up message of this request (an upload's `done`). */
  send(message: ClientMessage): void;
  /** Tells the server to drop this request (§6.4); its late replies are ignored. */
  abandon(): void;
  /**
   * Opens this request's data channel from its `ready` reply (§5). With `onread`, every read
   * lands in the receiver's buffers (net/tls `onread`) instead of a `data` event.
   */
  openData(ready: { port: number; token: string }, onread?: DataOnRead): Promise<Socket>;
}

/** The client's own bounds on what a server sends (docs/protocol.md §5.4, §6.1, §12). */
export interface ClientLimits {
  /** Every wait after the handshake, in ms. */
  timeoutMs: number;
  maxListEntries: number;
  maxListLineBytes: number;
}

/** The connection core as the operation modules use it. */
export interface Session {
  /** The client's own bounds (§5.4). */
  readonly limits: ClientLimits;
  /** What the server said in `welcome` (undefined before the handshake). */
  readonly server: ServerInfo | undefined;
  /** The session's digest (§7.1), fixed by the handshake; SHA-256 before it. */
  readonly digest: DigestAlgorithm;
  /**
   * Runs one request, within the server's `maxInFlight`, with abort support: on abort the
   * server is told (§6.4), `body`'s own cleanup releases local resources, and the promise
   * rejects with ECANCELED.
   */
  operation<T>(
    signal: AbortSignal | undefined,
    start: (id: number) => ClientMessage,
    body: (exchange: Exchange) => Promise<T>,
  ): Promise<T>;
  /** Notes download bytes received (memory reclaim). */
  received(bytes: number): void;
}

/** The client as the many-file and tree modules use it. */
export interface RemoteFiles {
  readonly server: ServerInfo | undefined;
  list(path: string, options?: OperationOptions): Promise<Entry[]>;
  stat(path: string, options?: OperationOptions): Promise<Entry>;
  mkdir(path: string, options?: OperationOptions): Promise<void>;
  symlink(path: string, target: string, options?: OperationOptions): Promise<void>;
  get(remote: string, local: string, options?: GetOptions): Promise<TransferResult>;
  put(local: string, remote: string, options?: PutOptions): Promise<TransferResult>;
  getMany(items: readonly BatchItem[], options?: BatchOptions): Promise<BatchResult>;
  putMany(items: readonly BatchItem[], options?: BatchOptions): Promise<BatchResult>;
}
