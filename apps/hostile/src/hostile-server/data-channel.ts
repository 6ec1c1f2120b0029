// The data-channel side of the hostile server (docs/protocol.md §5): a one-shot listener
// per request that, once the client has presented its token, does what the test scripted:
// send bytes and end, send bytes and stall, send forever, or say nothing. Two ports need no
// listener of ours: one that refuses, and one whose accept queue is full so that the
// client's connect never completes (a port that "never accepts").
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer as createNetServer, connect as netConnect, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Worker } from 'node:worker_threads';
import { TOKEN_BYTES } from '@cftp/protocol';

export const HOST = '127.0.0.1';

/** What a data connection does after the token (the `get`/`list`/`getmany` direction). */
export type DataPlan =
  /** Writes `bytes`, then half-closes (`end`) or keeps the connection open and silent. */
  | { kind: 'send'; bytes: Uint8Array; after: 'end' | 'hold' }
  /** Writes pseudo-random bytes for as long as the client reads them. */
  | { kind: 'endless'; chunk?: Uint8Array }
  /** Announces a port on which nothing listens (connection refused). */
  | { kind: 'refuse' }
  /** Announces a port whose accept queue is full: the client's connect never completes. */
  | { kind: 'blackhole' };

/** How one data channel went, as the server saw it. */
export interface DataRecord {
  port: number;
  /** The client connected and presented the right token. */
  tokenOk: boolean;
  /** Payload bytes handed to the socket. */
  sent: number;
  /** Resolves when the data connection has closed (or at once for refuse/blackhole). */
  closed: Promise<void>;
}

export interface OpenedData {
  port: number;
  /** 64 lowercase hex digits, as in `ready.token`. */
  token: string;
  record: DataRecord;
  /** Resolves when the plan has finished writing and (for `end`) half-closed. */
  written: Promise<void>;
}

export interface DataTls {
  key: string;
  cert: string;
}

/** Everything a hostile server holds open for data: closed together at the end. */
export class DataChannels {
  private readonly sockets = new Set<Socket>();
  private readonly closers: Array<() => Promise<void>> = [];
  readonly records: DataRecord[] = [];

  constructor(private readonly tls: DataTls | undefined) {}

  /** Opens a data channel for one request and runs `plan` on it once the token is in. */
  async open(plan: DataPlan): Promise<OpenedData> {
    const token = randomBytes(TOKEN_BYTES);
    if (plan.kind === 'refuse') return this.noListener(token, await refusedPort());
    if (plan.kind === 'blackhole') return this.noListener(token, await this.blackhole());
    let resolveClosed!: () => void;
    const record: DataRecord = {
      port: 0,
      tokenOk: false,
      sent: 0,
      closed: new Promise((resolve) => {
        resolveClosed = resolve;
      }),
    };
    let resolveWritten!: () => void;
    const written = new Promise<void>((resolve) => {
      resolveWritten = resolve;
    });
    const onSocket = (socket: Socket) => {
      listener.close(); // one connection per listener (§5)
      this.sockets.add(socket);
      socket.on('error', () => {});
      socket.once('close', () => {
        this.sockets.delete(socket);
        resolveClosed();
        resolveWritten();
      });
      void readToken(socket).then(async (presented) => {
        if (presented === undefined || !presented.equals(token)) {
          socket.destroy();
          return;
        }
        record.tokenOk = true;
        await runPlan(socket, plan, record);
        resolveWritten();
      });
    };
    const listener =
      this.tls === undefined
        ? createNetServer(onSocket)
        : createTlsServer({ key: this.tls.key, cert: this.tls.cert }, onSocket);
    listener.on('error', () => {});
    listener.listen(0, HOST);
    await once(listener, 'listening');
    record.port = (listener.address() as { port: number }).port;
    this.records.push(record);
    this.closers.push(async () => {
      listener.close();
    });
    return { port: record.port, token: token.toString('hex'), record, written };
  }

  /** Destroys every data connection and listener still open. */
  async closeAll(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(this.closers.splice(0).map((close) => close()));
  }

  private noListener(token: Buffer, port: number): OpenedData {
    const record: DataRecord = { port, tokenOk: false, sent: 0, closed: Promise.resolve() };
    this.records.push(record);
    return { port, token: token.toString('hex'), record, written: Promise.resolve() };
  }

  /**
   * A listener in a worker thread that blocks before it can accept anything, with a backlog
   * of 1 filled by two connections of ours: the kernel then drops the client's SYN, and its
   * connect waits (on TCP's own retries, for minutes).
   */
  private async blackhole(): Promise<number> {
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(BLACKHOLE_WORKER, { eval: true, workerData: { stop } });
    const [port] = (await once(worker, 'message')) as [number];
    const fillers: Socket[] = [];
    for (let i = 0; i < 2; i++) {
      const filler = netConnect({ host: HOST, port });
      filler.on('error', () => {});
      fillers.push(filler);
      await once(filler, 'connect');
    }
    this.closers.push(async () => {
      Atomics.store(stop, 0, 1);
      Atomics.notify(stop, 0);
      for (const filler of fillers) filler.destroy();
      await worker.terminate();
    });
    return port;
  }
}

// The worker listens, reports its port, then blocks its own event loop so it never accepts.
const BLACKHOLE_WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const server = require('node:net').createServer();
server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  parentPort.postMessage(server.address().port);
  while (Atomics.load(workerData.stop, 0) === 0) Atomics.wait(workerData.stop, 0, 0, 1000);
  server.close();
});
`;

/** A loopback port that was free a moment ago and has no listener now. */
async function refusedPort(): Promise<number> {
  const probe = createNetServer();
  probe.listen(0, HOST);
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  probe.close();
  await once(probe, 'close');
  return port;
}

/** The first TOKEN_BYTES bytes of the connection (undefined if it closes first). */
function readToken(socket: Socket): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.byteLength;
      if (length < TOKEN_BYTES) return;
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.pause();
      const all = Buffer.concat(chunks);
      // Anything after the token is ignored: the client sends nothing else on a download.
      resolve(all.subarray(0, TOKEN_BYTES));
      socket.resume(); // keep draining, so the client is never blocked by us
    };
    const onClose = () => resolve(undefined);
    socket.on('data', onData);
    socket.once('close', onClose);
  });
}

async function runPlan(socket: Socket, plan: DataPlan, record: DataRecord): Promise<void> {
  if (plan.kind === 'send') {
    if (plan.bytes.byteLength > 0) await write(socket, plan.bytes, record);
    if (plan.after === 'end') {
      socket.end();
      // `done` follows the end of the data (§6.2): wait until it has all left.
      if (!socket.writableFinished) {
        await Promise.race([once(socket, 'finish'), once(socket, 'close')]).catch(() => {});
      }
    }
    return;
  }
  if (plan.kind !== 'endless') return;
  const chunk = plan.chunk ?? randomBytes(64 * 1024);
  // Backpressure: the next chunk goes only when the client has taken the last one, so the
  // count stays near what the client read, and our memory stays flat.
  while (!socket.destroyed && socket.writable) {
    if (!(await write(socket, chunk, record))) return;
  }
}

/** Writes and waits for the kernel to take it; false if the socket went away. */
function write(socket: Socket, bytes: Uint8Array, record: DataRecord): Promise<boolean> {
  return new Promise((resolve) => {
    if (socket.destroyed || !socket.writable) {
      resolve(false);
      return;
    }
    socket.write(bytes, (error) => {
      if (error) {
        resolve(false);
        return;
      }
      record.sent += bytes.byteLength;
      resolve(true);
    });
  });
}
