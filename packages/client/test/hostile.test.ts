// The client against servers that lie or vanish: it checks every name it is given
// (docs/protocol.md §9), verifies every byte count and digest (§7), and fails in-flight
// operations with ECONNECTION when the control connection goes (§11).
import { readdir, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CftpError, encodeFrame, encodeMessage, hasControlCharacters } from '@cftp/protocol';
import { describe, expect, it } from 'vitest';
import type { CftpClient } from '../src/index.js';
import { type FakeSession, rejectionOf, sha256, useFixture } from './helpers.js';

const fx = useFixture();

/** Serves one listing of `lines` (raw text) with a `done` computed by `describe`. */
function serveListing(
  session: FakeSession,
  id: number,
  text: string,
  done: (bytes: Buffer) => { size: number; sha256: string; count: number; skipped?: number },
): void {
  void (async () => {
    const data = await session.openData();
    session.send({ type: 'ready', id, port: data.port, token: data.token });
    const socket = await data.connection;
    const bytes = Buffer.from(text, 'utf8');
    socket.end(bytes);
    session.send({ type: 'done', id, ...done(bytes) });
  })();
}

/** Serves `bytes` for a get, announcing `readySize` and closing with `done`. */
function serveFile(
  session: FakeSession,
  id: number,
  bytes: Buffer,
  readySize: number,
  done: { size: number; sha256: string },
): void {
  void (async () => {
    const data = await session.openData();
    session.send({ type: 'ready', id, port: data.port, token: data.token, size: readySize });
    const socket = await data.connection;
    socket.end(bytes);
    socket.once('close', () => session.send({ type: 'done', id, ...done }));
  })();
}

const honest = (bytes: Buffer) => ({ size: bytes.byteLength, sha256: sha256(bytes) });

describe('docs/protocol.md §9 names from a hostile server', () => {
  it.each([
    ['a parent segment', '../evil'],
    ['a slash', 'a/b'],
    ['an absolute path', '/etc/passwd'],
    ['a backslash', '..\\evil'],
    ['a NUL', 'evil\u0000.txt'],
    ['a dot-dot', '..'],
  ])(
    'skips a listing entry with %s with an EBADNAME warning, keeps the rest (§6.1)',
    async (_what, name) => {
      const port = await fx.startFake((message, session) => {
        if (message.type !== 'list') return;
        const text = [
          { name, type: 'file', size: 1, mtime: 0 },
          { name: 'fine.txt', type: 'file', size: 1, mtime: 0 },
        ]
          .map((entry) => `${JSON.stringify(entry)}\n`)
          .join('');
        serveListing(session, message.id, text, (bytes) => ({ ...honest(bytes), count: 2 }));
      });
      const client = await fx.connect(port);
      const warnings: CftpError[] = [];
      client.on('warning', (warning) => warnings.push(warning));
      expect(await client.list()).toEqual([{ name: 'fine.txt', type: 'file', size: 1, mtime: 0 }]);
      expect(warnings.map((w) => w.code)).toEqual(['EBADNAME']);
      expect(hasControlCharacters(warnings[0]!.message)).toBe(false);
    },
  );

  it("warns of the server's `skipped` count and still returns the listing (§6.1)", async () => {
    const port = await fx.startFake((message, session) => {
      if (message.type !== 'list') return;
      const text = `${JSON.stringify({ name: 'a', type: 'file', size: 1, mtime: 0 })}\n`;
      serveListing(session, message.id, text, (bytes) => ({
        ...honest(bytes),
        count: 1,
        skipped: 3,
      }));
    });
    const client = await fx.connect(port);
    const warnings: CftpError[] = [];
    client.on('warning', (warning) => warnings.push(warning));
    expect((await client.list()).map((e) => e.name)).toEqual(['a']);
    expect(warnings.map((w) => w.message)).toEqual(['list "/": 3 entries left out by the server']);
  });

  it('accepts the same listing when the names are fine (control)', async () => {
    const port = await fx.startFake((message, session) => {
      if (message.type !== 'list') return;
      const text = `${JSON.stringify({ name: 'fine.txt', type: 'file', size: 1, mtime: 0 })}\n`;
      serveListing(session, message.id, text, (bytes) => ({ ...honest(bytes), count: 1 }));
    });
    const client = await fx.connect(port);
    expect(await client.list()).toEqual([{ name: 'fine.txt', type: 'file', size: 1, mtime: 0 }]);
  });

  it('rejects a listing whose digest, size or count does not match with EINTEGRITY', async () => {
    let variant = 0;
    const port = await fx.startFake((message, session) => {
      if (message.type !== 'list') return;
      const text = `${JSON.stringify({ name: 'a', type: 'file', size: 1, mtime: 0 })}\n`;
      const which = variant++;
      serveListing(session, message.id, text, (bytes) => {
        const right = { ...honest(bytes), count: 1 };
        if (which === 0) return { ...right, sha256: sha256(Buffer.from('x')) };
        if (which === 1) return { ...right, size: right.size + 1 };
        return { ...right, count: 2 };
      });
    });
    const client = await fx.connect(port);
    for (let i = 0; i < 3; i++) expect((await rejectionOf(client.list())).code).toBe('EINTEGRITY');
  });

  it('rejects a listing line that is not an entry with EPROTO', async () => {
    const port = await fx.startFake((message, session) => {
      if (message.type !== 'list') return;
      const text = '{"name":"a","type":"device","size":1,"mtime":0}\n';
      serveListing(session, message.id, text, (bytes) => ({ ...honest(bytes), count: 1 }));
    });
    const client = await fx.connect(port);
    expect((await rejectionOf(client.list())).code).toBe('EPROTO');
  });
});

describe('docs/protocol.md §7 integrity of downloads from a hostile server', () => {
  const content = Buffer.from('the bytes the server actually sends');

  async function getFrom(
    ready: number,
    done: { size: number; sha256: string },
  ): Promise<{ error: { code?: unknown }; target: string }> {
    const port = await fx.startFake((message, session) => {
      if (message.type === 'get') serveFile(session, message.id, content, ready, done);
    });
    const client = await fx.connect(port);
    const target = await fx.tempDir();
    const error = await rejectionOf(client.get('f.txt', join(target, 'f.txt')));
    return { error, target };
  }

  it('rejects bytes that do not match the stated sha256 and leaves no file', async () => {
    const { error, target } = await getFrom(content.byteLength, {
      size: content.byteLength,
      sha256: sha256(Buffer.from('what the server claims it sent')),
    });
    expect(error.code).toBe('EINTEGRITY');
    expect(await readdir(target)).toEqual([]);
  });

  it('rejects a done.size that differs from the bytes received', async () => {
    const { error, target } = await getFrom(content.byteLength, {
      size: content.byteLength + 1,
      sha256: sha256(content),
    });
    expect(error.code).toBe('EINTEGRITY');
    expect(await readdir(target)).toEqual([]);
  });

  it('rejects a ready.size that differs from the bytes received', async () => {
    const { error, target } = await getFrom(content.byteLength * 2, honest(content));
    expect(error.code).toBe('EINTEGRITY');
    expect(await readdir(target)).toEqual([]);
  });

  it('accepts the download when everything matches (control)', async () => {
    const port = await fx.startFake((message, session) => {
      if (message.type === 'get') {
        serveFile(session, message.id, content, content.byteLength, honest(content));
      }
    });
    const client = await fx.connect(port);
    const target = await fx.tempDir();
    const result = await client.get('f.txt', join(target, 'f.txt'));
    expect(result.digest).toBe(sha256(content));
    expect(await readdir(target)).toEqual(['f.txt']);
  });
});

describe('docs/protocol.md §5 a data port that refuses', () => {
  it('fails the get, leaving no file, no temp file and no open descriptor', async () => {
    const closedPort = await fx.closedPort();
    const port = await fx.startFake((message, session) => {
      if (message.type !== 'get') return;
      session.send({ type: 'ready', id: message.id, port: closedPort, token: 'ab'.repeat(32) });
    });
    const client = await fx.connect(port);
    const target = await fx.tempDir();
    const error = await rejectionOf(client.get('f.txt', join(target, 'f.txt')));
    expect(error).toBeInstanceOf(CftpError);
    expect(await readdir(target)).toEqual([]);
    expect(await openDescriptorsUnder(target)).toEqual([]);
  });
});

/** This process's open file descriptors whose path lies under `dir` (Linux /proc). */
async function openDescriptorsUnder(dir: string): Promise<string[]> {
  const fds = await readdir('/proc/self/fd');
  const targets = await Promise.all(
    fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')),
  );
  return targets.filter((target) => target.startsWith(`${dir}/`));
}

describe('docs/protocol.md §11 ECONNECTION: the server goes away', { timeout: 5000 }, () => {
  function closeEvent(client: CftpClient): Promise<CftpError | undefined> {
    return new Promise((resolve) => client.once('close', resolve));
  }

  it('rejects an operation waiting for its reply and emits close', async () => {
    const port = await fx.startFake((message, session) => {
      if (message.type === 'get') session.socket.destroy();
    });
    const client = await fx.connect(port);
    const closed = closeEvent(client);
    const target = await fx.tempDir();
    const error = await rejectionOf(client.get('f.txt', join(target, 'f.txt')));
    expect(error.code).toBe('ECONNECTION');
    expect((await closed)?.code).toBe('ECONNECTION');
    expect(client.isClosed).toBe(true);
    expect((await rejectionOf(client.list())).code).toBe('ECONNECTION');
    expect(await readdir(target)).toEqual([]);
  });

  it('rejects a get whose data is mid-stream when the control connection drops', async () => {
    const port = await fx.startFake((message, session) => {
      if (message.type !== 'get') return;
      void (async () => {
        const data = await session.openData();
        // A whole `ready` for a get (§6.2): the client refuses one without a size (§5.4).
        session.send({
          type: 'ready',
          id: message.id,
          port: data.port,
          token: data.token,
          size: 2000,
          offset: 0,
          mtime: 0,
        });
        const socket = await data.connection;
        // Some bytes, then the control connection dies while the data channel stays open.
        socket.write(Buffer.alloc(1000, 1), () => session.socket.destroy());
      })();
    });
    const client = await fx.connect(port);
    const closed = closeEvent(client);
    const target = await fx.tempDir();
    const error = await rejectionOf(client.get('f.txt', join(target, 'f.txt')));
    expect(error.code).toBe('ECONNECTION');
    expect((await closed)?.code).toBe('ECONNECTION');
    // Nothing under the real name: the 1000 bytes wait, marked, for a resume (§8).
    const kept = await readdir(target);
    expect(kept).toEqual([expect.stringMatching(/^\.f\.txt\.cftp-resume-[0-9a-f]{16}\.part$/)]);
    expect((await stat(join(target, kept[0]!))).size).toBe(1000);
  });

  it('rejects every operation in flight with the ESHUTDOWN the real server announces', async () => {
    const { server, port } = await fx.startServer();
    const client = await fx.connect(port);
    const closed = closeEvent(client);
    await server.close(0);
    expect((await closed)?.code).toBe('ESHUTDOWN');
    expect(client.isClosed).toBe(true);
    expect((await rejectionOf(client.list())).code).toBe('ESHUTDOWN');
  });
});

describe('docs/protocol.md §3 a final error while the data channel stalls', {
  timeout: 5000,
}, () => {
  it('stops the download at once and reports the server’s code, without a signal', async () => {
    const port = await fx.startFake((message, session) => {
      if (message.type !== 'get') return;
      void (async () => {
        const data = await session.openData();
        session.send({
          type: 'ready',
          id: message.id,
          port: data.port,
          token: data.token,
          size: 10_000,
        });
        const socket = await data.connection;
        // Some bytes, then the data channel stays open and silent; the server gives up.
        socket.write(Buffer.alloc(100, 1), () =>
          session.send({ type: 'error', id: message.id, code: 'ETIMEDOUT', message: 'stalled' }),
        );
      })();
    });
    const client = await fx.connect(port);
    const target = await fx.tempDir();
    const error = await rejectionOf(client.get('f.bin', join(target, 'f.bin')));
    expect(error.code).toBe('ETIMEDOUT');
    expect(client.isClosed).toBe(false); // a failed request, not a lost session
  });
});

describe('docs/protocol.md §2, §3 control frames a server gets wrong', { timeout: 5000 }, () => {
  function closeEvent(client: CftpClient): Promise<CftpError | undefined> {
    return new Promise((resolve) => client.once('close', resolve));
  }

  it('a frame longer than allowed closes with EFRAMESIZE, after the replies before it', async () => {
    const port = await fx.startFake((message, session) => {
      if (message.type !== 'mkdir') return;
      const tooLong = Buffer.alloc(4);
      tooLong.writeUInt32BE(0xffffffff);
      // One write: the reply and the bad header arrive together.
      session.socket.write(Buffer.concat([encodeMessage({ type: 'ok', id: message.id }), tooLong]));
    });
    const client = await fx.connect(port);
    const closed = closeEvent(client);
    await client.mkdir('a');
    expect((await closed)?.code).toBe('EFRAMESIZE');
    expect(client.isClosed).toBe(true);
    expect((await rejectionOf(client.list())).code).toBe('EFRAMESIZE');
  });

  it('a reply that is not a message fails its operation and the session with EPROTO', async () => {
    const port = await fx.startFake((message, session) => {
      if (message.type === 'mkdir') session.socket.write(encodeFrame(Buffer.from('not json')));
    });
    const client = await fx.connect(port);
    const closed = closeEvent(client);
    const error = await rejectionOf(client.mkdir('a'));
    expect(error.code).toBe('EPROTO');
    expect((await closed)?.code).toBe('EPROTO');
  });
});
