// How a failed write on a data connection is reported (operations.ts dataError): every way a
// socket reports that its peer went away is EDATA, "data connection lost", never the EIO of
// an unknown error. ECANCELED is the one a loaded machine found: a download's write still
// queued when the socket was torn down, because its read side saw the peer's reset first
// (apps/hostile network-faults, "a data connection cut mid-stream", failed once so).
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { dataError } from '../src/operations.js';

const live = new AbortController().signal;

function errno(code: string, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${syscall} ${code}`), { code, syscall });
}

describe('dataError', () => {
  it('makes every lost-connection code EDATA', () => {
    for (const error of [
      errno('ECANCELED', 'write'),
      errno('ECONNRESET', 'read'),
      errno('EPIPE', 'write'),
      Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }),
      Object.assign(new Error('destroyed'), { code: 'ERR_STREAM_DESTROYED' }),
    ]) {
      expect(dataError(error, live), String(error.code)).toMatchObject({ code: 'EDATA' });
    }
  });

  it('passes other errors on, and an abort keeps its reason', () => {
    const other = errno('ENOSPC', 'write');
    expect(dataError(other, live)).toBe(other);
    const stop = new AbortController();
    stop.abort(new Error('shutting down'));
    expect(dataError(errno('ECANCELED', 'write'), stop.signal)).toBe(stop.signal.reason);
  });

  it('makes EDATA of what a real write gets when the peer resets the connection mid-stream', async () => {
    // A server writing 1 MiB at a time, as a plaintext download does; the peer reads a
    // little, then resets. Whatever the pending write reports, it is a lost connection.
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const accepted = once(server, 'connection') as Promise<[Socket]>;
    const peer = connect({ port, host: '127.0.0.1' });
    const [socket] = await accepted;
    socket.on('error', () => {}); // the write's callback reports it
    const failed = (async () => {
      const block = Buffer.alloc(1024 * 1024);
      for (;;) {
        await new Promise<void>((resolve, reject) =>
          socket.write(block, (error) => (error ? reject(error) : resolve())),
        );
      }
    })().catch((error: unknown) => error);
    await once(peer, 'data');
    peer.resetAndDestroy();
    const error = await failed;
    server.close();
    expect(['ECANCELED', 'ECONNRESET', 'EPIPE']).toContain((error as NodeJS.ErrnoException).code);
    expect(dataError(error, live)).toMatchObject({ code: 'EDATA' });
  });
});
