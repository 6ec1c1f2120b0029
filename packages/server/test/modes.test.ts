// Permission bits on the server (docs/protocol.md §6.8): list, stat, ready and ready.files
// carry `mode`; an upload's file gets the source's mode masked by the server's umask, an
// overwritten file keeps its own, exactMode copies exactly; the temporary file is 0600.
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PutMany } from '@cftp/protocol';
import { describe, expect, it } from 'vitest';
import { partFiles, useFixture } from './fixture.js';
import { type Control, openData, readAll, sendAndEnd, sha256 } from './wire.js';

const fx = useFixture();

async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

/** Uploads `data` to `path` with the given put fields; resolves once committed. */
async function put(
  control: Control,
  path: string,
  data: Buffer,
  extra: { mode?: number; exactMode?: boolean } = {},
): Promise<void> {
  const id = control.newId();
  control.send({ type: 'put', id, path, size: data.byteLength, ...extra });
  const ready = await control.expect(id, 'ready');
  await sendAndEnd(fx.track(await openData(ready.port, ready.token)), data);
  control.send({ type: 'done', id, size: data.byteLength, sha256: sha256(data) });
  await control.expect(id, 'ok');
}

describe('docs/protocol.md §6.8: the server sends mode', () => {
  it('in welcome features, list entries, stat, ready (get) and ready.files (getmany)', async () => {
    const { port, root } = await fx.start();
    await writeFile(join(root, 'key'), 'secret');
    await chmod(join(root, 'key'), 0o600);
    await writeFile(join(root, 'run.sh'), '#!/bin/sh\n');
    await chmod(join(root, 'run.sh'), 0o4755); // setuid on disk: never carried
    const control = await fx.control(port);
    const welcome = control.log.find((m) => m.type === 'welcome');
    expect(welcome?.type === 'welcome' && welcome.features).toContain('mode');

    const stat1 = control.newId();
    control.send({ type: 'stat', id: stat1, path: 'key' });
    expect((await control.expect(stat1, 'ok')).entry?.mode).toBe(0o600);

    const get = control.newId();
    control.send({ type: 'get', id: get, path: 'run.sh' });
    const ready = await control.expect(get, 'ready');
    expect(ready.mode).toBe(0o755);
    await readAll(fx.track(await openData(ready.port, ready.token)));
    await control.expect(get, 'done');

    const many = control.newId();
    control.send({ type: 'getmany', id: many, paths: ['key', 'run.sh'] });
    const readyMany = await control.expect(many, 'ready');
    expect(readyMany.files?.map((f) => f.mode)).toEqual([0o600, 0o755]);
    await readAll(fx.track(await openData(readyMany.port, readyMany.token)));
    await control.expect(many, 'done');

    const list = control.newId();
    control.send({ type: 'list', id: list, path: '' });
    const readyList = await control.expect(list, 'ready');
    const body = await readAll(fx.track(await openData(readyList.port, readyList.token)));
    await control.expect(list, 'done');
    const modes = Object.fromEntries(
      body
        .toString()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { name: string; mode: number })
        .map((e) => [e.name, e.mode]),
    );
    expect(modes).toEqual({ key: 0o600, 'run.sh': 0o755 });
  });
});

describe('docs/protocol.md §6.8: the mode an upload gets', () => {
  it.each([
    { umask: 0o022, source: 0o600, expected: 0o600 },
    { umask: 0o022, source: 0o640, expected: 0o640 },
    { umask: 0o022, source: 0o755, expected: 0o755 },
    { umask: 0o022, source: 0o666, expected: 0o644 },
    { umask: 0o022, source: undefined, expected: 0o644 }, // a v1 client: 0666 & ~umask
    { umask: 0o077, source: 0o640, expected: 0o600 },
    { umask: 0o077, source: 0o755, expected: 0o700 },
    { umask: 0o077, source: undefined, expected: 0o600 },
  ])('new file, umask $umask, source $source → $expected', async ({ umask, source, expected }) => {
    const { port, root } = await fx.start({ umask });
    const control = await fx.control(port);
    await put(control, 'new.txt', Buffer.from('x'), source === undefined ? {} : { mode: source });
    expect(await modeOf(join(root, 'new.txt'))).toBe(expected);
  });

  it('an overwritten file keeps its own mode, wider or narrower than the source', async () => {
    const { port, root } = await fx.start();
    const control = await fx.control(port);
    await writeFile(join(root, 'private'), 'old');
    await chmod(join(root, 'private'), 0o600);
    await writeFile(join(root, 'public'), 'old');
    await chmod(join(root, 'public'), 0o644);
    await put(control, 'private', Buffer.from('new'), { mode: 0o644 });
    await put(control, 'public', Buffer.from('new'), { mode: 0o600 });
    expect(await modeOf(join(root, 'private'))).toBe(0o600);
    expect(await modeOf(join(root, 'public'))).toBe(0o644);
    expect(await readFile(join(root, 'private'), 'utf8')).toBe('new');
  });

  it('exactMode copies the source mode exactly, new or overwritten, past the umask', async () => {
    const { port, root } = await fx.start({ umask: 0o077 });
    const control = await fx.control(port);
    await writeFile(join(root, 'over'), 'old');
    await chmod(join(root, 'over'), 0o600);
    await put(control, 'over', Buffer.from('new'), { mode: 0o755, exactMode: true });
    await put(control, 'fresh', Buffer.from('new'), { mode: 0o664, exactMode: true });
    expect(await modeOf(join(root, 'over'))).toBe(0o755);
    expect(await modeOf(join(root, 'fresh'))).toBe(0o664);
  });

  it('putmany applies the rule per file', async () => {
    const { port, root } = await fx.start();
    const control = await fx.control(port);
    await writeFile(join(root, 'b'), 'old');
    await chmod(join(root, 'b'), 0o640);
    const a = Buffer.from('aa');
    const b = Buffer.from('bbb');
    const id = control.newId();
    const request: PutMany = {
      type: 'putmany',
      id,
      files: [
        { path: 'a', size: 2, mode: 0o700 },
        { path: 'b', size: 3, mode: 0o666 },
      ],
    };
    control.send(request);
    const ready = await control.expect(id, 'ready');
    const all = Buffer.concat([a, b]);
    await sendAndEnd(fx.track(await openData(ready.port, ready.token)), all);
    control.send({ type: 'done', id, size: 5, sha256: sha256(all), files: [sha256(a), sha256(b)] });
    await control.expect(id, 'ok');
    expect(await modeOf(join(root, 'a'))).toBe(0o700);
    expect(await modeOf(join(root, 'b'))).toBe(0o640);
  });

  it('the temporary file is 0600 while the upload is in flight, whatever the source', async () => {
    const { port, root } = await fx.start();
    const control = await fx.control(port);
    for (const resume of [false, true]) {
      const data = Buffer.from(`wide open ${resume}`);
      const id = control.newId();
      control.send({
        type: 'put',
        id,
        path: `wide-${resume}.sh`,
        size: data.byteLength,
        mode: 0o777,
        ...(resume ? { resume: true, sha256: sha256(data) } : {}),
      });
      const ready = await control.expect(id, 'ready');
      const socket = fx.track(await openData(ready.port, ready.token));
      socket.write(data.subarray(0, 3));
      const [part] = await partFiles(root);
      expect(part).toBeDefined();
      expect(await modeOf(join(root, part!))).toBe(0o600);
      await sendAndEnd(socket, data.subarray(3));
      control.send({ type: 'done', id, size: data.byteLength, sha256: sha256(data) });
      await control.expect(id, 'ok');
      expect(await modeOf(join(root, `wide-${resume}.sh`))).toBe(0o755);
    }
  });

  it('refuses a umask outside 0..0o777 at createServer', async () => {
    await expect(fx.start({ umask: 0o1000 })).rejects.toThrow(/umask/);
    await expect(fx.start({ umask: -1 })).rejects.toThrow(/umask/);
  });
});
