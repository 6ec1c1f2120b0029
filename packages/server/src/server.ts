// The CFTP server engine: accepts control connections and runs a Session for each.
// A library first: `createServer(options)` → listen / close / address / handle, plus events.
import { EventEmitter } from 'node:events';
import {
  type AddressInfo,
  createServer as createNetServer,
  type Server,
  type Socket,
} from 'node:net';
import { CftpError } from '@cftp/protocol';
import {
  type ResolvedOptions,
  resolveOptions,
  type ServerOptions,
  type SessionInfo,
} from './options.js';
import { type OperationEvent, Session } from './session.js';
import { LocalStorage, type Storage } from './storage.js';

export interface CftpServerEvents {
  /** A control connection was accepted. */
  session: [session: SessionInfo];
  /** A session ended. */
  sessionClose: [session: SessionInfo, reason: string];
  /** One list/get/put finished, successfully or not. */
  operation: [event: OperationEvent];
  error: [error: Error];
}

export class CftpServer extends EventEmitter<CftpServerEvents> {
  private readonly options: ResolvedOptions;
  private readonly storage: Storage;
  private readonly listener: Server;
  private readonly sessions = new Set<Session>();
  private nextSessionId = 1;
  private closing: Promise<void> | undefined;

  constructor(private readonly config: ServerOptions) {
    super();
    if (config.storage === undefined && config.root === undefined) {
      throw new TypeError('createServer needs `root` or `storage`');
    }
    this.options = resolveOptions(config);
    this.storage = config.storage ?? new LocalStorage(config.root as string);
    this.listener = createNetServer((socket) => this.handle(socket));
    this.listener.on('error', (error) => this.emit('error', error));
  }

  /** Starts listening; resolves with the bound address (port 0 picks a free port). */
  listen(port = this.config.port ?? 0, host = this.config.host): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.listener.once('error', onError);
      this.listener.listen({ port, host }, () => {
        this.listener.off('error', onError);
        resolve(this.address());
      });
    });
  }

  address(): AddressInfo {
    const address = this.listener.address();
    if (address === null || typeof address === 'string') throw new Error('server is not listening');
    return address;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Runs a session on an already-connected socket (the listener calls this too). */
  handle(socket: Socket): void {
    if (this.closing !== undefined) {
      socket.destroy();
      return;
    }
    const session = new Session(this.nextSessionId++, socket, this.storage, this.options, {
      onOperation: (event) => this.emit('operation', event),
      onClose: (closed, reason) => {
        this.sessions.delete(closed);
        this.emit('sessionClose', closed, reason);
      },
    });
    this.sessions.add(session);
    this.emit('session', session);
  }

  /**
   * Graceful shutdown (docs/protocol.md §10): stop accepting, let transfers in flight finish
   * for up to `deadlineMs`, abort the rest with ESHUTDOWN, close every session.
   */
  close(deadlineMs = this.options.shutdownDeadlineMs): Promise<void> {
    this.closing ??= this.shutdown(deadlineMs);
    return this.closing;
  }

  private async shutdown(deadlineMs: number): Promise<void> {
    const stopped = new Promise<void>((resolve) => {
      if (this.listener.listening) this.listener.close(() => resolve());
      else resolve();
    });
    const sessions = [...this.sessions];
    const drained = Promise.all(sessions.map((session) => session.drain()));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), deadlineMs);
    });
    if ((await Promise.race([drained, deadline])) === 'late') {
      const reason = new CftpError('ESHUTDOWN', 'the server is shutting down');
      for (const session of sessions) session.abortAll(reason);
      await Promise.race([drained, new Promise((r) => setTimeout(r, 1000))]);
    }
    clearTimeout(timer);
    const notice = new CftpError('ESHUTDOWN', 'the server is shutting down');
    for (const session of this.sessions) session.close('server shutdown', notice);
    await stopped;
  }
}

export function createServer(options: ServerOptions): CftpServer {
  return new CftpServer(options);
}
