// Errors the client reports, each with its code (docs/protocol.md §11): from the server,
// from the local disk, from §9 path checks, and from the connection itself.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { CftpError } from '@cftp/protocol';
import { describe, expect, it } from 'vitest';
import { connect } from '../src/index.js';
import { HOST, rejectionOf, useFixture } from './helpers.js';

const fx = useFixture();

describe('docs/protocol.md §11 error codes on operations', () => {
  it('rejects a get of a missing remote file with ENOENT and writes nothing', async () => {
    const { port } = await fx.startServer();
    const target = await fx.tempDir();
    const client = await fx.connect(port);
    const error = await rejectionOf(client.get('missing.txt', join(target, 'missing.txt')));
    expect(error).toBeInstanceOf(CftpError);
    expect(error.code).toBe('ENOENT');
    expect(await readdir(target)).toEqual([]);
  });

  it('rejects a get of a folder with EISDIR and a list of a file with ENOTDIR', async () => {
    const { port, root } = await fx.startServer();
    await mkdir(join(root, 'folder'));
    await writeFile(join(root, 'file.txt'), 'x');
    const client = await fx.connect(port);
    const target = join(await fx.tempDir(), 'x');
    expect((await rejectionOf(client.get('folder', target))).code).toBe('EISDIR');
    expect((await rejectionOf(client.list('file.txt'))).code).toBe('ENOTDIR');
    expect((await rejectionOf(client.list('nope'))).code).toBe('ENOENT');
  });

  it('rejects a put of a missing local file with ENOENT before asking the server', async () => {
    const { server, port, root } = await fx.startServer();
    let operations = 0;
    server.on('operation', () => operations++);
    const client = await fx.connect(port);
    const local = join(await fx.tempDir(), 'not-there.txt');
    const error = await rejectionOf(client.put(local, 'x.txt'));
    expect(error).toBeInstanceOf(CftpError);
    expect(error.code).toBe('ENOENT');
    await client.list();
    expect(operations).toBe(1); // only the list
    expect(await readdir(root)).toEqual([]);
  });

  it('rejects a put into a missing remote folder with ENOENT', async () => {
    const { port, root } = await fx.startServer();
    const local = join(await fx.tempDir(), 'a.txt');
    await writeFile(local, 'a');
    const client = await fx.connect(port);
    expect((await rejectionOf(client.put(local, 'no/such/folder/a.txt'))).code).toBe('ENOENT');
    expect(await readdir(root)).toEqual([]);
  });

  it('rejects paths that §9 refuses with EBADNAME', async () => {
    const { port } = await fx.startServer();
    const dir = await fx.tempDir();
    const local = join(dir, 'a.txt');
    await writeFile(local, 'a');
    const client = await fx.connect(port);
    expect((await rejectionOf(client.get('../etc/passwd', join(dir, 'p')))).code).toBe('EBADNAME');
    expect((await rejectionOf(client.get('/etc/passwd', join(dir, 'p')))).code).toBe('EBADNAME');
    expect((await rejectionOf(client.put(local, '../escape.txt'))).code).toBe('EBADNAME');
    expect((await rejectionOf(client.list('a\\b'))).code).toBe('EBADNAME');
    expect((await readdir(dir)).sort()).toEqual(['a.txt']);
  });

  it('rejects a get into a missing local folder with ENOENT and stays usable', async () => {
    const { port, root } = await fx.startServer();
    await writeFile(join(root, 'f.txt'), 'x');
    const client = await fx.connect(port);
    const target = join(await fx.tempDir(), 'no-such-folder', 'f.txt');
    expect((await rejectionOf(client.get('f.txt', target))).code).toBe('ENOENT');
    expect(await client.list()).toHaveLength(1);
  });
});

describe('docs/protocol.md §11 ECONNECTION and §4.3 on connect', () => {
  it('rejects with ECONNECTION when nothing listens on the port', async () => {
    const port = await fx.closedPort();
    const error = await rejectionOf(connect({ host: HOST, port, timeoutMs: 5000 }));
    expect(error).toBeInstanceOf(CftpError);
    expect(error.code).toBe('ECONNECTION');
  });

  // §4.3 (1.1): a peer that accepts but never welcomes within the hello timeout is "not a
  // CFTP server" (EPROTO); v1 said ETIMEDOUT after the connect timeout.
  it('rejects with EPROTO "not a CFTP server" when the peer accepts but never answers hello', async () => {
    const port = await fx.startSilent();
    const started = performance.now();
    const error = await rejectionOf(connect({ host: HOST, port, helloTimeoutMs: 200 }));
    expect(error.code).toBe('EPROTO');
    expect(String((error as Error).message)).toContain(
      `${HOST}:${port} is not a CFTP server (no welcome within 0.2 s)`,
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('rejects with EVERSION when the server refuses the version', async () => {
    const refusing = createNetServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => {
        const payload = Buffer.from(
          JSON.stringify({ type: 'error', id: 1, code: 'EVERSION', message: 'only version 9' }),
        );
        const header = Buffer.alloc(4);
        header.writeUInt32BE(payload.byteLength);
        socket.end(Buffer.concat([header, payload]));
      });
    });
    await new Promise<void>((resolve) => refusing.listen(0, HOST, resolve));
    const address = refusing.address();
    if (address === null || typeof address === 'string') throw new Error('not listening');
    try {
      const error = await rejectionOf(connect({ host: HOST, port: address.port }));
      expect(error.code).toBe('EVERSION');
    } finally {
      await new Promise<void>((resolve) => refusing.close(() => resolve()));
    }
  });

  it('rejects a connect whose signal is already aborted with ECANCELED', async () => {
    const { port } = await fx.startServer();
    const error = await rejectionOf(connect({ host: HOST, port, signal: AbortSignal.abort() }));
    expect(error.code).toBe('ECANCELED');
  });
});
