// A raw CFTP wire client for tests (docs/protocol.md §2–§5), built on @cftp/protocol's
// codec only: a control connection that records every reply, and data-channel connections
// (plain or TLS) that present any token from any loopback address. A package of its own
// (@cftp/wire-test, needing only the codec and Node) so that packages/server's tests and the
// hostile suite can depend on it without depending on apps/ or on the engines they test.
import { connect as netConnect, type Socket } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import {
  type ClientMessage,
  type DecodeResult,
  encodeMessage,
  MessageDecoder,
  type ServerMessage,
  type TreeEntry,
  treeEntrySchema,
  type Welcome,
} from '@cftp/protocol';

export const HOST = '127.0.0.1';

type Predicate = (message: ServerMessage) => boolean;

interface Waiter {
  match: Predicate;
  resolve: (message: ServerMessage) => void;
  reject: (error: Error) => void;
}

/** One control connection. Every decoded reply is logged; `next` consumes them in order. */
export class Control {
  /** Every reply received, in order (consumed or not). */
  readonly log: ServerMessage[] = [];
  /** Replies that the decoder could not decode (a server bug if ever non-empty). */
  readonly undecodable: DecodeResult[] = [];
  /** Resolves when the socket has closed. */
  readonly closed: Promise<void>;
  private readonly unread: ServerMessage[] = [];
  private readonly waiters: Waiter[] = [];
  private readonly decoder = new MessageDecoder();
  private isClosed = false;
  private nextRequestId = 1;

  private constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('error', () => {}); // 'close' follows
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.isClosed = true;
        for (const waiter of this.waiters.splice(0)) {
          waiter.reject(new Error('control connection closed before the expected reply'));
        }
        resolve();
      });
    });
  }

  /** `localAddress` picks the source address (e.g. 127.0.0.2, another loopback address). */
  /** A TLS control connection (§4.1); the certificate is not checked here. */
  static openTls(port: number): Promise<Control> {
    return new Promise((resolve, reject) => {
      const socket = tlsConnect({ host: HOST, port, rejectUnauthorized: false });
      socket.once('error', reject);
      socket.once('secureConnect', () => {
        socket.off('error', reject);
        resolve(new Control(socket));
      });
    });
  }

  static open(port: number, host = HOST, localAddress?: string): Promise<Control> {
    return new Promise((resolve, reject) => {
      const socket = netConnect(
        localAddress === undefined ? { host, port } : { host, port, localAddress },
      );
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new Control(socket));
      });
    });
  }

  /** Opens a connection and completes the handshake (§4). */
  static async ready(port: number): Promise<Control> {
    const control = await Control.open(port);
    await control.hello();
    return control;
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  /** A fresh request id (ids below 1000 are left to tests that pick their own). */
  newId(): number {
    return 1000 + this.nextRequestId++;
  }

  send(message: ClientMessage): void {
    this.socket.write(encodeMessage(message));
  }

  sendRaw(bytes: Uint8Array | string): void {
    this.socket.write(bytes);
  }

  async hello(version = 1): Promise<Welcome> {
    const id = this.newId();
    this.send({ type: 'hello', id, version, features: ['sha256'], agent: 'wire-test' });
    return this.expect(id, 'welcome');
  }

  /** The next unconsumed reply matching `match`; rejects if the connection closes first. */
  next(match: Predicate = () => true): Promise<ServerMessage> {
    const index = this.unread.findIndex(match);
    if (index >= 0) return Promise.resolve(this.unread.splice(index, 1)[0]!);
    if (this.isClosed) {
      return Promise.reject(new Error('control connection closed before the expected reply'));
    }
    return new Promise((resolve, reject) => this.waiters.push({ match, resolve, reject }));
  }

  /** The next reply for request `id`. */
  reply(id: number | null): Promise<ServerMessage> {
    return this.next((message) => message.id === id);
  }

  /** The next reply for `id`, which must be of `type` (an `error` fails with its code). */
  async expect<T extends ServerMessage['type']>(
    id: number | null,
    type: T,
  ): Promise<Extract<ServerMessage, { type: T }>> {
    const message = await this.reply(id);
    if (message.type !== type) {
      throw new Error(`expected ${type} for id ${id}, got ${JSON.stringify(message)}`);
    }
    return message as Extract<ServerMessage, { type: T }>;
  }

  /** The next reply for `id` (after `ready` if `afterReady`), which must be an `error`. */
  async errorCode(id: number | null, afterReady = false): Promise<string> {
    const message = await this.next(
      (reply) => reply.id === id && !(afterReady && reply.type === 'ready'),
    );
    if (message.type !== 'error') {
      throw new Error(`expected an error for id ${id}, got ${JSON.stringify(message)}`);
    }
    return message.code;
  }

  /** The final reply for `id` (skipping an interim `ready`), which must be an `error`. */
  async finalErrorCode(id: number): Promise<string> {
    return this.errorCode(id, true);
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    for (const result of this.decoder.push(chunk)) {
      if (!('message' in result)) {
        this.undecodable.push(result);
        continue;
      }
      const message = result.message as ServerMessage;
      this.log.push(message);
      const index = this.waiters.findIndex((waiter) => waiter.match(message));
      if (index >= 0) this.waiters.splice(index, 1)[0]!.resolve(message);
      else this.unread.push(message);
    }
  }
}

/**
 * Connects to a data port and writes `token` (64 hex digits, or raw bytes) first (§5).
 * `localAddress` picks the source address (e.g. 127.0.0.2, another loopback address).
 */
export function openData(
  port: number,
  token: string | Uint8Array,
  localAddress?: string,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(
      localAddress === undefined ? { host: HOST, port } : { host: HOST, port, localAddress },
    );
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => {});
      socket.write(typeof token === 'string' ? Buffer.from(token, 'hex') : token);
      resolve(socket);
    });
  });
}

/** Connects to a port and reports how the attempt ended (refused or reset: refused). */
export function tryConnect(
  port: number,
): Promise<{ refused: true } | { refused: false; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: HOST, port });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      // Reset while connecting: accepted by the kernel, then dropped by the server.
      if (error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET') resolve({ refused: true });
      else reject(error);
    });
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      socket.on('error', () => {});
      resolve({ refused: false, socket });
    });
  });
}

/** Everything the peer sends until it closes the connection (errors end it too). */
export function readAll(socket: Socket): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks)));
    socket.on('error', () => {});
  });
}

/**
 * A `tree` request (§6.10) on `control`, its data channel read to the end: the lines parsed,
 * the `done` reply, and the bytes as they came (for `done`'s size and digest). Throws on a
 * line the schema refuses, or data that does not end with a newline.
 */
export async function requestTree(
  control: Control,
  request: { path?: string; digest?: boolean } = {},
): Promise<{
  entries: TreeEntry[];
  done: Extract<ServerMessage, { type: 'done' }>;
  bytes: Buffer;
}> {
  const id = control.newId();
  control.send({
    type: 'tree',
    id,
    ...(request.path === undefined ? {} : { path: request.path }),
    ...(request.digest === undefined ? {} : { digest: request.digest }),
  });
  const ready = await control.expect(id, 'ready');
  const data = await openData(ready.port, ready.token);
  let bytes: Buffer;
  try {
    bytes = await readAll(data);
  } finally {
    data.destroy();
  }
  const done = await control.expect(id, 'done');
  const lines = bytes.toString('utf8').split('\n');
  if (lines.pop() !== '') throw new Error('tree data does not end with a newline');
  const entries = lines.map((line): TreeEntry => {
    const parsed = treeEntrySchema.parse(JSON.parse(line));
    if (!parsed.ok) throw new Error(`bad tree line ${line}: ${parsed.error}`);
    return parsed.value;
  });
  return { entries, done, bytes };
}

/** Resolves with the first chunk of data the peer sends (null if it closes first). */
export function firstChunk(socket: Socket): Promise<Buffer | null> {
  return new Promise((resolve) => {
    socket.once('data', (chunk: Buffer) => {
      socket.pause();
      resolve(chunk);
    });
    socket.once('close', () => resolve(null));
  });
}

/** Writes `data` and half-closes; resolves when the peer has ended its side too. */
export function sendAndEnd(socket: Socket, data: Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    socket.once('end', () => resolve());
    socket.once('close', () => resolve());
    socket.resume(); // 'end' only comes in flowing mode
    socket.end(data);
  });
}

/** A 4-byte big-endian frame header for any 32-bit length (§2). */
export function frameHeader(length: number): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(length);
  return header;
}

/** A frame around an arbitrary payload (JSON text or not). */
export function rawFrame(payload: string | Uint8Array): Buffer {
  const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return Buffer.concat([frameHeader(bytes.byteLength), bytes]);
}

/** A TLS data connection (§5.3) that presents `token` once the handshake is done. */
export function openTlsData(port: number, token: string | Uint8Array): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: HOST, port, rejectUnauthorized: false });
    socket.once('error', reject);
    socket.once('secureConnect', () => {
      socket.off('error', reject);
      socket.on('error', () => {});
      socket.write(typeof token === 'string' ? Buffer.from(token, 'hex') : token);
      resolve(socket);
    });
  });
}
