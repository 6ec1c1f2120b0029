// Path escapes (docs/protocol.md §9, docs/security.md "Paths"): every client path is
// resolved inside the root. A hostile client tries every operation with every escape it can
// spell against a real `cftp server`; nothing outside the root may be read, listed, written,
// moved or removed. And the other way round: a hostile server's names cannot make
// `cftp client` write outside its folder.
import { mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import {
  type ClientMessage,
  encodeMessage,
  MessageDecoder,
  type ServerMessage,
} from '@cftp/protocol';
import { runCftp, startServer } from '@cftp/testkit';
import { Control, openData, readAll } from '@cftp/wire-test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256, useHostile } from './support.js';

const hostile = useHostile('paths');

const MARKER = `SECRET-${Math.random().toString(36).slice(2)}`;

/** Paths that §9 refuses by their spelling alone: EBADNAME for every operation. */
const BAD_SPELLING = [
  '..',
  '../',
  '../secret.txt',
  '../data-other/secret.txt',
  '../outside/secret.txt',
  'sub/..',
  'sub/../..',
  'sub/../../outside/secret.txt',
  './../outside',
  'sub//inner.txt',
  '/',
  '/etc/passwd',
  '//etc/passwd',
  '\\etc\\passwd',
  '..\\..\\outside',
  'sub\\..\\..\\outside',
  'C:\\Windows\\win.ini',
  'C:/Windows',
  'c:',
  'Z:secret.txt',
  'ok\u0000.txt',
  '\u0000',
  'a\nb',
  'a\rb',
  '\u001b[31mred',
  'del\u007f',
  'x'.repeat(256),
  '\u00e9'.repeat(128), // 256 UTF-8 bytes in one segment
  `${'a/'.repeat(2048)}x`, // 4097 bytes
  '.\u002e/outside', // "../outside" spelt with an escape
];

/**
 * Paths spelt well that lead, or look as if they lead, outside: symlinks out of the root,
 * the prefix sibling `data-other`, Unicode look-alikes of "..", temporary names.
 */
const SNEAKY = [
  'leak.txt',
  'leak-dir',
  'leak-dir/secret.txt',
  'leak-dir/new.txt',
  'peek.txt',
  'peek-dir',
  'peek-dir/secret.txt',
  'peek-abs',
  'peek-abs/secret.txt',
  'sub/up',
  'sub/up/outside/secret.txt',
  '\uff0e\uff0e/outside/secret.txt',
  '\u2024\u2024/outside/secret.txt',
  '..\u200b/outside/secret.txt',
  '%2e%2e/outside/secret.txt',
  '.ok.txt.cftp-0123456789abcdef.part',
];

type Op =
  | 'list'
  | 'get'
  | 'stat'
  | 'put'
  | 'mkdir'
  | 'rmdir'
  | 'delete'
  | 'rename-from'
  | 'rename-to';
const OPS: Op[] = [
  'list',
  'get',
  'stat',
  'put',
  'mkdir',
  'rmdir',
  'delete',
  'rename-from',
  'rename-to',
];

let base: string;
let root: string;
let server: Awaited<ReturnType<typeof startServer>>;
const tally = { attempts: 0, breaches: 0, refusedEbadname: 0, refusedOther: 0, allowedInside: 0 };

/** Root, prefix sibling and outside folder, with symlinks from the root leading out. */
async function layout(): Promise<void> {
  await rm(root, { recursive: true, force: true });
  await mkdir(join(root, 'sub'), { recursive: true });
  await writeFile(join(root, 'ok.txt'), 'inside');
  await writeFile(join(root, 'victim.txt'), 'inside, to be moved');
  await writeFile(join(root, 'sub', 'inner.txt'), 'inside');
  await symlink(join(base, 'outside', 'secret.txt'), join(root, 'leak.txt'));
  await symlink(join(base, 'outside'), join(root, 'leak-dir'));
  await symlink(join('..', 'data-other', 'secret.txt'), join(root, 'peek.txt'));
  await symlink(join('..', 'data-other'), join(root, 'peek-dir'));
  await symlink(join(base, 'data-other'), join(root, 'peek-abs'));
  await symlink(join('..', '..'), join(root, 'sub', 'up'));
}

/** Names and contents of everything outside the root, to compare before and after. */
async function outsideSnapshot(): Promise<string> {
  const parts: string[] = [];
  for (const dir of ['outside', 'data-other']) {
    for (const name of (await readdir(join(base, dir))).sort()) {
      parts.push(`${dir}/${name}:${sha256(await readFile(join(base, dir, name)))}`);
    }
  }
  parts.push(`base:${(await readdir(base)).sort().join(',')}`);
  return parts.join('\n');
}

function request(op: Op, id: number, path: string): ClientMessage {
  switch (op) {
    case 'put':
      return { type: 'put', id, path, size: 3 };
    case 'rename-from':
      return { type: 'rename', id, from: path, to: `renamed-${id}` };
    case 'rename-to':
      return { type: 'rename', id, from: 'victim.txt', to: path };
    default:
      return { type: op, id, path };
  }
}

/** One attempt: the final reply, and whatever a data channel would have carried. */
async function attempt(
  control: Control,
  op: Op,
  path: string,
): Promise<{
  final: ServerMessage;
  data: string;
}> {
  const id = control.newId();
  control.send(request(op, id, path));
  let reply = await control.reply(id);
  let data = '';
  if (reply.type === 'ready') {
    const socket = await openData(reply.port, reply.token);
    if (op === 'put') {
      socket.end(Buffer.from('pwn'));
      control.send({ type: 'done', id, size: 3, sha256: sha256(Buffer.from('pwn')) });
    }
    data = (await readAll(socket)).toString('latin1');
    reply = await control.reply(id);
  }
  return { final: reply, data };
}

beforeAll(async () => {
  base = await hostile.tempDir();
  root = join(base, 'data');
  await mkdir(join(base, 'data-other'));
  await mkdir(join(base, 'outside'));
  await writeFile(join(base, 'data-other', 'secret.txt'), `${MARKER} sibling`);
  await writeFile(join(base, 'outside', 'secret.txt'), `${MARKER} outside`);
  await layout();
  server = hostile.server(await startServer(root, ['--quiet']));
});

afterAll(() => {
  hostile.figures.pathEscapeAttempts = tally.attempts;
  hostile.figures.pathEscapesSucceeded = tally.breaches;
  hostile.figures.refusedEbadname = tally.refusedEbadname;
  hostile.figures.refusedOtherCode = tally.refusedOther;
  hostile.figures.allowedWithoutEscaping = tally.allowedInside;
});

describe('a hostile client against cftp server (§9)', () => {
  it.each(OPS)('%s: refuses every bad spelling with EBADNAME', async (op) => {
    await layout();
    const before = await outsideSnapshot();
    const control = await Control.ready(server.port);
    try {
      for (const path of BAD_SPELLING) {
        tally.attempts++;
        const { final, data } = await attempt(control, op, path);
        if (final.type !== 'error' || data.includes(MARKER)) tally.breaches++;
        expect({ path, final: final.type, code: final.type === 'error' ? final.code : '' }).toEqual(
          { path, final: 'error', code: 'EBADNAME' },
        );
        tally.refusedEbadname++;
      }
    } finally {
      control.close();
    }
    expect(await outsideSnapshot()).toBe(before);
  });

  it.each(OPS)(
    '%s: never reaches outside through symlinks, siblings or look-alikes',
    async (op) => {
      await layout();
      const before = await outsideSnapshot();
      const control = await Control.ready(server.port);
      try {
        for (const path of SNEAKY) {
          tally.attempts++;
          const { final, data } = await attempt(control, op, path);
          const leaked = data.includes(MARKER) || data.includes('secret.txt');
          const changed = (await outsideSnapshot()) !== before;
          if (leaked || changed) tally.breaches++;
          expect({ path, leaked, changed }).toEqual({ path, leaked: false, changed: false });
          if (final.type === 'error') tally.refusedOther++;
          else tally.allowedInside++; // e.g. delete of the link itself, stat of the link
          if (path.includes('secret.txt') && (op === 'get' || op === 'list')) {
            expect(final.type).toBe('error');
          }
        }
      } finally {
        control.close();
      }
      expect(server.isRunning()).toBe(true);
    },
  );
});

/** A CFTP server that lies: its listings name files "../x", "/tmp/x", "a/b"... */
class LyingServer {
  private constructor(
    private readonly listener: Server,
    readonly port: number,
  ) {}

  static async start(names: readonly string[], content: Buffer): Promise<LyingServer> {
    const listener = createNetServer((socket) => LyingServer.serve(socket, names, content));
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const address = listener.address();
    return new LyingServer(listener, typeof address === 'object' && address ? address.port : 0);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.listener.close(() => resolve()));
  }

  /** Opens a one-shot data listener that sends `payload` to whoever connects. */
  private static async dataChannel(payload: Buffer): Promise<number> {
    const data = createNetServer((socket: Socket) => {
      data.close();
      socket.on('error', () => {});
      socket.once('data', () => socket.end(payload)); // after the token
    });
    await new Promise<void>((resolve) => data.listen(0, '127.0.0.1', resolve));
    const address = data.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  private static serve(socket: Socket, names: readonly string[], content: Buffer): void {
    const decoder = new MessageDecoder();
    const send = (message: ServerMessage) => socket.write(encodeMessage(message));
    const token = '00'.repeat(32);
    socket.on('error', () => {});
    socket.on('data', async (chunk: Buffer) => {
      for (const result of decoder.push(chunk)) {
        if (!('message' in result)) continue;
        const message = result.message;
        const id = message.id ?? 0;
        if (message.type === 'hello') {
          send({
            type: 'welcome',
            id,
            version: 1,
            features: ['sha256', 'fs', 'resume', 'mtime'],
            agent: 'liar/1',
            maxFrameSize: 65536,
            maxInFlight: 16,
          });
        } else if (message.type === 'stat') {
          const entry = { name: 'evil', type: 'dir' as const, size: 0, mtime: 0 };
          send({ type: 'ok', id, entry });
        } else if (message.type === 'list') {
          const listing = Buffer.from(
            names
              .map(
                (name) =>
                  `${JSON.stringify({ name, type: 'file', size: content.length, mtime: 0 })}\n`,
              )
              .join(''),
          );
          const port = await LyingServer.dataChannel(listing);
          send({ type: 'ready', id, port, token });
          send({
            type: 'done',
            id,
            size: listing.length,
            sha256: sha256(listing),
            count: names.length,
          });
        } else if (message.type === 'get') {
          const port = await LyingServer.dataChannel(content);
          send({ type: 'ready', id, port, token, size: content.length, offset: 0, mtime: 0 });
          send({ type: 'done', id, size: content.length, sha256: sha256(content) });
        } else if (message.type === 'quit') {
          send({ type: 'ok', id });
          socket.end();
        } else {
          send({ type: 'error', id, code: 'EACCES', message: 'no' });
        }
      }
    });
  }
}

describe('a hostile server against cftp client', () => {
  const HOSTILE_NAMES = [
    '../escaped.txt',
    '../../escaped2.txt',
    '/tmp/cftp-hostile-absolute.txt',
    'a/../../escaped3.txt',
    '..',
    '.',
    'C:\\escaped4.txt',
    'dir\\..\\..\\escaped5.txt',
    'nul\u0000byte',
  ];

  it.each([
    ['mget *', 'mget *'],
    ['get -r', 'get -r evil'],
  ])('%s writes nothing outside the local folder', async (_label, command) => {
    const base = await hostile.tempDir();
    const cwd = join(base, 'inner');
    await mkdir(cwd);
    const liar = await LyingServer.start(HOSTILE_NAMES, Buffer.from('payload from a liar'));
    try {
      const result = await runCftp(['client', '127.0.0.1', String(liar.port)], {
        cwd,
        input: `${command}\n`,
      });
      expect(result.stderr).toMatch(/EBADNAME|EPROTO/);
    } finally {
      await liar.close();
    }
    expect(await readdir(base)).toEqual(['inner']);
    expect(
      (await readdir(cwd, { recursive: true })).filter((name) => name.includes('escaped')),
    ).toEqual([]);
    await expect(readFile('/tmp/cftp-hostile-absolute.txt')).rejects.toMatchObject({
      code: 'ENOENT',
    });
    hostile.figures.clientWritesOutside = 0;
  });
});
