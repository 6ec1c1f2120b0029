// The client's own waits and limits against servers that lie or stall (docs/protocol.md §5.4,
// §6.1, §3.3, §4.3): every wait ends in ETIMEDOUT saying what it waited for, no byte past the
// announced size is kept, listings are capped, the server is told `abort`, and the session
// goes on. Fake servers on 127.0.0.1 (real sockets); 500 ms timeouts where a timeout is the
// point, 5 s elsewhere (so that a pause never turns a test into ETIMEDOUT); nothing asserts speed.
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { type ClientMessage, encodeMessage, MessageDecoder } from '@cftp/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../src/index.js';
import { type FakeSession, HOST, rejectionOf, sha256, useFixture } from './helpers.js';

const fx = useFixture();
/** For the tests that expect ETIMEDOUT. */
const SHORT = { timeoutMs: 500 };
/** For the rest: no wait in them comes near it. */
const PATIENT = { timeoutMs: 5000 };

/** A fake server that records every message and answers `stat` honestly-ish (a live check). */
async function fakeServer(
  handler: (message: ClientMessage, session: FakeSession) => void,
): Promise<{ port: number; seen: ClientMessage[] }> {
  const seen: ClientMessage[] = [];
  const port = await fx.startFake((message, session) => {
    seen.push(message);
    if (message.type === 'stat') {
      session.send({
        type: 'ok',
        id: message.id,
        entry: { name: 'alive', type: 'file', size: 1, mtime: 0 },
      });
      return;
    }
    handler(message, session);
  });
  return { port, seen };
}

/** Waits until the fake has seen `abort {id}` for the request of type `type`. */
async function abortOf(seen: ClientMessage[], type: string): Promise<void> {
  const request = seen.find((m) => m.type === type);
  await expect
    .poll(() => seen.some((m) => m.type === 'abort' && m.id === request?.id), { timeout: 10_000 })
    .toBe(true);
}

/** Opens a data channel, sends `ready` for a get of `size` bytes, resolves with the socket. */
async function readyForGet(session: FakeSession, id: number, size: number): Promise<Socket> {
  const data = await session.openData();
  session.send({
    type: 'ready',
    id,
    port: data.port,
    token: data.token,
    size,
    offset: 0,
    mtime: 0,
  });
  return data.connection;
}

describe('§5.4 byte counts: a get stops at the announced size', () => {
  it('a byte past ready.size is EPROTO; no partial, nothing under the name; abort sent', async () => {
    const { port, seen } = await fakeServer((message, session) => {
      if (message.type !== 'get') return;
      void readyForGet(session, message.id, 1000).then((socket) => {
        // Far more than announced, and never a done.
        socket.write(Buffer.alloc(64 * 1024, 7));
        socket.write(Buffer.alloc(64 * 1024, 7));
      });
    });
    const client = await fx.connect(port, PATIENT);
    const target = await fx.tempDir();
    const error = await rejectionOf(client.get('f.bin', join(target, 'f.bin')));
    expect(error.code).toBe('EPROTO');
    expect(String((error as Error).message)).toContain('more data than announced');
    expect(await readdir(target)).toEqual([]);
    await abortOf(seen, 'get');
    expect((await client.stat('alive')).name).toBe('alive');
  });

  it('exactly the announced size still downloads', async () => {
    const body = Buffer.alloc(1000, 3);
    const { port } = await fakeServer((message, session) => {
      if (message.type !== 'get') return;
      void readyForGet(session, message.id, body.byteLength).then((socket) => {
        socket.end(body);
        session.send({ type: 'done', id: message.id, size: 1000, sha256: sha256(body) });
      });
    });
    const client = await fx.connect(port, PATIENT);
    const target = join(await fx.tempDir(), 'f.bin');
    await client.get('f.bin', target);
    expect(await readFile(target)).toEqual(body);
  });

  it('a batch with more bytes than announced is EPROTO; no file of it in place', async () => {
    const one = Buffer.from('one\n');
    const { port } = await fakeServer((message, session) => {
      if (message.type !== 'getmany') return;
      void (async () => {
        const data = await session.openData();
        const files = [
          { size: one.byteLength, mtime: 0 },
          { size: one.byteLength, mtime: 0 },
        ];
        session.send({ type: 'ready', id: message.id, port: data.port, token: data.token, files });
        (await data.connection).end(Buffer.concat([one, one, Buffer.alloc(4096)]));
      })();
    });
    const client = await fx.connect(port, PATIENT);
    const dir = await fx.tempDir();
    const items = ['a', 'b'].map((name) => ({ local: join(dir, name), remote: name }));
    const error = await rejectionOf(client.getMany(items));
    expect(error.code).toBe('EPROTO');
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('§5.4 waits: each ends in ETIMEDOUT naming what it waited for', () => {
  it('no reply to a get: ETIMEDOUT, abort sent, the session goes on', async () => {
    const { port, seen } = await fakeServer(() => {});
    const client = await fx.connect(port, SHORT);
    const target = await fx.tempDir();
    const error = await rejectionOf(client.get('a.txt', join(target, 'a.txt')));
    expect(error.code).toBe('ETIMEDOUT');
    expect(String((error as Error).message)).toContain('no reply to get "a.txt" within 0.5 s');
    await abortOf(seen, 'get');
    expect((await client.stat('alive')).name).toBe('alive');
    expect(await readdir(target)).toEqual([]);
  });

  it('a data channel that says nothing: ETIMEDOUT "no data"', async () => {
    const { port, seen } = await fakeServer((message, session) => {
      if (message.type === 'get') void readyForGet(session, message.id, 1000);
    });
    const client = await fx.connect(port, SHORT);
    const target = await fx.tempDir();
    const error = await rejectionOf(client.get('a.txt', join(target, 'a.txt')));
    expect(error.code).toBe('ETIMEDOUT');
    expect(String((error as Error).message)).toMatch(/no data for 0\.5 s on the data connection/);
    await abortOf(seen, 'get');
    expect((await client.stat('alive')).name).toBe('alive');
  });

  it('the whole file but no done: ETIMEDOUT after its data', async () => {
    const body = Buffer.alloc(1000, 1);
    const { port } = await fakeServer((message, session) => {
      if (message.type !== 'get') return;
      void readyForGet(session, message.id, body.byteLength).then((s) => s.end(body));
    });
    const client = await fx.connect(port, SHORT);
    const target = await fx.tempDir();
    const error = await rejectionOf(client.get('a.txt', join(target, 'a.txt')));
    expect(error.code).toBe('ETIMEDOUT');
    expect(String((error as Error).message)).toContain('within 0.5 s after its data');
    expect(await readdir(target).then((names) => names.includes('a.txt'))).toBe(false);
  });

  it('a transfer longer than the timeout that never stalls succeeds', async () => {
    // The reply clock is held while data moves: only silence counts, not the total time.
    const chunks = 12;
    const body = Buffer.alloc(chunks * 100, 9);
    const { port } = await fakeServer((message, session) => {
      if (message.type !== 'get') return;
      void readyForGet(session, message.id, body.byteLength).then(async (socket) => {
        for (let i = 0; i < chunks; i++) {
          socket.write(body.subarray(i * 100, (i + 1) * 100));
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        socket.end();
        session.send({ type: 'done', id: message.id, size: body.byteLength, sha256: sha256(body) });
      });
    });
    // 1 s of silence allowed; the whole transfer takes at least 1.2 s.
    const client = await fx.connect(port, { timeoutMs: 1000 });
    const target = join(await fx.tempDir(), 'slow.bin');
    await client.get('slow.bin', target);
    expect(await readFile(target)).toEqual(body);
  });

  it('a listing that never gets its done: ETIMEDOUT', async () => {
    const { port } = await fakeServer((message, session) => {
      if (message.type !== 'list') return;
      void (async () => {
        const data = await session.openData();
        session.send({ type: 'ready', id: message.id, port: data.port, token: data.token });
        (await data.connection).end('{"name":"a","type":"file","size":1,"mtime":0}\n');
      })();
    });
    const client = await fx.connect(port, SHORT);
    const error = await rejectionOf(client.list());
    expect(error.code).toBe('ETIMEDOUT');
    expect(String((error as Error).message)).toContain('no reply to list ""');
  });
});

describe('§6.1 listing limits', () => {
  const line = '{"name":"f","type":"file","size":1,"mtime":0}\n';
  function serveLines(text: string) {
    return fakeServer((message, session) => {
      if (message.type !== 'list') return;
      void (async () => {
        const data = await session.openData();
        session.send({ type: 'ready', id: message.id, port: data.port, token: data.token });
        (await data.connection).end(text);
      })();
    });
  }

  it('more entries than the cap: EPROTO, the session goes on', async () => {
    const { port, seen } = await serveLines(line.repeat(4));
    const client = await fx.connect(port, { ...PATIENT, maxListEntries: 3 });
    const error = await rejectionOf(client.list());
    expect(error.code).toBe('EPROTO');
    expect(String((error as Error).message)).toContain('more than 3 entries');
    await abortOf(seen, 'list');
    expect((await client.stat('alive')).name).toBe('alive');
  });

  it('a line longer than the cap: EPROTO', async () => {
    const { port } = await serveLines(`{"name":"${'x'.repeat(200)}","type":"file"`);
    const client = await fx.connect(port, { ...PATIENT, maxListLineBytes: 100 });
    const error = await rejectionOf(client.list());
    expect(error.code).toBe('EPROTO');
    expect(String((error as Error).message)).toContain('longer than 100 bytes');
  });
});

describe('§3.3 forward compatibility', () => {
  it('an unknown type without an id is ignored; one naming a request fails only it', async () => {
    const { port, seen } = await fakeServer((message, session) => {
      if (message.type !== 'get') return;
      // A v1.x notice for nobody, then an unknown reply to this get.
      session.socket.write(encodeMessage({ type: 'notice', text: 'hi' } as never));
      session.socket.write(encodeMessage({ type: 'progress', id: message.id } as never));
    });
    const client = await fx.connect(port, PATIENT);
    const target = await fx.tempDir();
    const error = await rejectionOf(client.get('a.txt', join(target, 'a.txt')));
    expect(error.code).toBe('EPROTO');
    await abortOf(seen, 'get');
    expect(client.isClosed).toBe(false);
    expect((await client.stat('alive')).name).toBe('alive');
  });

  it('an error with id null ends the session with its code', async () => {
    const { port } = await fakeServer((message, session) => {
      if (message.type === 'list') {
        session.send({ type: 'error', id: null, code: 'ESHUTDOWN', message: 'bye' });
      }
    });
    const client = await fx.connect(port, PATIENT);
    const closed = once(client, 'close');
    expect((await rejectionOf(client.list())).code).toBe('ESHUTDOWN');
    expect(((await closed)[0] as { code?: string } | undefined)?.code).toBe('ESHUTDOWN');
  });
});

describe('§4.3 a valid welcome, or "not a CFTP server"', () => {
  const greeters: Server[] = [];
  afterEach(() => {
    for (const server of greeters.splice(0)) server.close();
  });
  /** A server that answers the first frame with `reply` (raw bytes, or built from hello's id). */
  async function greeter(reply: (helloId: number) => Buffer): Promise<number> {
    const server = createNetServer((socket) => {
      socket.on('error', () => {});
      const decoder = new MessageDecoder();
      socket.on('data', (chunk: Buffer) => {
        for (const result of decoder.push(chunk)) {
          if (result.ok) socket.write(reply(result.message.id ?? 0));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('not listening');
    greeters.push(server);
    return address.port;
  }
  const welcome = (id: number, fields: Record<string, unknown>) =>
    Buffer.from(
      encodeMessage({
        type: 'welcome',
        id,
        version: 1,
        features: ['sha256'],
        agent: 'x/0',
        maxFrameSize: 65536,
        maxInFlight: 4,
        ...fields,
      } as never),
    );

  it('an HTTP answer: EPROTO "HOST:PORT is not a CFTP server", quoting what it said', async () => {
    const port = await greeter(() => Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'));
    const error = await rejectionOf(connect({ host: HOST, port }));
    expect(error.code).toBe('EPROTO');
    expect(String((error as Error).message)).toContain(
      `${HOST}:${port} is not a CFTP server (it sent "HTTP/1.1 400 Bad Request")`,
    );
  });

  it('a welcome of version 2: EVERSION', async () => {
    const port = await greeter((id) => welcome(id, { version: 2 }));
    const error = await rejectionOf(connect({ host: HOST, port }));
    expect(error.code).toBe('EVERSION');
    expect(String((error as Error).message)).toContain('protocol version 2');
  });

  it('a welcome without sha256: EPROTO', async () => {
    const port = await greeter((id) => welcome(id, { features: ['fs'] }));
    const error = await rejectionOf(connect({ host: HOST, port }));
    expect(error.code).toBe('EPROTO');
    expect(String((error as Error).message)).toContain('sha256');
  });
});
