// Fixtures for the client engine tests: temp folders, the real server from @cftp/server on
// 127.0.0.1 port 0, connected clients, and scriptable fake servers built from net and the
// codec alone (for replies the real server would never send). All torn down in afterEach.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import {
  type ClientMessage,
  encodeMessage,
  MessageDecoder,
  type ServerMessage,
  TOKEN_BYTES,
} from '@cftp/protocol';
import { type CftpServer, createServer, type ServerOptions } from '@cftp/server';
import { afterEach } from 'vitest';
import { type CftpClient, type ConnectOptions, connect } from '../src/index.js';

export const HOST = '127.0.0.1';

export interface RealServer {
  server: CftpServer;
  port: number;
  root: string;
}

/** A control connection accepted by a fake server. */
export interface FakeSession {
  readonly socket: Socket;
  send(message: ServerMessage): void;
  /**
   * Opens a one-connection data listener; `connection` resolves after the token is read.
   * With `tls` (a key and certificate), the data channel is TLS and presents that one.
   */
  openData(tls?: TlsOptions): Promise<FakeData>;
}

export interface FakeData {
  port: number;
  token: string;
  connection: Promise<Socket>;
}

/** Called for every client message after the fake's automatic `welcome`. */
export type FakeHandler = (message: ClientMessage, session: FakeSession) => void;

export interface Fixture {
  tempDir(): Promise<string>;
  /** The real server over a fresh temp root (or `options.root`). */
  startServer(options?: Partial<ServerOptions>): Promise<RealServer>;
  connect(port: number, options?: Partial<ConnectOptions>): Promise<CftpClient>;
  /**
   * A server that completes the handshake (listing `features` in `welcome`, default
   * `sha256` only) and passes every later message to `handler`. With `tls` (a key and
   * certificate), the control channel is TLS from its first byte.
   */
  startFake(handler: FakeHandler, features?: readonly string[], tls?: TlsOptions): Promise<number>;
  /** A plain TCP server that accepts and never says anything. */
  startSilent(): Promise<number>;
  /** A port on 127.0.0.1 that was just free (nothing listens on it). */
  closedPort(): Promise<number>;
}

export function useFixture(): Fixture {
  let dirs: string[] = [];
  let servers: CftpServer[] = [];
  let clients: CftpClient[] = [];
  let netServers: Server[] = [];
  let sockets: Socket[] = [];

  afterEach(async () => {
    for (const client of clients) client.close();
    for (const socket of sockets) socket.destroy();
    await Promise.all(servers.map((server) => server.close(0)));
    await Promise.all(
      netServers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    dirs = [];
    servers = [];
    clients = [];
    netServers = [];
    sockets = [];
  });

  async function listen(server: Server): Promise<number> {
    netServers.push(server);
    server.on('connection', (socket: Socket) => {
      sockets.push(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('not listening');
    return address.port;
  }

  async function openData(tls?: TlsOptions): Promise<FakeData> {
    const token = randomBytes(TOKEN_BYTES);
    const listener = tls === undefined ? createNetServer() : createTlsServer(tls);
    const port = await listen(listener);
    const connection = new Promise<Socket>((resolve) => {
      listener.once(tls === undefined ? 'connection' : 'secureConnection', (socket: Socket) => {
        listener.close();
        socket.on('error', () => {}); // a TLS socket is not the raw one `listen` guards
        let received = Buffer.alloc(0);
        const onData = (chunk: Buffer) => {
          received = Buffer.concat([received, chunk]);
          if (received.byteLength < TOKEN_BYTES) return;
          socket.off('data', onData);
          socket.pause();
          if (!received.subarray(0, TOKEN_BYTES).equals(token)) socket.destroy();
          else resolve(socket);
        };
        socket.on('data', onData);
      });
    });
    return { port, token: token.toString('hex'), connection };
  }

  const fixture: Fixture = {
    async tempDir() {
      const dir = await mkdtemp(join(tmpdir(), 'cftp-client-test-'));
      dirs.push(dir);
      return dir;
    },
    async startServer(options = {}) {
      const root = options.root ?? (await fixture.tempDir());
      const server = createServer({ ...options, root, host: HOST, port: 0 });
      servers.push(server);
      const { port } = await server.listen();
      return { server, port, root };
    },
    async connect(port, options = {}) {
      const client = await connect({ host: HOST, port, timeoutMs: 5000, ...options });
      clients.push(client);
      return client;
    },
    async startFake(handler, features = ['sha256'], tls) {
      const onSession = (socket: Socket) => {
        socket.on('error', () => {}); // a TLS socket is not the raw one `listen` guards
        const decoder = new MessageDecoder();
        const session: FakeSession = {
          socket,
          send: (message) => {
            if (!socket.destroyed) socket.write(encodeMessage(message));
          },
          openData,
        };
        socket.on('data', (chunk: Buffer) => {
          for (const result of decoder.push(chunk)) {
            if (!('message' in result)) continue;
            const message = result.message as ClientMessage;
            if (message.type === 'hello') {
              session.send({
                type: 'welcome',
                id: message.id,
                version: 1,
                features: [...features],
                agent: 'fake/0',
                maxFrameSize: 65536,
                maxInFlight: 16,
              });
            } else handler(message, session);
          }
        });
      };
      return listen(
        tls === undefined ? createNetServer(onSession) : createTlsServer(tls, onSession),
      );
    },
    async startSilent() {
      return listen(createNetServer());
    },
    async closedPort() {
      const probe = createNetServer();
      await new Promise<void>((resolve) => probe.listen(0, HOST, resolve));
      const address = probe.address();
      if (address === null || typeof address === 'string') throw new Error('not listening');
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      return address.port;
    },
  };
  return fixture;
}

// One home for these test helpers (@cftp/wire-test); `writeRandom` here returns the bytes.
export {
  blake3,
  sha256,
  sha256File,
  writeRandomBytes as writeRandom,
} from '@cftp/wire-test';

/** Names in `dir` that look like transfer temp files (`.name.cftp-<hex>.part`). */
export async function partFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => /\.cftp-(resume-)?[0-9a-f]{16}\.part$/.test(name));
}

/** The rejection of `promise` (failing if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<{ code?: unknown }> {
  try {
    await promise;
  } catch (error) {
    if (typeof error === 'object' && error !== null) return error as { code?: unknown };
    throw new Error(`rejected with a non-object: ${String(error)}`);
  }
  throw new Error('expected a rejection, but the promise resolved');
}
