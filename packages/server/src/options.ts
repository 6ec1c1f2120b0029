// createServer options, their defaults, and the policy hook (docs/protocol.md §12).
import {
  DEFAULT_DATA_ACCEPT_TIMEOUT_MS,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_MAX_FRAME_SIZE,
  DEFAULT_MAX_IN_FLIGHT,
} from '@cftp/protocol';
import type { Storage } from './storage.js';

export type Operation = 'list' | 'get' | 'put' | 'stat' | 'mkdir' | 'rmdir' | 'delete' | 'rename';

export interface SessionInfo {
  /** Server-unique session number, for logs. */
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
}

/** Policy hook: return false to refuse an operation with EACCES. */
export type Authorize = (
  session: SessionInfo,
  operation: Operation,
  path: string,
) => boolean | Promise<boolean>;

export interface ServerOptions {
  /** Folder to serve. Required unless `storage` is given. */
  root?: string;
  /** Storage backend; defaults to a LocalStorage over `root`. */
  storage?: Storage;
  host?: string;
  port?: number;
  maxFrameSize?: number;
  maxInFlight?: number;
  handshakeTimeoutMs?: number;
  dataAcceptTimeoutMs?: number;
  /** How long `close()` lets running transfers finish before aborting them. */
  shutdownDeadlineMs?: number;
  authorize?: Authorize;
  /** Agent string sent in `welcome`. */
  agent?: string;
}

export interface ResolvedOptions {
  maxFrameSize: number;
  maxInFlight: number;
  handshakeTimeoutMs: number;
  dataAcceptTimeoutMs: number;
  shutdownDeadlineMs: number;
  authorize: Authorize | undefined;
  agent: string;
}

export function resolveOptions(options: ServerOptions): ResolvedOptions {
  return {
    maxFrameSize: options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE,
    maxInFlight: options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
    dataAcceptTimeoutMs: options.dataAcceptTimeoutMs ?? DEFAULT_DATA_ACCEPT_TIMEOUT_MS,
    shutdownDeadlineMs: options.shutdownDeadlineMs ?? 10_000,
    authorize: options.authorize,
    agent: options.agent ?? 'cftp-server/0.1.0',
  };
}
