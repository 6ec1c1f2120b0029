// The CFTP client engine's public face (docs/protocol.md): one control connection, promise
// operations with progress and AbortSignal. Each operation lives in its own module (list,
// get, put, batch, fs-ops, files, tree) and talks to the connection core (connection.ts)
// through the Session interface. No terminal code: the CLI and TUI sit on top of this.
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { DigestAlgorithm, Entry } from '@cftp/protocol';
import { getMany, putMany } from './batch.js';
import { Connection } from './connection.js';
import { type FileItem, type FilesOptions, type FilesResult, moveFiles } from './files.js';
import * as fsOps from './fs-ops.js';
import { get } from './get.js';
import { list } from './list.js';
import { put } from './put.js';
import { getTree, putTree, type TreeOptions, type TreeResult } from './tree.js';
import { type TreeListing, type TreeListOptions, treeListing } from './tree-list.js';
import type {
  BatchItem,
  BatchOptions,
  BatchResult,
  CftpClientEvents,
  ClientLimits,
  GetOptions,
  OperationOptions,
  PutOptions,
  RemoteFiles,
  ServerInfo,
  TransferResult,
} from './types.js';

export interface ClientOptions {
  host: string;
  port: number;
  /** The connected control socket (TLS already negotiated when `fingerprint` is set). */
  socket: Socket;
  maxFrameSize: number;
  /** The server certificate's fingerprint when the session is TLS; data channels must match. */
  fingerprint?: string | undefined;
  /** See ConnectOptions.collectGarbage. */
  collectGarbage?: (() => void) | undefined;
  /** The client's own waits and limits (§5.4). */
  limits: ClientLimits;
  /** See ConnectOptions.digest. */
  digest?: DigestAlgorithm | undefined;
}

export class CftpClient extends EventEmitter<CftpClientEvents> implements RemoteFiles {
  readonly host: string;
  readonly port: number;
  /** The server certificate's fingerprint when the session is TLS. */
  readonly fingerprint: string | undefined;
  private readonly session: Connection;

  constructor(options: ClientOptions) {
    super();
    this.host = options.host;
    this.port = options.port;
    this.fingerprint = options.fingerprint;
    this.session = new Connection({ ...options, onClose: (error) => this.emit('close', error) });
  }

  /** What the server said in `welcome`. */
  get server(): ServerInfo | undefined {
    return this.session.server;
  }

  /** The session's digest (§7.1): `blake3` when both peers list it, else `sha256`. */
  get digest(): DigestAlgorithm {
    return this.session.digest;
  }

  get isClosed(): boolean {
    return this.session.isClosed;
  }

  /** Lists a remote folder (§6.1). Every name is checked before it is returned. */
  list(path = '', options: OperationOptions = {}): Promise<Entry[]> {
    return list(this.session, path, {
      ...options,
      onWarning: (warning) => this.emit('warning', warning),
    });
  }

  /**
   * The whole subtree below `path` (§6.10), entries named by their path below it, streamed
   * (`for await`) as the caller reads them: one `tree` request when the server offers it,
   * else one `list` per folder. `digest: true` asks the server for each file's digest.
   */
  tree(path = '', options: TreeListOptions = {}): TreeListing {
    return treeListing(this.session, path, {
      ...options,
      onWarning: (warning) => {
        options.onWarning?.(warning);
        this.emit('warning', warning);
      },
    });
  }

  /**
   * Downloads `remote` to the local path `local` (§6.2). The bytes go to a partial file
   * beside it, which is fsynced and renamed into place only after size and digest match.
   * An interrupted download keeps its partial file; `resume: true` continues from it.
   */
  get(remote: string, local: string, options: GetOptions = {}): Promise<TransferResult> {
    return get(this.session, remote, local, options);
  }

  /**
   * Uploads the local file `local` to `remote` (§6.3); the server commits it atomically
   * with the local mtime. `resume: true` makes an interrupted upload resumable, and
   * continues one: it costs one extra read of the file, for its digest.
   */
  put(local: string, remote: string, options: PutOptions = {}): Promise<TransferResult> {
    return put(this.session, local, remote, options);
  }

  /**
   * Downloads a remote folder tree into `local`, several files at a time (small ones in
   * batches), keeping file and folder mtimes. Symlinks and special files are skipped (listed in
   * the result). See FilesOptions for progress, resume and `skipExisting`.
   */
  getTree(remote: string, local: string, options: TreeOptions = {}): Promise<TreeResult> {
    return getTree(this, remote, local, options);
  }

  /**
   * Uploads a local folder tree into `remote` (merging into folders already there), several
   * files at a time (small ones in batches), keeping file mtimes; remote names are NFC.
   */
  putTree(local: string, remote: string, options: TreeOptions = {}): Promise<TreeResult> {
    return putTree(this, local, remote, options);
  }

  /** Downloads many files as getTree does, each to its own local path (its folder must exist). */
  getFiles(items: readonly FileItem[], options: FilesOptions = {}): Promise<FilesResult> {
    return moveFiles(this, 'get', items, options);
  }

  /** Uploads many files as putTree does, each to its own remote path (its folder must exist). */
  putFiles(items: readonly FileItem[], options: FilesOptions = {}): Promise<FilesResult> {
    return moveFiles(this, 'put', items, options);
  }

  /**
   * Uploads several local files over one data channel (§6.7): one round trip for all, each
   * file verified on its own; the server commits them only if every one arrived intact.
   */
  putMany(items: readonly BatchItem[], options: BatchOptions = {}): Promise<BatchResult> {
    return putMany(this.session, items, options);
  }

  /**
   * Downloads several remote files over one data channel (§6.7). Each is written to its
   * partial file, verified on its own, given its remote mtime and renamed into place.
   */
  getMany(items: readonly BatchItem[], options: BatchOptions = {}): Promise<BatchResult> {
    return getMany(this.session, items, options);
  }

  /** Describes one remote entry, not following a final symlink (§6.6). */
  stat(path: string, options: OperationOptions = {}): Promise<Entry> {
    return fsOps.stat(this.session, path, options);
  }

  /** Creates one remote folder; its parent must exist (§6.6). */
  mkdir(path: string, options: OperationOptions = {}): Promise<void> {
    return fsOps.mkdir(this.session, path, options);
  }

  /** Creates a remote symlink that stays inside the server's root (feature `links`, §6.9). */
  symlink(path: string, target: string, options: OperationOptions = {}): Promise<void> {
    return fsOps.symlink(this.session, path, target, options);
  }

  /** Removes an empty remote folder (§6.6). */
  rmdir(path: string, options: OperationOptions = {}): Promise<void> {
    return fsOps.rmdir(this.session, path, options);
  }

  /** Removes a remote file or symlink (§6.6). */
  delete(path: string, options: OperationOptions = {}): Promise<void> {
    return fsOps.remove(this.session, path, options);
  }

  /** Renames or moves a remote entry; never replaces an existing `to` (§6.6). */
  rename(from: string, to: string, options: OperationOptions = {}): Promise<void> {
    return fsOps.rename(this.session, from, to, options);
  }

  /** Says hello and waits for welcome (§4); `connect` calls this once. */
  handshake(agent: string): Promise<void> {
    return this.session.handshake(agent);
  }

  /** Ends a handshake that saw no valid welcome in time: "not a CFTP server" (§4.3). */
  helloExpired(what: string): void {
    this.session.helloExpired(what);
  }

  /** Logs in (§4.2); EAUTH for a wrong user name or password. `connect` calls this. */
  login(user: string, password: string): Promise<void> {
    return this.session.login(user, password);
  }

  /** Ends the session politely (§6.5): waits for the server's `ok`, then closes. */
  quit(): Promise<void> {
    return this.session.quit();
  }

  /** Closes the connection at once; operations in flight fail with ECONNECTION. */
  close(): void {
    this.session.close();
  }
}
