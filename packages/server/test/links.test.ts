// Feature `links` (docs/protocol.md §6.9): a listed or stat'ed symlink carries its `target`
// only for a client that lists `links`; `symlink` makes a link that leads inside the root —
// judged from the real folder it is made in — never over an existing name.
import { lstat, mkdir, readdir, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Entry, entrySchema } from '@cftp/protocol';
import { type Control, openData, readAll } from '@cftp/wire-test';
import { describe, expect, it } from 'vitest';
import { useFixture } from './fixture.js';

const fx = useFixture();

/** A ready session whose hello lists `features`. */
async function session(port: number, features: string[]): Promise<Control> {
  const control = await fx.rawControl(port);
  const id = control.newId();
  control.send({ type: 'hello', id, version: 1, features, agent: 'links-test' });
  const welcome = await control.expect(id, 'welcome');
  expect(welcome.features).toContain('links');
  return control;
}

async function list(control: Control, path: string): Promise<Map<string, Entry>> {
  const id = control.newId();
  control.send({ type: 'list', id, path });
  const ready = await control.expect(id, 'ready');
  const bytes = await readAll(fx.track(await openData(ready.port, ready.token)));
  await control.expect(id, 'done');
  const lines = bytes
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '');
  const entries = lines.map((line): Entry => {
    const parsed = entrySchema.parse(JSON.parse(line));
    if (!parsed.ok) throw new Error(parsed.error);
    return parsed.value;
  });
  return new Map(entries.map((entry) => [entry.name, entry]));
}

async function linked(): Promise<{ root: string; port: number }> {
  const base = await fx.tempDir();
  const root = join(base, 'root');
  await mkdir(join(root, 'dir', 'deep'), { recursive: true });
  await writeFile(join(root, 'a.txt'), 'a');
  await writeFile(join(base, 'outside.txt'), 'outside');
  await symlink('a.txt', join(root, 'flink'));
  await symlink('dir/deep', join(root, 'deeplink'));
  const { port } = await fx.start({ root });
  return { root, port };
}

describe('links: targets in listings', () => {
  it('a client that lists links sees each link text; one that does not never does', async () => {
    const { port } = await linked();
    const withLinks = await session(port, ['sha256', 'links']);
    const entries = await list(withLinks, '');
    expect(entries.get('flink')).toMatchObject({ type: 'symlink', target: 'a.txt' });
    expect(entries.get('a.txt')?.target).toBeUndefined();
    const id = withLinks.newId();
    withLinks.send({ type: 'stat', id, path: 'deeplink' });
    expect((await withLinks.expect(id, 'ok')).entry).toMatchObject({ target: 'dir/deep' });

    const without = await session(port, ['sha256']);
    const plain = await list(without, '');
    expect(plain.get('flink')).toMatchObject({ type: 'symlink' });
    expect(plain.get('flink')).not.toHaveProperty('target');
    const statId = without.newId();
    without.send({ type: 'stat', id: statId, path: 'flink' });
    expect((await without.expect(statId, 'ok')).entry).not.toHaveProperty('target');
  });
});

describe('links: the symlink request', () => {
  it('makes links that lead inside the root, dangling ones included', async () => {
    const { root, port } = await linked();
    const control = await session(port, ['sha256', 'links']);
    const made: [string, string][] = [
      ['dir/up', '../a.txt'],
      ['dir/dangling', 'not-yet'],
      ['dir/deep/top', '../..'],
    ];
    for (const [path, target] of made) {
      const id = control.newId();
      control.send({ type: 'symlink', id, path, target });
      await control.expect(id, 'ok');
      expect(await readlink(join(root, path))).toBe(target);
    }
  });

  it('refuses a link that leads outside (EACCES), over an existing name (EEXIST)', async () => {
    const { root, port } = await linked();
    const control = await session(port, ['sha256', 'links']);
    const refused: [string, string, string][] = [
      ['out', '../outside.txt', 'EACCES'],
      ['abs', '/etc/passwd', 'EACCES'],
      // Lexically inside (deeplink/x/../../.. is the root), really outside: deeplink is
      // dir/deep, two levels down, so three levels up leave the root.
      ['deeplink/sneak', '../../..', 'EACCES'],
      ['a.txt', 'dir', 'EEXIST'],
      ['flink', 'dir', 'EEXIST'],
      ['dir', 'a.txt', 'EEXIST'],
      ['.x.cftp-0123456789abcdef.part', 'a.txt', 'EBADNAME'],
    ];
    for (const [path, target, code] of refused) {
      const id = control.newId();
      control.send({ type: 'symlink', id, path, target });
      expect(await control.errorCode(id), `${path} -> ${target}`).toBe(code);
    }
    // Nothing was written through or replaced.
    expect(await readlink(join(root, 'flink'))).toBe('a.txt');
    expect((await lstat(join(root, 'a.txt'))).isFile()).toBe(true);
    expect((await readdir(join(root, 'dir', 'deep'))).sort()).toEqual([]);
    expect((await readdir(root)).sort()).toEqual(['a.txt', 'deeplink', 'dir', 'flink']);
  });

  it('a read-only server refuses it like any write (EACCES)', async () => {
    const root = await fx.tempDir();
    const { port } = await fx.start({ root, authorize: (_s, op) => op === 'list' });
    const control = await session(port, ['sha256', 'links']);
    const id = control.newId();
    control.send({ type: 'symlink', id, path: 'l', target: 'x' });
    expect(await control.errorCode(id)).toBe('EACCES');
    expect(await readdir(root)).toEqual([]);
  });
});
