// What the screen asks of the outside world, in one place: the connection (connect, lost,
// reconnect), listings and file operations on both sides, and copies turned into queued
// transfers. It talks to the engine only through @cftp/client's public API, and has no React,
// so it is tested against a real server on its own.
import { EventEmitter } from 'node:events';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type CftpClient,
  CftpError,
  type ConnectOptions,
  connect,
  type Entry,
  HostKeyChangedError,
  type SyncOptions,
  type SyncResult,
  sync,
} from '@cftp/client';
import { type ErrorInfo, errorInfo } from './errors.js';
import { listLocal, mkdirLocal, removeLocal, renameLocal, resolvedType } from './local-fs.js';
import { displayPath, remoteJoin, type Side } from './paths.js';
import { type TransferItem, type TransferRequest, Transfers } from './transfers.js';

export type ConnectionPhase = 'idle' | 'connecting' | 'connected' | 'disconnected';

export interface ConnectionStatus {
  phase: ConnectionPhase;
  host: string | undefined;
  port: number | undefined;
  /** Why the last connect failed or the connection was lost. */
  error: ErrorInfo | undefined;
}

export interface ControllerOptions {
  /** Items running at once in the transfer queue (default 2). */
  concurrency?: number;
  /** Files in flight inside one folder transfer (default 4). */
  treeConcurrency?: number;
  /**
   * From the TCP connect to the server's welcome (the engine's hello timeout, default 5 s):
   * past it the peer "is not a CFTP server" (docs/protocol.md §4.3).
   */
  connectTimeoutMs?: number;
  /**
   * TLS trust and credentials for `host` as typed (it may be `user@host`); given by the CLI,
   * which owns known_hosts (docs/security.md). Without it, plaintext.
   */
  security?: SecurityProvider;
  /** Where the CLI pins certificates, named when a pinned one no longer matches. */
  knownHosts?: string | undefined;
}

/**
 * A changed certificate in the CLI's words (apps/cli/src/client-security.ts): both
 * fingerprints, and where the pin lives, so the person knows what to remove if expected.
 */
export function connectErrorInfo(error: unknown, knownHosts: string | undefined): ErrorInfo {
  if (!(error instanceof HostKeyChangedError)) return errorInfo(error);
  const file = knownHosts ?? "cftp's known_hosts file";
  return {
    code: error.code,
    message:
      `the certificate of ${error.where} has CHANGED (now ${error.fingerprint}, pinned ` +
      `${error.pinned}). Someone may be intercepting the connection, or the server got a new ` +
      `key. If the change is expected, remove the server's line from ${file}.`,
  };
}

/**
 * Turns the typed host (and the connect form's user and password, if filled in) into the
 * connect options: the bare host, TLS, user and password, and the client's bound on every
 * wait (`--timeout`, docs/protocol.md §5.4; the engine's default when absent).
 */
export type SecurityProvider = (
  host: string,
  port: number,
  credentials: Credentials | undefined,
) => Promise<Pick<ConnectOptions, 'host' | 'tls' | 'user' | 'password' | 'timeoutMs'>>;

/** What the connect form's user and password fields hold. */
export interface Credentials {
  user: string;
  password: string;
}

export interface ControllerEvents {
  connection: [status: ConnectionStatus];
  /** Something the engine left out without failing (a refused listing name, §6.1). */
  warning: [warning: ErrorInfo];
}

export interface CopyResult {
  queued: TransferItem[];
  /** Names that cannot be copied (symlinks and special files on the server). */
  skipped: string[];
  /**
   * With `askOverwrite`: the file copies whose target already exists, not queued; the screen
   * asks about each and queues the ones to overwrite with `enqueue`.
   */
  existing: TransferRequest[];
}

export class Controller extends EventEmitter<ControllerEvents> {
  readonly transfers: Transfers;
  private credentials: Credentials | undefined;
  private client: CftpClient | undefined;
  private current: ConnectionStatus = {
    phase: 'idle',
    host: undefined,
    port: undefined,
    error: undefined,
  };
  private closing = false;

  constructor(private readonly options: ControllerOptions = {}) {
    super();
    this.transfers = new Transfers({
      client: () => this.client,
      concurrency: options.concurrency ?? 2,
      treeConcurrency: options.treeConcurrency ?? 4,
    });
  }

  get status(): ConnectionStatus {
    return { ...this.current };
  }

  private setStatus(status: ConnectionStatus): void {
    this.current = status;
    this.emit('connection', { ...status });
  }

  /**
   * Connects to `host:port` (replacing any current connection). Resolves true when connected;
   * on failure the status says why and it resolves false, so the screen never sees a throw.
   */
  async connect(host: string, port: number, credentials?: Credentials): Promise<boolean> {
    this.closing = false;
    // Kept for reconnect, in memory only.
    this.credentials = credentials;
    const previous = this.client;
    this.client = undefined;
    previous?.close();
    this.setStatus({ phase: 'connecting', host, port, error: undefined });
    let client: CftpClient;
    try {
      const security = (await this.options.security?.(host, port, credentials)) ?? {
        host,
        ...credentials,
      };
      client = await connect({
        port,
        ...(this.options.connectTimeoutMs === undefined
          ? {}
          : { helloTimeoutMs: this.options.connectTimeoutMs }),
        ...security,
      });
    } catch (error) {
      const info = connectErrorInfo(error, this.options.knownHosts);
      this.setStatus({ phase: 'disconnected', host, port, error: info });
      return false;
    }
    this.client = client;
    client.on('warning', (warning) => this.emit('warning', errorInfo(warning)));
    client.on('close', (error) => {
      if (this.client !== client) return; // replaced or closed on purpose
      this.client = undefined;
      if (this.closing) return;
      const reason = error ?? new CftpError('ECONNECTION', 'connection closed');
      this.setStatus({ phase: 'disconnected', host, port, error: errorInfo(reason) });
    });
    this.setStatus({ phase: 'connected', host, port, error: undefined });
    // Items cut off by a lost connection continue where they stopped.
    this.transfers.requeueInterrupted();
    this.transfers.pump();
    return true;
  }

  /** Connects again to the last address. */
  reconnect(): Promise<boolean> {
    const { host, port } = this.current;
    if (host === undefined || port === undefined) return Promise.resolve(false);
    return this.connect(host, port, this.credentials);
  }

  private requireClient(): CftpClient {
    const client = this.client;
    if (client === undefined || client.isClosed) {
      throw new CftpError('ECONNECTION', 'not connected to the server');
    }
    return client;
  }

  /** Plans (`dryRun`) or runs a sync between a local and a remote folder (@cftp/client sync). */
  sync(options: SyncOptions): Promise<SyncResult> {
    return sync(this.requireClient(), options);
  }

  async list(side: Side, path: string): Promise<Entry[]> {
    if (side === 'local') return listLocal(path);
    return this.requireClient().list(path);
  }

  async mkdir(side: Side, path: string): Promise<void> {
    if (side === 'local') await mkdirLocal(path);
    else await this.requireClient().mkdir(path);
  }

  async rename(side: Side, from: string, to: string): Promise<void> {
    if (side === 'local') await renameLocal(from, to);
    else await this.requireClient().rename(from, to);
  }

  /**
   * Deletes a file or symlink, or an empty folder. A folder with contents is refused with
   * ENOTEMPTY on both sides: the TUI never deletes a tree behind one keypress.
   */
  async remove(side: Side, path: string, type: Entry['type']): Promise<void> {
    try {
      if (side === 'local') await removeLocal(path);
      else if (type === 'dir') await this.requireClient().rmdir(path);
      else await this.requireClient().delete(path);
    } catch (error) {
      if (error instanceof CftpError && error.code === 'ENOTEMPTY') {
        throw new CftpError(
          'ENOTEMPTY',
          `folder "${displayPath(side, path)}" is not empty: delete what is inside it first`,
        );
      }
      throw error;
    }
  }

  /**
   * Queues copies of `entries` of the folder `from` on side `fromSide` into the folder `to` on
   * the other side: get/put for files, getTree/putTree for folders. Local symlinks are
   * followed; remote symlinks and special files are skipped.
   */
  async copy(
    fromSide: Side,
    from: string,
    entries: Entry[],
    to: string,
    options: { askOverwrite?: boolean } = {},
  ): Promise<CopyResult> {
    const queued: TransferItem[] = [];
    const skipped: string[] = [];
    const existing: TransferRequest[] = [];
    for (const entry of entries) {
      let request: TransferRequest | undefined;
      if (fromSide === 'remote') {
        const base = {
          direction: 'get' as const,
          source: remoteJoin(from, entry.name),
          target: join(to, entry.name),
          destination: { side: 'local' as const, folder: to },
        };
        if (entry.type === 'file') {
          request = { ...base, kind: 'file', name: entry.name, size: entry.size };
        } else if (entry.type === 'dir') {
          request = { ...base, kind: 'tree', name: `${entry.name}/` };
        }
      } else {
        const base = {
          direction: 'put' as const,
          source: join(from, entry.name),
          target: remoteJoin(to, entry.name),
          destination: { side: 'remote' as const, folder: to },
        };
        // A broken symlink is skipped like a special file.
        const type =
          entry.type === 'symlink'
            ? await resolvedType(base.source).catch(() => 'other' as const)
            : entry.type;
        if (type === 'file') {
          const size = entry.type === 'file' ? entry.size : undefined;
          request = { ...base, kind: 'file', name: entry.name, size };
        } else if (type === 'dir') {
          request = { ...base, kind: 'tree', name: `${entry.name}/` };
        }
      }
      if (request === undefined) skipped.push(entry.name);
      else if (options.askOverwrite === true && (await this.targetExists(request))) {
        existing.push(request);
      } else queued.push(this.transfers.add(request));
    }
    return { queued, skipped, existing };
  }

  /** Queues a copy the screen decided on (an overwrite the person said yes to). */
  enqueue(request: TransferRequest): TransferItem {
    return this.transfers.add(request);
  }

  /**
   * Whether a file copy would replace something at its target (a folder copy merges, so
   * only files are asked about). A target that cannot be checked counts as absent: the
   * transfer itself then says what is wrong.
   */
  private async targetExists(request: TransferRequest): Promise<boolean> {
    if (request.kind !== 'file') return false;
    if (request.direction === 'get') {
      return (await lstat(request.target).catch(() => undefined)) !== undefined;
    }
    try {
      await this.requireClient().stat(request.target);
      return true;
    } catch {
      return false;
    }
  }

  /** Cancels every transfer, says goodbye to the server and closes. */
  async close(): Promise<void> {
    this.closing = true;
    await this.transfers.cancelAll();
    const client = this.client;
    this.client = undefined;
    await client?.quit();
  }
}
