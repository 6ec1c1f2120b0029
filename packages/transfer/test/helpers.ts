// Test helpers for @cftp/transfer: temp folders and loopback socket pairs (plain and TLS),
// torn down in afterEach.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext, TLSSocket, connect as tlsConnect } from 'node:tls';
import { afterEach } from 'vitest';
import { blockPoolState } from '../src/index.js';

const secureContext = createSecureContext({
  key: readFileSync(new URL('./tls/key.pem', import.meta.url), 'utf8'),
  cert: readFileSync(new URL('./tls/cert.pem', import.meta.url), 'utf8'),
});

export const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

export const MiB = 1024 * 1024;
/** A signal that never aborts. */
export const never = new AbortController().signal;
/** A receiver's `tooMuch` error (EPROTO, as the engines' own). */
export const tooMuch = () => Object.assign(new Error('too much'), { code: 'EPROTO' });

/** Pooled blocks taken and not yet given back (tests: each comes back). */
export function inUse(): number {
  const { made, free } = blockPoolState();
  return made - free;
}

/** Reads a socket to its end. */
export async function readAll(socket: Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of socket as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

export function useTemp() {
  let dirs: string[] = [];
  let sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    dirs = [];
    sockets = [];
  });
  return {
    async dir(): Promise<string> {
      const dir = await mkdtemp(join(tmpdir(), 'cftp-transfer-test-'));
      dirs.push(dir);
      return dir;
    },
    /** A connected pair of TCP sockets on 127.0.0.1: what one writes, the other reads. */
    async socketPair(): Promise<{ sending: Socket; receiving: Socket }> {
      const listener = createServer();
      await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
      const address = listener.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      const accepted = new Promise<Socket>((resolve) => listener.once('connection', resolve));
      const sending = connect({ host: '127.0.0.1', port });
      const receiving = await accepted;
      listener.close();
      await new Promise<void>((resolve) =>
        sending.readyState === 'open' ? resolve() : sending.once('connect', () => resolve()),
      );
      sockets.push(sending, receiving);
      return { sending, receiving };
    },
    /**
     * A TLS connection over loopback: the client's socket, and the server's made over an
     * accepted one, as the server's data channel does (data-channel.ts).
     */
    async tlsPair(): Promise<{ sending: TLSSocket; receiving: TLSSocket }> {
      const listener = createServer({ pauseOnConnect: true });
      await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
      const address = listener.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      const incoming = new Promise<Socket>((resolve) => listener.once('connection', resolve));
      const sending = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false });
      const plain = await incoming;
      listener.close();
      const receiving = new TLSSocket(plain, { isServer: true, secureContext });
      plain.resume();
      sockets.push(sending, receiving, plain);
      sending.on('error', () => {});
      receiving.on('error', () => {});
      await Promise.all([once(sending, 'secureConnect'), once(receiving, 'secure')]);
      return { sending, receiving };
    },
  };
}

/**
 * A new file at `path` behind a handle whose writes wait until `release()`: a disk that has
 * stopped taking bytes, so what a receiver holds stays held.
 */
export async function heldWrites(path: string) {
  const real = await open(path, 'w');
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const handle = {
    writev: async (chunks: readonly Uint8Array[]) => {
      await gate;
      return real.writev(chunks);
    },
    datasync: () => real.datasync(),
    sync: () => real.sync(),
    close: () => real.close(),
  };
  return { handle, release };
}
