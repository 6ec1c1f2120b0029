// A fault-injecting TCP proxy for tests (not production code). It sits in front of a CFTP
// server's control port and, because a client opens data channels to the host it used for
// the control channel (docs/protocol.md §5), it also proxies every data channel: each
// `ready` frame from the server gets the port of a proxy listener opened for it. Faults:
// 1-byte writes, delays, a stall, a cut mid-stream, one corrupted byte.
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { decodePayload, encodeFrame, encodeMessage, FrameDecoder } from '@cftp/protocol';

export type Channel = 'control' | 'data';
/** `up`: client → server; `down`: server → client. */
export type Direction = 'up' | 'down';

export interface Fault {
  /** Which connections it applies to (default both kinds). */
  channel?: Channel;
  /** Which direction (default both). */
  direction?: Direction;
  /** Only the n-th connection of that channel kind, counting from 1 (default every one). */
  nth?: number;
  /** Forward every byte as its own write. */
  oneByte?: boolean;
  /** Wait this long before forwarding each chunk. */
  delayMs?: number;
  /** Forward this many bytes, then nothing more (the connection stays open). */
  stallAfter?: number;
  /** Forward this many bytes, then destroy both sides of the connection. */
  cutAfter?: number;
  /** Flip the bits of the byte at this offset of the stream (0 = first byte). */
  corruptAt?: number;
}

export interface FaultProxyStats {
  controlConnections: number;
  dataConnections: number;
  /** `ready` frames whose port was rewritten. */
  rewritten: number;
  corrupted: number;
  stalled: number;
  cut: number;
}

export interface FaultProxyOptions {
  /** The CFTP server's control port (and host, default 127.0.0.1). */
  target: { host?: string; port: number };
  faults?: Fault[];
  /** Where the proxy listens (default 127.0.0.1). */
  host?: string;
  /**
   * For a server in single-port mode (docs/protocol.md §5.5), whose data connections come to
   * its own port: forward every connection as bytes, reading none of them, so TLS passes
   * through. The first connection is the control channel, every later one a data channel
   * (one session at a time).
   */
  singlePort?: boolean;
}

/** Unbounded on purpose: the proxy must pass on whatever the server sends. */
const PROXY_MAX_FRAME = 64 * 1024 * 1024;
/** Pause reading from a side once this much waits to be written to the other. */
const HIGH_WATER = 1024 * 1024;

/** One direction of one connection: counts bytes and applies the faults that match. */
class Forwarder {
  private offset = 0;
  private queue: Promise<void> = Promise.resolve();
  private stalled = false;
  private pending = 0;

  constructor(
    private readonly from: Socket,
    private readonly to: Socket,
    private readonly faults: readonly Fault[],
    private readonly stats: FaultProxyStats,
    private readonly cut: () => void,
  ) {}

  /** Queues `chunk` for forwarding, in order, with backpressure on the reading side. */
  push(chunk: Buffer): void {
    this.pending += chunk.byteLength;
    if (this.pending > HIGH_WATER) this.from.pause();
    this.queue = this.queue
      .then(() => this.forward(chunk))
      .catch(() => this.cut())
      .finally(() => {
        this.pending -= chunk.byteLength;
        if (this.pending <= HIGH_WATER && !this.stalled) this.from.resume();
      });
  }

  /** Resolves when everything queued so far has been written. */
  flushed(): Promise<void> {
    return this.queue;
  }

  private async forward(chunk: Buffer): Promise<void> {
    if (this.stalled || this.to.destroyed) return;
    let bytes = Buffer.from(chunk); // a copy: corruption must not touch the sender's buffer
    const start = this.offset;
    const end = start + bytes.byteLength;
    this.offset = end;
    let stop: 'stall' | 'cut' | undefined;
    for (const fault of this.faults) {
      if (fault.corruptAt !== undefined && fault.corruptAt >= start && fault.corruptAt < end) {
        const at = fault.corruptAt - start;
        bytes[at] = bytes[at]! ^ 0xff;
        this.stats.corrupted++;
      }
      if (fault.stallAfter !== undefined && fault.stallAfter < end) {
        bytes = bytes.subarray(0, Math.max(0, fault.stallAfter - start));
        stop = 'stall';
      }
      if (fault.cutAfter !== undefined && fault.cutAfter < end) {
        bytes = bytes.subarray(0, Math.max(0, fault.cutAfter - start));
        stop = 'cut';
      }
    }
    const oneByte = this.faults.some((fault) => fault.oneByte === true);
    const wait = Math.max(0, ...this.faults.map((fault) => fault.delayMs ?? 0));
    if (wait > 0) await delay(wait);
    if (oneByte) {
      for (let i = 0; i < bytes.byteLength; i++) await write(this.to, bytes.subarray(i, i + 1));
    } else if (bytes.byteLength > 0) {
      await write(this.to, bytes);
    }
    if (stop === 'stall') {
      this.stalled = true;
      this.stats.stalled++;
      this.from.pause();
    } else if (stop === 'cut') {
      this.stats.cut++;
      this.cut();
    }
  }
}

/** Writes and waits until the socket has taken it (not merely buffered a lot). */
function write(socket: Socket, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.destroyed) {
      reject(new Error('destroyed'));
      return;
    }
    socket.write(bytes, (error) => (error ? reject(error) : resolve()));
  });
}

function listen(server: Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: 0 }, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });
}

export class FaultProxy {
  readonly stats: FaultProxyStats = {
    controlConnections: 0,
    dataConnections: 0,
    rewritten: 0,
    corrupted: 0,
    stalled: 0,
    cut: 0,
  };
  private faults: Fault[];
  private readonly sockets = new Set<Socket>();
  private readonly listeners = new Set<Server>();
  private readonly targetHost: string;

  private constructor(
    private readonly control: Server,
    readonly port: number,
    private readonly host: string,
    private readonly targetPort: number,
    targetHost: string,
    faults: Fault[],
    singlePort: boolean,
  ) {
    this.targetHost = targetHost;
    this.faults = faults;
    control.on('connection', (client: Socket) =>
      singlePort ? this.onSinglePort(client) : this.onControl(client),
    );
  }

  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const host = options.host ?? '127.0.0.1';
    const control = createServer({ allowHalfOpen: true });
    const port = await listen(control, host);
    return new FaultProxy(
      control,
      port,
      host,
      options.target.port,
      options.target.host ?? '127.0.0.1',
      options.faults ?? [],
      options.singlePort === true,
    );
  }

  /** Faults for connections opened from now on. */
  setFaults(faults: Fault[]): void {
    this.faults = faults;
  }

  /** Stops listening and destroys every connection. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    for (const listener of this.listeners) listener.close();
    await new Promise<void>((resolve) => this.control.close(() => resolve()));
  }

  private matching(channel: Channel, nth: number, direction: Direction): Fault[] {
    return this.faults.filter(
      (fault) =>
        (fault.channel === undefined || fault.channel === channel) &&
        (fault.direction === undefined || fault.direction === direction) &&
        (fault.nth === undefined || fault.nth === nth),
    );
  }

  private track(socket: Socket): Socket {
    this.sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => this.sockets.delete(socket));
    socket.setNoDelay(true);
    return socket;
  }

  /** Connects `client` to `port` on the target and forwards both ways; `down` may rewrite. */
  private bridge(
    client: Socket,
    port: number,
    channel: Channel,
    nth: number,
    rewriteDown?: (bytes: Buffer) => Promise<Buffer>,
  ): void {
    this.track(client);
    client.pause();
    const upstream = this.track(netConnect({ host: this.targetHost, port, allowHalfOpen: true }));
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    const up = new Forwarder(client, upstream, this.matching(channel, nth, 'up'), this.stats, cut);
    const down = new Forwarder(
      upstream,
      client,
      this.matching(channel, nth, 'down'),
      this.stats,
      cut,
    );
    upstream.on('connect', () => client.resume());
    client.on('data', (chunk: Buffer) => up.push(chunk));
    let rewriting: Promise<void> = Promise.resolve();
    upstream.on('data', (chunk: Buffer) => {
      if (rewriteDown === undefined) {
        down.push(chunk);
        return;
      }
      // Rewriting may open a listener: keep frames in order.
      upstream.pause();
      rewriting = rewriting
        .then(() => rewriteDown(chunk))
        .then((bytes) => {
          if (bytes.byteLength > 0) down.push(bytes);
          upstream.resume();
        })
        .catch(cut);
    });
    // Sockets are half-open: a FIN (or a close) is passed on only once everything that came
    // before it has been forwarded, however slowly the faults forward it.
    const downFlushed = () => rewriting.then(() => down.flushed());
    client.on('end', () => {
      void up.flushed().then(() => upstream.end());
    });
    upstream.on('end', () => {
      void downFlushed().then(() => client.end());
    });
    client.on('close', () => {
      void up.flushed().then(() => upstream.destroy());
    });
    upstream.on('close', () => {
      void downFlushed().then(() => client.destroy());
    });
  }

  private onControl(client: Socket): void {
    const nth = ++this.stats.controlConnections;
    const frames = new FrameDecoder({ maxFrameSize: PROXY_MAX_FRAME });
    const mine = new Set<Server>();
    this.bridge(client, this.targetPort, 'control', nth, async (chunk) => {
      const out: Uint8Array[] = [];
      for (const payload of frames.push(chunk)) {
        const decoded = decodePayload(payload);
        if ('message' in decoded && decoded.message.type === 'ready') {
          const port = await this.openData(decoded.message.port, mine);
          this.stats.rewritten++;
          out.push(encodeMessage({ ...decoded.message, port }));
        } else {
          out.push(encodeFrame(payload)); // byte for byte as the server sent it
        }
      }
      return Buffer.concat(out);
    });
    client.on('close', () => {
      for (const listener of mine) listener.close();
    });
  }

  /** Single-port mode: the first connection is the control channel, the rest data. */
  private onSinglePort(client: Socket): void {
    if (this.stats.controlConnections === 0) {
      this.bridge(client, this.targetPort, 'control', ++this.stats.controlConnections);
    } else {
      this.bridge(client, this.targetPort, 'data', ++this.stats.dataConnections);
    }
  }

  /** A one-connection listener that forwards to the server's data port. */
  private async openData(serverPort: number, owner: Set<Server>): Promise<number> {
    const listener = createServer({ pauseOnConnect: true, allowHalfOpen: true });
    this.listeners.add(listener);
    owner.add(listener);
    listener.on('close', () => {
      this.listeners.delete(listener);
      owner.delete(listener);
    });
    listener.on('connection', (client: Socket) => {
      listener.close(); // one connection, like the server's own listener
      this.bridge(client, serverPort, 'data', ++this.stats.dataConnections);
    });
    // A data channel nobody uses is dropped with the server's (accept timeout); do the same.
    setTimeout(() => listener.close(), 60_000).unref();
    return listen(listener, this.host);
  }
}
