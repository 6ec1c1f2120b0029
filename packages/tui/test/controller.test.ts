// The Controller against a real server: connecting (and failing to), listings and file
// operations on both sides, copies turned into queue items, and a lost connection that is
// reconnected with the interrupted transfers resumed.
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { ConnectionStatus } from '../src/controller.js';
import type { Side } from '../src/paths.js';
import { sortEntries } from '../src/state.js';
import type { TransferItem } from '../src/transfers.js';
import { createFixture, sha256File, writeRandom } from './fixture.js';

const fixture = createFixture();

/** A port that was free a moment ago (nothing listens there). */
async function closedPort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  if (address === null || typeof address === 'string') throw new Error('not listening');
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return address.port;
}

describe('Controller connection', () => {
  it('reports connecting, then connected', async () => {
    const { port } = await fixture.startServer();
    const controller = await fixture.controller();
    const phases: ConnectionStatus['phase'][] = [];
    controller.on('connection', (status) => phases.push(status.phase));
    expect(controller.status.phase).toBe('idle');
    expect(await controller.connect('127.0.0.1', port)).toBe(true);
    expect(phases).toEqual(['connecting', 'connected']);
    expect(controller.status).toMatchObject({ host: '127.0.0.1', port, error: undefined });
  });

  it('resolves false with the reason when nobody listens', async () => {
    const controller = await fixture.controller();
    const port = await closedPort();
    expect(await controller.connect('127.0.0.1', port)).toBe(false);
    expect(controller.status.phase).toBe('disconnected');
    expect(controller.status.error?.code).toBe('ECONNECTION');
    await expect(controller.list('remote', '')).rejects.toMatchObject({ code: 'ECONNECTION' });
  });

  it('notices a lost connection, and reconnecting resumes the interrupted transfer', async () => {
    const first = await fixture.startServer();
    const local = await fixture.tempDir();
    const digest = await writeRandom(join(first.root, 'big.bin'), 48 * 1024 * 1024);
    const controller = await fixture.controller(first.port);
    const statuses: ConnectionStatus[] = [];
    controller.on('connection', (status) => statuses.push(status));

    const [item] = (
      await controller.copy(
        'remote',
        '',
        [{ name: 'big.bin', type: 'file', size: 48 * 1024 * 1024, mtime: 0 }],
        local,
      )
    ).queued;
    if (item === undefined) throw new Error('nothing queued');
    // The server goes away as soon as the first bytes have arrived.
    const failed = new Promise<TransferItem>((resolve) => {
      controller.transfers.on('finished', (done) => resolve(done));
    });
    let stopping: Promise<void> | undefined;
    controller.transfers.on('change', () => {
      if (stopping === undefined && (controller.transfers.get(item.id)?.bytes ?? 0) > 0) {
        stopping = first.server.close(0);
      }
    });
    const lost = await failed;
    expect(lost.state).toBe('failed');
    // Cut off by the shutdown (ESHUTDOWN) or by the closed connection (ECONNECTION).
    expect(['ESHUTDOWN', 'ECONNECTION']).toContain(lost.error?.code);
    expect(lost.interrupted).toBe(true);
    await stopping;
    await vi.waitFor(() => expect(controller.status.phase).toBe('disconnected'));
    expect(['ESHUTDOWN', 'ECONNECTION']).toContain(statuses.at(-1)?.error?.code);
    expect(controller.transfers.get(item.id)?.state).toBe('failed');

    // Same root, same port: the server is back.
    await fixture.startServer({ root: first.root, port: first.port });
    const done = new Promise<TransferItem>((resolve) => {
      controller.transfers.on('finished', (next) => {
        if (next.id === item.id) resolve(next);
      });
    });
    expect(await controller.reconnect()).toBe(true);
    const resumed = await done;
    expect(resumed).toMatchObject({ state: 'done', attempts: 2 });
    expect(await sha256File(join(local, 'big.bin'))).toBe(digest);
  });
});

describe('Controller operations', () => {
  async function both() {
    const { root, port } = await fixture.startServer();
    const local = await fixture.tempDir();
    const controller = await fixture.controller(port);
    const dirs: Record<Side, string> = { local, remote: root };
    const path = (side: Side, name: string) => (side === 'local' ? join(local, name) : name);
    const folder = (side: Side) => (side === 'local' ? local : '');
    return { controller, dirs, path, folder };
  }

  it.each(['local', 'remote'] as const)(
    'lists, makes, renames and deletes on the %s side',
    async (side) => {
      const { controller, dirs, path, folder } = await both();
      await writeFile(join(dirs[side], 'b.txt'), 'bee');
      await controller.mkdir(side, path(side, 'a-folder'));
      const names = sortEntries(await controller.list(side, folder(side))).map((e) => [
        e.name,
        e.type,
      ]);
      expect(names).toEqual([
        ['a-folder', 'dir'],
        ['b.txt', 'file'],
      ]);
      await controller.rename(side, path(side, 'b.txt'), path(side, 'c.txt'));
      expect(await readFile(join(dirs[side], 'c.txt'), 'utf8')).toBe('bee');
      await controller.remove(side, path(side, 'c.txt'), 'file');
      await controller.remove(side, path(side, 'a-folder'), 'dir');
      expect(await readdir(dirs[side])).toEqual([]);
    },
  );

  it.each(['local', 'remote'] as const)(
    'on the %s side, refuses to delete a folder with contents',
    async (side) => {
      const { controller, dirs, path } = await both();
      await mkdir(join(dirs[side], 'full'));
      await writeFile(join(dirs[side], 'full', 'x'), 'x');
      const refusal = controller.remove(side, path(side, 'full'), 'dir');
      await expect(refusal).rejects.toMatchObject({ code: 'ENOTEMPTY' });
      await expect(refusal).rejects.toThrow(/is not empty: delete what is inside it first/);
      expect(await readdir(join(dirs[side], 'full'))).toEqual(['x']);
    },
  );

  it.each(['local', 'remote'] as const)(
    'on the %s side, a rename never replaces an entry',
    async (side) => {
      const { controller, dirs, path } = await both();
      await writeFile(join(dirs[side], 'one'), '1');
      await writeFile(join(dirs[side], 'two'), '2');
      await expect(
        controller.rename(side, path(side, 'one'), path(side, 'two')),
      ).rejects.toMatchObject({
        code: 'EEXIST',
      });
      expect(await readFile(join(dirs[side], 'two'), 'utf8')).toBe('2');
    },
  );

  it('queues gets for remote files and folders and skips symlinks', async () => {
    const { controller, dirs } = await both();
    await writeFile(join(dirs.remote, 'f.txt'), 'file');
    await mkdir(join(dirs.remote, 'd'));
    await writeFile(join(dirs.remote, 'd', 'in.txt'), 'inside');
    await symlink('f.txt', join(dirs.remote, 'link'));
    const entries = await controller.list('remote', '');
    const { queued, skipped } = await controller.copy(
      'remote',
      '',
      sortEntries(entries),
      dirs.local,
    );
    expect(queued.map((item) => [item.direction, item.kind, item.name])).toEqual([
      ['get', 'tree', 'd/'],
      ['get', 'file', 'f.txt'],
    ]);
    expect(skipped).toEqual(['link']);
    expect(queued[1]?.destination).toEqual({ side: 'local', folder: dirs.local });
    await controller.transfers.idle();
    expect(await readFile(join(dirs.local, 'd', 'in.txt'), 'utf8')).toBe('inside');
    expect(await readFile(join(dirs.local, 'f.txt'), 'utf8')).toBe('file');
  });

  it('queues puts for local files, folders and symlinks to files', async () => {
    const { controller, dirs } = await both();
    await writeFile(join(dirs.local, 'f.txt'), 'file');
    await mkdir(join(dirs.local, 'd'));
    await writeFile(join(dirs.local, 'd', 'in.txt'), 'inside');
    await symlink(join(dirs.local, 'f.txt'), join(dirs.local, 'alias'));
    await symlink(join(dirs.local, 'missing'), join(dirs.local, 'broken'));
    const entries = sortEntries(await controller.list('local', dirs.local));
    await controller.mkdir('remote', 'up');
    const { queued, skipped } = await controller.copy('local', dirs.local, entries, 'up');
    expect(queued.map((item) => [item.direction, item.kind, item.target])).toEqual([
      ['put', 'tree', 'up/d'],
      ['put', 'file', 'up/alias'],
      ['put', 'file', 'up/f.txt'],
    ]);
    expect(skipped).toEqual(['broken']);
    await controller.transfers.idle();
    expect(await readFile(join(dirs.remote, 'up', 'd', 'in.txt'), 'utf8')).toBe('inside');
    expect(await readFile(join(dirs.remote, 'up', 'alias'), 'utf8')).toBe('file');
  });

  it('cancels everything on close', async () => {
    const { controller, dirs } = await both();
    await writeRandom(join(dirs.remote, 'big.bin'), 32 * 1024 * 1024);
    const entries = await controller.list('remote', '');
    const { queued } = await controller.copy('remote', '', entries, dirs.local);
    await controller.close();
    expect(controller.transfers.get(queued[0]!.id)?.state).toBe('cancelled');
    expect(controller.transfers.active).toBe(0);
  });
});

describe('local listing', () => {
  it('lists the engine’s temporary files like any dot file (the pane hides them by default)', async () => {
    const dir = await fixture.tempDir();
    await writeFile(join(dir, 'big.iso'), 'x');
    await writeFile(join(dir, '.big.iso.cftp-resume-0123456789abcdef.part'), 'x');
    await writeFile(join(dir, '.up.bin.cftp-0123456789abcdef.part'), 'x');
    await writeFile(join(dir, '.hidden'), 'x');
    const controller = await fixture.controller();
    const names = (await controller.list('local', dir)).map((entry) => entry.name).sort();
    expect(names).toEqual([
      '.big.iso.cftp-resume-0123456789abcdef.part',
      '.hidden',
      '.up.bin.cftp-0123456789abcdef.part',
      'big.iso',
    ]);
  });
});
