// Test helpers for @cftp/transfer: temp folders and a loopback socket pair, torn down in afterEach.
import { createHash } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

export const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

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
