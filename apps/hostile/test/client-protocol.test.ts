// The real `cftp` against a server that bends the protocol itself (issue 11, points 6 and
// 9): an oversized frame, message types it does not know (with and without a request id:
// forward compatibility), a welcome of version 2, and a welcome without `sha256`.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useClientSuite } from '../src/client-suite.js';
import { TIMEOUT_FLAGS } from '../src/run-client.js';

const suite = useClientSuite();

const plain = (command: string, ...rest: string[]) => [
  command,
  '--insecure-plaintext',
  ...TIMEOUT_FLAGS,
  ...rest,
];

const GOOD = Buffer.from('good\n');

/** A frame header announcing `length` payload bytes (§2). */
function header(length: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(length);
  return bytes;
}

describe.concurrent('framing', () => {
  it('a frame far above the maximum size: EFRAMESIZE at once, nothing buffered', async () => {
    const server = await suite.hostile({
      handlers: {
        // 1 GiB announced, then 1 MiB of it: the client must act on the header alone.
        get: (_request, session) =>
          session.sendBytes(Buffer.concat([header(1 << 30), randomBytes(1 << 20)])),
      },
    });
    const { problems, story } = await suite.run(
      { args: plain('get', `127.0.0.1:${server.port}:/x`, 'x') },
      { exit: 'failure', says: [/EFRAMESIZE/], absent: ['x'], partials: 'none' },
    );
    expect(problems, story).toEqual([]);
  });
});

describe.concurrent('message types the client does not know', () => {
  it('one without an id leaves the session working (forward compatibility)', async () => {
    const server = await suite.hostile({
      files: { 'good.txt': GOOD },
      afterWelcome: (session) =>
        session.send({ type: 'notice', text: 'maintenance at 02:00', level: 1 }),
    });
    const { problems, story, sandbox } = await suite.run(
      { args: plain('client', '127.0.0.1', String(server.port)), input: 'get good.txt\n' },
      { exit: 0, present: ['good.txt'], partials: 'none' },
    );
    expect(problems, story).toEqual([]);
    expect(await readFile(join(sandbox.target, 'good.txt'))).toEqual(GOOD);
  });

  it('one with an in-flight id fails only that request', async () => {
    const server = await suite.hostile({
      files: { 'good.txt': GOOD, 'other.txt': GOOD },
      handlers: {
        get: (request, session) => {
          if (request.path === 'other.txt') {
            session.send({ type: 'progress', id: request.id, percent: 50 });
            return;
          }
          return session.download(request.id, GOOD).then(() => {});
        },
      },
    });
    const { problems, story, sandbox } = await suite.run(
      {
        args: plain('client', '127.0.0.1', String(server.port)),
        input: '-get other.txt\nget good.txt\n',
      },
      {
        exit: 0,
        says: [/error: .*other\.txt/],
        absent: ['other.txt'],
        present: ['good.txt'],
        partials: 'none',
      },
    );
    expect(problems, story).toEqual([]);
    expect(await readFile(join(sandbox.target, 'good.txt'))).toEqual(GOOD);
  });
});

describe.concurrent('welcome', () => {
  it('version 2: EVERSION', async () => {
    const server = await suite.hostile({ welcome: { version: 2 } });
    const { problems, story } = await suite.run(
      { args: plain('client', '127.0.0.1', String(server.port)), input: 'ls\n' },
      { exit: 'failure', says: [/EVERSION/], partials: 'none' },
    );
    expect(problems, story).toEqual([]);
    // Nothing past the handshake: no request reached the server.
    expect(server.sessions.flatMap((s) => s.requests.map((r) => r.type))).toEqual(['hello']);
  });

  it('without sha256: refused', async () => {
    const server = await suite.hostile({ welcome: { features: ['fs', 'resume', 'mtime'] } });
    const { problems, story } = await suite.run(
      { args: plain('client', '127.0.0.1', String(server.port)), input: 'ls\n' },
      { exit: 'failure', says: [/sha256/], partials: 'none' },
    );
    expect(problems, story).toEqual([]);
    expect(server.sessions.flatMap((s) => s.requests.map((r) => r.type))).toEqual(['hello']);
  });
});
