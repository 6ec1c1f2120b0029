// createServer options, their defaults, and the policy hook (docs/protocol.md §12).
// Every resource a client can hold has a limit or a timeout here, with a safe default
// (docs/security.md).

import { createSecureContext, type SecureContext } from 'node:tls';
import {
  DEFAULT_DATA_ACCEPT_TIMEOUT_MS,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_MAX_FRAME_SIZE,
  DEFAULT_MAX_IN_FLIGHT,
  DEFAULT_SERVER_UMASK,
  type DigestAlgorithm,
  featuresFor,
  Reclaimer,
  SINGLE_PORT_MAX_FRAME_SIZE,
} from '@cftp/protocol';
import { packageVersion } from '@cftp/transfer';
import type { DataChannelPlan, PortRange } from './data-channel.js';
import { TokenRegistry } from './single-port.js';
import type { Storage } from './storage.js';

export type Operation = 'list' | 'get' | 'put' | 'stat' | 'mkdir' | 'rmdir' | 'delete' | 'rename';

export interface SessionInfo {
  /** Server-unique session number, for logs. */
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** The account name once `login` succeeded (§4.2); undefined on a server without accounts. */
  readonly user?: string | undefined;
}

/** What a successful `authenticate` gives the session (docs/security.md, "Accounts"). */
export interface Account {
  user: string;
  /** This account's files; defaults to the server's storage. */
  storage?: Storage;
  /** This account's permissions, checked after the server-wide `authorize`. */
  authorize?: Authorize;
}

/**
 * Login hook (§4.2): the account for these credentials, or null. It should take the same
 * time for an unknown user as for a wrong password (hash a dummy); the session adds a fixed
 * delay to every failure on top.
 */
export type Authenticate = (
  user: string,
  password: string,
  session: SessionInfo,
) => Account | null | Promise<Account | null>;

/** TLS material for the control and data channels (PEM). */
export interface ServerTlsOptions {
  key: string | Buffer;
  cert: string | Buffer;
}

/** Policy hook: return false to refuse an operation with EACCES. */
export type Authorize = (
  session: SessionInfo,
  operation: Operation,
  path: string,
) => boolean | Promise<boolean>;

/** Operations that change nothing on the server. */
export const READ_OPERATIONS: ReadonlySet<Operation> = new Set(['list', 'get', 'stat']);

/** An `authorize` hook for a read-only server: list, get and stat only; the rest is EACCES. */
export const readOnly: Authorize = (_session, operation) => READ_OPERATIONS.has(operation);

/**
 * Upload bytes received as Buffers between two minor collections: a batch's data socket
 * (and a single upload's where readInto cannot take the socket) gets a fresh Buffer per TLS
 * read, garbage once copied: every 4 MiB instead of the engines' 16 keeps a 1 GiB put's
 * server peak about 12 MiB lower (docs/performance.md). A single upload read into the
 * receiver's blocks makes no garbage and is not counted; the client reads into its blocks
 * and keeps 16.
 */
export const SERVER_RECLAIM_EVERY_BYTES = 4 * 1024 * 1024;

/** Defaults of the limits below (docs/protocol.md §12, README `cftp server`). */
export const SERVER_DEFAULTS = {
  maxFrameSize: DEFAULT_MAX_FRAME_SIZE,
  maxInFlight: DEFAULT_MAX_IN_FLIGHT,
  maxSessions: 1024,
  maxSessionsPerAddress: 256,
  handshakeTimeoutMs: DEFAULT_HANDSHAKE_TIMEOUT_MS,
  idleTimeoutMs: 300_000,
  dataAcceptTimeoutMs: DEFAULT_DATA_ACCEPT_TIMEOUT_MS,
  dataStallTimeoutMs: 120_000,
  treeDigestWaitMs: 10_000,
  shutdownDeadlineMs: 10_000,
  loginFailureDelayMs: 1000,
  maxLoginFailuresPerAddress: 10,
  loginFailureWindowMs: 10 * 60_000,
  partialMaxAgeMs: 7 * 24 * 3600 * 1000,
  sweepMaxEntries: 100_000,
  /** Masks the source's mode of a new uploaded file (§6.8), as a process umask would. */
  umask: DEFAULT_SERVER_UMASK,
} as const;

export interface ServerOptions {
  /** Folder to serve. Required unless `storage` is given. */
  root?: string;
  /** Storage backend; defaults to a LocalStorage over `root`. */
  storage?: Storage;
  host?: string;
  port?: number;
  /** Largest control frame accepted, checked before buffering (§2). */
  maxFrameSize?: number;
  /**
   * Called after every SERVER_RECLAIM_EVERY_BYTES of upload data received as Buffers, to free
   * the socket read buffers sooner (see Reclaimer in @cftp/protocol); `cftp server` passes
   * V8's minor GC.
   */
  collectGarbage?: () => void;
  /** Requests in flight per session; more get EBUSY (§3). */
  maxInFlight?: number;
  /** Control connections at once, all addresses together; more are refused with EBUSY. */
  maxSessions?: number;
  /** Control connections at once from one remote address; more are refused with EBUSY. */
  maxSessionsPerAddress?: number;
  /** A connection that has not completed `hello` by then is closed (§4). */
  handshakeTimeoutMs?: number;
  /** A session with no control message and no transfer for this long is closed (§10). */
  idleTimeoutMs?: number;
  /** No data connection (or no `done` after an upload's data) by then: ETIMEDOUT (§5). */
  dataAcceptTimeoutMs?: number;
  /** No byte either way on a connected data channel for this long: ETIMEDOUT (§5). */
  dataStallTimeoutMs?: number;
  /**
   * How long a `tree` line waits for a file's digest before it goes without one (§6.10), so
   * the stream is never silent long enough to trip a client's no-data timeout.
   */
  treeDigestWaitMs?: number;
  /** How long `close()` lets running transfers finish before aborting them. */
  shutdownDeadlineMs?: number;
  /**
   * After `listen()`, remove leftover temporary upload files (§8) in the background, and
   * resumable partials older than `partialMaxAgeMs`. Default true; the storage must
   * implement `sweep`.
   */
  sweepOnStart?: boolean;
  /** Age after which a resumable partial upload is removed by the start-up sweep. */
  partialMaxAgeMs?: number;
  /** The start-up sweep visits at most this many entries. */
  sweepMaxEntries?: number;
  authorize?: Authorize;
  /** When set, every session must `login` before any other request (§4.2). */
  authenticate?: Authenticate;
  /** Every failed login is answered after this delay, whatever the reason (§4.2). */
  loginFailureDelayMs?: number;
  /** Failed logins from one address within `loginFailureWindowMs`; then EAUTH and close. */
  maxLoginFailuresPerAddress?: number;
  loginFailureWindowMs?: number;
  /** TLS on the control channel and every data channel (§4.1, §5.3). Plaintext without it. */
  tls?: ServerTlsOptions;
  /** Agent string sent in `welcome`. */
  agent?: string;
  /**
   * Bits taken away from the source's mode of a new uploaded file (§6.8); 0 to 0o777,
   * default 0o022. An overwritten file keeps its mode; `exactMode` ignores the umask.
   */
  umask?: number;
  /**
   * Single-port mode (docs/protocol.md §5.5): data connections arrive on the listening port
   * itself, no other listener is ever opened; only clients with feature `single-port`.
   */
  singlePort?: boolean;
  /** Classic mode: open data listeners only on ports `low`…`high`; EBUSY when all are taken. */
  dataPorts?: PortRange;
  /**
   * The fastest digest to offer (docs/protocol.md §7.1): `blake3` (the default) lists the
   * `blake3` feature; `sha256` holds every session to SHA-256.
   */
  digest?: DigestAlgorithm;
}

export interface ResolvedOptions {
  maxFrameSize: number;
  maxInFlight: number;
  maxSessions: number;
  maxSessionsPerAddress: number;
  handshakeTimeoutMs: number;
  idleTimeoutMs: number;
  dataAcceptTimeoutMs: number;
  dataStallTimeoutMs: number;
  treeDigestWaitMs: number;
  shutdownDeadlineMs: number;
  sweepOnStart: boolean;
  partialMaxAgeMs: number;
  sweepMaxEntries: number;
  authorize: Authorize | undefined;
  authenticate: Authenticate | undefined;
  loginFailureDelayMs: number;
  maxLoginFailuresPerAddress: number;
  loginFailureWindowMs: number;
  tls: SecureContext | undefined;
  agent: string;
  umask: number;
  /** Single-port mode (§5.5): `welcome` lists the feature, clients without it are refused. */
  singlePort: boolean;
  /** How data channels are opened; holds the server's shared state (tokens, ports held). */
  dataChannels: DataChannelPlan;
  /** What `welcome` lists (§4, §7.1). */
  features: string[];
  /** Shared by every session: counts upload bytes received, collects garbage now and then. */
  reclaimer: Reclaimer;
}

/** A positive integer option, or its default; anything else is a programming error. */
function positive(name: keyof typeof SERVER_DEFAULTS, value: number | undefined): number {
  const resolved = value ?? SERVER_DEFAULTS[name];
  if (!Number.isSafeInteger(resolved) || resolved < 1) {
    throw new RangeError(`createServer: ${name} must be a positive integer, got ${value}`);
  }
  return resolved;
}

/** A umask is permission bits only: an integer from 0 to 0o777. */
function checkedUmask(value: number | undefined): number {
  const umask = value ?? SERVER_DEFAULTS.umask;
  if (!Number.isSafeInteger(umask) || umask < 0 || umask > 0o777) {
    throw new RangeError(`createServer: umask must be an integer from 0 to 0o777, got ${value}`);
  }
  return umask;
}

export function resolveOptions(options: ServerOptions): ResolvedOptions {
  return {
    maxFrameSize: positive('maxFrameSize', options.maxFrameSize),
    maxInFlight: positive('maxInFlight', options.maxInFlight),
    maxSessions: positive('maxSessions', options.maxSessions),
    maxSessionsPerAddress: positive('maxSessionsPerAddress', options.maxSessionsPerAddress),
    handshakeTimeoutMs: positive('handshakeTimeoutMs', options.handshakeTimeoutMs),
    idleTimeoutMs: positive('idleTimeoutMs', options.idleTimeoutMs),
    dataAcceptTimeoutMs: positive('dataAcceptTimeoutMs', options.dataAcceptTimeoutMs),
    dataStallTimeoutMs: positive('dataStallTimeoutMs', options.dataStallTimeoutMs),
    treeDigestWaitMs: positive('treeDigestWaitMs', options.treeDigestWaitMs),
    shutdownDeadlineMs: Math.max(
      0,
      options.shutdownDeadlineMs ?? SERVER_DEFAULTS.shutdownDeadlineMs,
    ),
    sweepOnStart: options.sweepOnStart ?? true,
    partialMaxAgeMs: positive('partialMaxAgeMs', options.partialMaxAgeMs),
    sweepMaxEntries: positive('sweepMaxEntries', options.sweepMaxEntries),
    authorize: options.authorize,
    authenticate: options.authenticate,
    loginFailureDelayMs: Math.max(
      0,
      options.loginFailureDelayMs ?? SERVER_DEFAULTS.loginFailureDelayMs,
    ),
    maxLoginFailuresPerAddress: positive(
      'maxLoginFailuresPerAddress',
      options.maxLoginFailuresPerAddress,
    ),
    loginFailureWindowMs: positive('loginFailureWindowMs', options.loginFailureWindowMs),
    tls: options.tls === undefined ? undefined : createSecureContext(options.tls),
    agent:
      options.agent ?? `cftp-server/${packageVersion(new URL('../package.json', import.meta.url))}`,
    umask: checkedUmask(options.umask),
    singlePort: options.singlePort === true,
    dataChannels: dataChannelPlan(options),
    features: featuresFor(options.digest ?? 'blake3'),
    reclaimer: new Reclaimer(options.collectGarbage, SERVER_RECLAIM_EVERY_BYTES),
  };
}

/** A data-port range must be real ports, low ≤ high; anything else is a programming error. */
function checkedRange(range: PortRange): PortRange {
  const { low, high } = range;
  const valid = (port: number) => Number.isSafeInteger(port) && port >= 1 && port <= 65535;
  if (!valid(low) || !valid(high) || low > high) {
    throw new RangeError(
      `createServer: dataPorts must be 1 ≤ low ≤ high ≤ 65535, got ${low}-${high}`,
    );
  }
  return { low, high };
}

function dataChannelPlan(options: ServerOptions): DataChannelPlan {
  if (options.singlePort !== true) {
    const ports = options.dataPorts === undefined ? undefined : checkedRange(options.dataPorts);
    return { kind: 'classic', ports, held: new Set() };
  }
  if (options.dataPorts !== undefined) {
    throw new TypeError(
      'createServer: dataPorts has no meaning with singlePort (no data listeners)',
    );
  }
  // §5.5: a control connection's first byte must never be the magic's `C` (0x43).
  if ((options.maxFrameSize ?? SERVER_DEFAULTS.maxFrameSize) >= SINGLE_PORT_MAX_FRAME_SIZE) {
    throw new RangeError(
      `createServer: with singlePort, maxFrameSize must be below ${SINGLE_PORT_MAX_FRAME_SIZE}`,
    );
  }
  return { kind: 'single-port', registry: new TokenRegistry() };
}
