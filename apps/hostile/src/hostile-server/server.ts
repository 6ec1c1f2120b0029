// A hostile CFTP server written from docs/protocol.md alone, for driving the real `cftp`
// client: it speaks the wire format (§2 frames, §4 handshake, §5 data channels, §6 replies)
// well enough to be believed, and each test scripts where it lies: the greeting, the
// welcome, any reply, any data channel. Plaintext, or TLS with a fixed self-signed
// certificate. Listens on 127.0.0.1, port 0. Test code, not production code.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { type ClientMessage, encodeFrame, MessageDecoder, PROTOCOL_VERSION } from '@cftp/protocol';
import { DataChannels, type DataPlan, HOST, type OpenedData } from './data-channel.js';

/** The fixed self-signed pair of the TLS cases (the client pins by fingerprint, §4.1). */
export const TEST_TLS = {
  key: readFileSync(new URL('./tls/key.pem', import.meta.url), 'utf8'),
  cert: readFileSync(new URL('./tls/cert.pem', import.meta.url), 'utf8'),
};

/** What the server does before (or instead of) a `welcome`. */
export type Greeting =
  /** Answers `hello` with a welcome (edited by `HostileOptions.welcome`). */
  | { kind: 'welcome' }
  /** Sends `bytes` when the client connects or when its first bytes arrive, then closes or holds. */
  | { kind: 'bytes'; bytes: Uint8Array; when: 'connect' | 'hello'; after: 'close' | 'hold' }
  /** Accepts (and, under TLS, completes the handshake) and then says nothing at all. */
  | { kind: 'silence' };

type RequestType = ClientMessage['type'];

/** A scripted reply to one request type; the default handlers serve `files`. */
export type Handlers = {
  [T in RequestType]?: (
    request: Extract<ClientMessage, { type: T }>,
    session: HostileSession,
  ) => void | Promise<void>;
};

export interface HostileOptions {
  tls?: boolean;
  greeting?: Greeting;
  /** Fields that replace the default welcome's; a field set to `undefined` is left out. */
  welcome?: Record<string, unknown>;
  /** Runs right after the welcome is sent (e.g. to send a message of an unknown type). */
  afterWelcome?: (session: HostileSession) => void | Promise<void>;
  /** The files the default handlers serve: path → content. Folders are implied by paths. */
  files?: Record<string, Uint8Array | string>;
  handlers?: Handlers;
}

/** What ends a response with data: the truth about the bytes sent, nothing, or a lie. */
export type DonePlan = 'truth' | 'never' | Record<string, unknown>;

/** A fixed mtime for every entry (ms since the epoch). */
export const MTIME = 1_795_636_800_000;

const FEATURES = ['sha256', 'fs', 'resume', 'mtime', 'batch'];

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** One control connection, as the server sees it. */
export class HostileSession {
  /** Every request decoded, in order. */
  readonly requests: ClientMessage[] = [];

  constructor(
    readonly socket: Socket,
    readonly server: HostileServer,
  ) {}

  /** Sends any JSON object as one frame (well-formed framing, any content). */
  send(message: Record<string, unknown>): void {
    this.sendBytes(encodeFrame(Buffer.from(JSON.stringify(message), 'utf8')));
  }

  sendBytes(bytes: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  error(id: number | null, code: string, message: string): void {
    this.send({ type: 'error', id, code, message });
  }

  /**
   * `ready` for request `id` (with `ready` fields on top), then the data channel runs `plan`,
   * then `done` as `done` says: the truth about the bytes of a `send … end` plan, a lie (the
   * truth with the given fields replaced) or never.
   */
  async respond(
    id: number,
    ready: Record<string, unknown>,
    plan: DataPlan,
    done: DonePlan = 'truth',
  ): Promise<OpenedData> {
    const opened = await this.server.data.open(plan);
    this.send({ type: 'ready', id, port: opened.port, token: opened.token, ...ready });
    if (done !== 'never' && plan.kind === 'send' && plan.after === 'end') {
      void opened.written.then(() => {
        if (!opened.record.tokenOk) return;
        const truth = { size: plan.bytes.byteLength, sha256: sha256(plan.bytes) };
        this.send({ type: 'done', id, ...truth, ...(done === 'truth' ? {} : done) });
      });
    }
    return opened;
  }

  /** A download of `bytes` announced as `size` (default: their length). */
  download(
    id: number,
    bytes: Uint8Array,
    options: { size?: number; plan?: DataPlan; done?: DonePlan } = {},
  ): Promise<OpenedData> {
    return this.respond(
      id,
      { size: options.size ?? bytes.byteLength, offset: 0, mtime: MTIME },
      options.plan ?? { kind: 'send', bytes, after: 'end' },
      options.done ?? 'truth',
    );
  }

  /** A listing (§6.1) of these entries (any JSON, one line each), counted in `done`. */
  listing(
    id: number,
    entries: readonly Record<string, unknown>[],
    options: { plan?: DataPlan; done?: DonePlan } = {},
  ): Promise<OpenedData> {
    const text = entries.map((entry) => `${JSON.stringify(entry)}\n`).join('');
    const bytes = Buffer.from(text, 'utf8');
    const done = options.done ?? 'truth';
    return this.respond(
      id,
      {},
      options.plan ?? { kind: 'send', bytes, after: 'end' },
      done === 'truth' ? { count: entries.length } : done,
    );
  }

  end(): void {
    this.socket.end();
  }
}

/** A file entry (§6.1) as the hostile server lists it. */
export function fileEntry(name: string, size: number): Record<string, unknown> {
  return { name, type: 'file', size, mtime: MTIME };
}

export function dirEntry(name: string): Record<string, unknown> {
  return { name, type: 'dir', size: 0, mtime: MTIME };
}

export class HostileServer {
  readonly sessions: HostileSession[] = [];
  readonly data: DataChannels;
  private readonly sockets = new Set<Socket>();
  private readonly files: Map<string, Buffer>;

  private constructor(
    private readonly listener: Server,
    readonly port: number,
    private readonly options: HostileOptions,
  ) {
    this.data = new DataChannels(options.tls === true ? TEST_TLS : undefined);
    this.files = new Map(
      Object.entries(options.files ?? {}).map(([path, content]) => [
        path,
        Buffer.from(content as Uint8Array | string),
      ]),
    );
  }

  static async start(options: HostileOptions = {}): Promise<HostileServer> {
    let server: HostileServer | undefined;
    const onSocket = (socket: Socket) => server?.accept(socket);
    const listener =
      options.tls === true
        ? createTlsServer({ key: TEST_TLS.key, cert: TEST_TLS.cert }, onSocket)
        : createNetServer(onSocket);
    listener.on('error', () => {});
    // A TLS client that gives up mid-handshake is not our concern.
    listener.on('tlsClientError', () => {});
    listener.listen(0, HOST);
    await once(listener, 'listening');
    server = new HostileServer(listener, (listener.address() as { port: number }).port, options);
    return server;
  }

  /** The content of a file the default handlers serve. */
  file(path: string): Buffer | undefined {
    return this.files.get(normal(path));
  }

  async close(): Promise<void> {
    this.listener.close();
    for (const socket of this.sockets) socket.destroy();
    await this.data.closeAll();
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => this.sockets.delete(socket));
    socket.setNoDelay(true);
    const session = new HostileSession(socket, this);
    this.sessions.push(session);
    const greeting = this.options.greeting ?? { kind: 'welcome' };
    if (greeting.kind === 'silence') {
      socket.resume(); // read and drop: a silent peer, not a stuck one
      return;
    }
    if (greeting.kind === 'bytes') {
      const sendIt = () => {
        socket.write(greeting.bytes);
        if (greeting.after === 'close') socket.end();
      };
      if (greeting.when === 'connect') sendIt();
      else socket.once('data', sendIt);
      socket.resume();
      return;
    }
    const decoder = new MessageDecoder({ maxFrameSize: 1024 * 1024 });
    let welcomed = false;
    socket.on('data', (chunk: Buffer) => {
      let results: ReturnType<MessageDecoder['push']>;
      try {
        results = decoder.push(chunk);
      } catch {
        socket.destroy(); // a framing error is fatal (§2)
        return;
      }
      for (const result of results) {
        if (!('message' in result)) continue; // a client's bad frame: not what we test
        const message = result.message as ClientMessage;
        session.requests.push(message);
        if (message.type === 'hello' && !welcomed) {
          welcomed = true;
          session.send(this.welcome(message.id));
          void Promise.resolve(this.options.afterWelcome?.(session)).catch(() => {});
          continue;
        }
        if (welcomed) void this.dispatch(message, session).catch(() => {});
      }
    });
  }

  private welcome(id: number): Record<string, unknown> {
    const welcome: Record<string, unknown> = {
      type: 'welcome',
      id,
      version: PROTOCOL_VERSION,
      features: FEATURES,
      agent: 'hostile/1.0',
      maxFrameSize: 65_536,
      maxInFlight: 16,
    };
    for (const [field, value] of Object.entries(this.options.welcome ?? {})) {
      if (value === undefined) delete welcome[field];
      else welcome[field] = value;
    }
    return welcome;
  }

  private async dispatch(message: ClientMessage, session: HostileSession): Promise<void> {
    const handler = this.options.handlers?.[message.type] as
      | ((request: ClientMessage, session: HostileSession) => void | Promise<void>)
      | undefined;
    if (handler !== undefined) {
      await handler(message, session);
      return;
    }
    await this.serveDefault(message, session);
  }

  /** An honest, read-only server over `files` (§6). */
  private async serveDefault(message: ClientMessage, session: HostileSession): Promise<void> {
    switch (message.type) {
      case 'quit':
        session.send({ type: 'ok', id: message.id });
        session.end();
        return;
      case 'abort':
        return; // §6.4: the data channel's loss ends the request on our side
      case 'stat': {
        const entry = this.entry(message.path);
        if (entry === undefined) session.error(message.id, 'ENOENT', 'no such file or directory');
        else session.send({ type: 'ok', id: message.id, entry });
        return;
      }
      case 'list': {
        const entries = this.children(message.path ?? '');
        if (entries === undefined) session.error(message.id, 'ENOENT', 'no such directory');
        else await session.listing(message.id, entries);
        return;
      }
      case 'get': {
        const bytes = this.file(message.path);
        if (bytes === undefined) session.error(message.id, 'ENOENT', 'no such file');
        else await session.download(message.id, bytes);
        return;
      }
      case 'getmany': {
        const contents = message.paths.map((path) => this.file(path));
        if (contents.some((bytes) => bytes === undefined)) {
          session.error(message.id, 'ENOENT', 'no such file');
          return;
        }
        await serveBatch(session, message.id, contents as Buffer[]);
        return;
      }
      default:
        session.error(message.id, 'EACCES', 'this server is read-only');
    }
  }

  private entry(path: string): Record<string, unknown> | undefined {
    const name = normal(path).split('/').at(-1) || '.';
    const bytes = this.file(path);
    if (bytes !== undefined) return fileEntry(name, bytes.byteLength);
    return this.children(path) === undefined ? undefined : dirEntry(name);
  }

  /** The entries of folder `path`, or undefined when no file lies below it. */
  private children(path: string): Record<string, unknown>[] | undefined {
    const folder = normal(path);
    const prefix = folder === '' ? '' : `${folder}/`;
    const seen = new Map<string, Record<string, unknown>>();
    for (const [file, bytes] of this.files) {
      if (!file.startsWith(prefix)) continue;
      const [name, ...below] = file.slice(prefix.length).split('/');
      if (name === undefined || name === '') continue;
      seen.set(name, below.length > 0 ? dirEntry(name) : fileEntry(name, bytes.byteLength));
    }
    return seen.size === 0 && folder !== '' ? undefined : [...seen.values()];
  }
}

/** A `getmany` (§6.7) of these contents, honest unless `plan`/`done`/`sizes` say otherwise. */
export function serveBatch(
  session: HostileSession,
  id: number,
  contents: readonly Uint8Array[],
  options: { plan?: DataPlan; done?: DonePlan; sizes?: readonly number[] } = {},
): Promise<OpenedData> {
  const sizes = options.sizes ?? contents.map((bytes) => bytes.byteLength);
  const done = options.done ?? 'truth';
  return session.respond(
    id,
    { files: sizes.map((size) => ({ size, mtime: MTIME })) },
    options.plan ?? { kind: 'send', bytes: Buffer.concat(contents), after: 'end' },
    done === 'truth' ? { files: contents.map((bytes) => sha256(bytes)) } : done,
  );
}

/** A protocol path without leading `/`, `./` or trailing `/`; the root is `""`. */
function normal(path: string): string {
  const trimmed = path.replace(/^\/+/, '').replace(/\/+$/, '');
  return trimmed === '.' ? '' : trimmed.replace(/^\.\//, '');
}
