// A server that lies in its `tree` (docs/protocol.md §6.10): a path that climbs out of the
// folder, or a stream whose digest does not match, fails the sync before anything is
// written on this machine; nothing lands outside the local top.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256 } from '@cftp/wire-test';
import { describe, expect, it } from 'vitest';
import { sync } from '../src/index.js';
import { type FakeSession, useFixture } from './helpers.js';

const fx = useFixture();

/** Answers `tree` with `lines`, and `done` from `state(bytes)`. */
function treeServer(lines: object[], state: (bytes: Buffer) => { size: number; sha256: string }) {
  return fx.startFake(
    (message, session: FakeSession) => {
      if (message.type !== 'tree') return;
      void (async () => {
        const data = await session.openData();
        session.send({ type: 'ready', id: message.id, port: data.port, token: data.token });
        const socket = await data.connection;
        const bytes = Buffer.from(lines.map((l) => `${JSON.stringify(l)}\n`).join(''), 'utf8');
        socket.end(bytes);
        session.send({ type: 'done', id: message.id, ...state(bytes), count: lines.length });
      })();
    },
    ['sha256', 'fs', 'batch', 'tree'],
  );
}

const honest = (bytes: Buffer) => ({ size: bytes.byteLength, sha256: sha256(bytes) });

describe('sync from a hostile server', () => {
  it.each([
    ['a path out of the folder', '../../escape'],
    ['an absolute path', '/tmp/escape'],
    ['a dot segment', 'a/./b'],
  ])('refuses a tree with %s (EPROTO) and writes nothing', async (_name, path) => {
    const port = await treeServer(
      [
        { path: 'fine.txt', type: 'file', size: 1, mtime: 1 },
        { path, type: 'file', size: 1, mtime: 1 },
      ],
      honest,
    );
    const base = await fx.tempDir();
    const top = join(base, 'top');
    await mkdir(top);
    const client = await fx.connect(port, { digest: 'sha256' });
    await expect(
      sync(client, { direction: 'get', local: top, remote: 'site', delete: true }),
    ).rejects.toMatchObject({ code: 'EPROTO' });
    expect(await readdir(base)).toEqual(['top']);
    expect(await readdir(top)).toEqual([]);
  });

  it('refuses a tree whose digest does not match (EINTEGRITY), deleting nothing', async () => {
    const port = await treeServer(
      [{ path: 'a.txt', type: 'file', size: 1, mtime: 1 }],
      (bytes) => ({
        size: bytes.byteLength,
        sha256: sha256('something else'),
      }),
    );
    const top = await fx.tempDir();
    await writeFile(join(top, 'mine.txt'), 'mine');
    const client = await fx.connect(port, { digest: 'sha256' });
    await expect(
      sync(client, { direction: 'get', local: top, remote: '', delete: true }),
    ).rejects.toMatchObject({ code: 'EINTEGRITY' });
    expect(await readdir(top)).toEqual(['mine.txt']);
  });
});
