// `cftp sync` and symlinks, with real processes over TLS (docs/cli.md "Sync"): a tree holding
// a file link, a folder link, a dangling link, a link back up (a loop under -L) and one that
// leads outside the tree. Default: each is skipped and named. -L: followed (loops and
// dangling links skipped), and with --checksum too a second run copies nothing. --links: made
// as links (those inside the tree), compared by their text, removed by --delete. Both
// directions; a second run plans nothing.
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, useServer } from './helpers.js';
import { at, counts, snapshot, sync } from './sync-helpers.js';

const cftp = useServer({ scope: 'all' });
let base: string;
let n = 0;
let remote: string;

beforeEach(async () => {
  base = await makeTempDir();
  remote = `t${++n}`;
});

/** The tree in `dir`, its outside link leading to `../<outside>` (a folder made beside it). */
async function linkTree(dir: string, outside: string): Promise<void> {
  await mkdir(join(dir, 'dir'), { recursive: true });
  await mkdir(join(dir, '..', outside), { recursive: true });
  await writeFile(join(dir, '..', outside, 'far.txt'), 'far away');
  await writeFile(join(dir, 'file.txt'), 'file');
  await writeFile(join(dir, 'dir', 'inner.txt'), 'inner');
  await symlink('file.txt', join(dir, 'file-link'));
  await symlink('dir', join(dir, 'dir-link'));
  await symlink('nothing', join(dir, 'dangling'));
  await symlink('..', join(dir, 'dir', 'up'));
  await symlink(`../${outside}`, join(dir, 'outside'));
}

/** What -L makes of the tree: links replaced by what they lead to, loops and dangling left. */
const FOLLOWED = {
  'file.txt': expect.any(String),
  'file-link': expect.any(String),
  dir: 'dir',
  'dir/inner.txt': expect.any(String),
  'dir-link': 'dir',
  'dir-link/inner.txt': expect.any(String),
  outside: 'dir',
  'outside/far.txt': expect.any(String),
};

/** What --links makes of it: every link inside the tree as a link. */
const LINKED = {
  'file.txt': expect.any(String),
  dir: 'dir',
  'dir/inner.txt': expect.any(String),
  'dir/up': 'link:..',
  'file-link': 'link:file.txt',
  'dir-link': 'link:dir',
  dangling: 'link:nothing',
};

describe('cftp sync and symlinks', () => {
  it('by default skips and names every link, both ways', async () => {
    await linkTree(join(base, 'src'), `${remote}-out`);
    const up = await sync(['-v', 'src', at(cftp.server.port, remote)], base);
    expect(up.code, up.stderr).toBe(0);
    for (const name of ['file-link -> file.txt', 'dir-link -> dir', 'dangling -> nothing']) {
      expect(up.stdout).toContain(`skip ${name} (symlink)`);
    }
    expect(up.stdout).toMatch(/3 created, .*, 5 skipped\n$/);
    expect(Object.keys((await snapshot(join(cftp.root, remote))).content)).toEqual([
      'dir',
      'dir/inner.txt',
      'file.txt',
    ]);
    await linkTree(join(cftp.root, `${remote}-get`), `${remote}-out`);
    const down = await sync([at(cftp.server.port, `${remote}-get`), 'copy'], base);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toMatch(/3 created, .*, 5 skipped\n$/);
    expect(Object.keys((await snapshot(join(base, 'copy'))).content)).toEqual([
      'dir',
      'dir/inner.txt',
      'file.txt',
    ]);
  });

  it('-L follows links both ways, skips loops and dangling links, then plans nothing', async () => {
    await linkTree(join(base, 'src'), 'outside-tree');
    const up = await sync(['-v', '-L', 'src', at(cftp.server.port, remote)], base);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain('skip dangling -> nothing (dangling)');
    expect(up.stdout).toContain('skip dir/up -> .. (loop)');
    expect(up.stdout).toContain('skip dir-link/up -> .. (loop)');
    const there = await snapshot(join(cftp.root, remote));
    expect(there.content).toEqual(FOLLOWED);
    expect(there.content['file-link']).toBe(there.content['file.txt']);
    const again = await sync(['-L', 'src', at(cftp.server.port, remote)], base);
    expect(counts(again.stdout)).toMatchObject({ created: 0, updated: 0, deleted: 0 });

    await linkTree(join(cftp.root, `${remote}-get`), `${remote}-out`);
    const from = at(cftp.server.port, `${remote}-get`);
    const down = await sync(['-v', '-L', from, 'copy'], base);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toContain('skip dangling -> nothing (dangling)');
    expect(down.stdout).toContain('skip dir-link/up -> .. (loop)');
    expect((await snapshot(join(base, 'copy'))).content).toEqual(FOLLOWED);
    const twice = await sync(['--delete', '-L', from, 'copy'], base);
    expect(twice.code, twice.stderr).toBe(0);
    expect(counts(twice.stdout)).toMatchObject({ created: 0, updated: 0, deleted: 0 });
    // --checksum both ways: a followed file link on the server has no digest of its own and
    // takes that of the file its text names in the tree, so nothing is copied again.
    const summedUp = await sync(['--checksum', '-L', 'src', at(cftp.server.port, remote)], base);
    expect(summedUp.code, summedUp.stderr).toBe(0);
    expect(counts(summedUp.stdout)).toMatchObject({ created: 0, updated: 0, deleted: 0 });
    const summedDown = await sync(['--checksum', '-v', '-L', from, 'copy'], base);
    expect(summedDown.code, summedDown.stderr).toBe(0);
    expect(counts(summedDown.stdout), summedDown.stdout).toMatchObject({
      created: 0,
      updated: 0,
      deleted: 0,
    });
  });

  it('--links recreates links inside the tree, compares their text, and --delete removes them', async () => {
    const src = join(base, 'src');
    await linkTree(src, 'outside-tree');
    const to = at(cftp.server.port, remote);
    const up = await sync(['-v', '--links', 'src', to], base);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain('skip outside -> ../outside-tree (outside-tree)');
    expect((await snapshot(join(cftp.root, remote))).content).toEqual(LINKED);
    const again = await sync(['-l', 'src', to], base);
    expect(counts(again.stdout)).toMatchObject({ created: 0, updated: 0, unchanged: 6 });

    // A link that now leads elsewhere is remade; one gone from the source goes with --delete.
    await rm(join(src, 'file-link'));
    await symlink('dir/inner.txt', join(src, 'file-link'));
    await rm(join(src, 'dangling'));
    const changed = await sync(['-v', '--links', '--delete', 'src', to], base);
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.stdout).toContain('update file-link (target)');
    expect(changed.stdout).toContain('delete dangling (missing)');
    const { dangling: _gone, ...rest } = LINKED;
    expect((await snapshot(join(cftp.root, remote))).content).toEqual({
      ...rest,
      'file-link': 'link:dir/inner.txt',
    });

    // And back down: the server's links made as local links; a second run plans nothing.
    const down = await sync(['--json', '--links', to, 'copy'], base);
    expect(down.code, down.stderr).toBe(0);
    const lines = down.stdout.trim().split('\n');
    expect(JSON.parse(lines[0]!)).toHaveProperty('action');
    expect(lines.map((line) => JSON.parse(line))).toContainEqual({
      action: 'create',
      path: 'file-link',
      reason: 'missing',
      type: 'symlink',
      size: expect.any(Number),
      target: 'dir/inner.txt',
    });
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ command: 'sync', ok: true, created: 6 });
    expect((await snapshot(join(base, 'copy'))).content).toEqual(
      (await snapshot(join(cftp.root, remote))).content,
    );
    const twice = await sync(['--links', '--delete', to, 'copy'], base);
    expect(counts(twice.stdout)).toMatchObject({ created: 0, updated: 0, deleted: 0 });
    // A local link is remade by a rename over it.
    await rm(join(cftp.root, remote, 'file-link'));
    await symlink('file.txt', join(cftp.root, remote, 'file-link'));
    const changedThere = await sync(['--links', to, 'copy'], base);
    expect(counts(changedThere.stdout)).toMatchObject({ created: 0, updated: 1, deleted: 0 });
    expect((await snapshot(join(base, 'copy'))).content['file-link']).toBe('link:file.txt');
  });

  it('-L and -l together is a usage error', async () => {
    const run = await sync(['-L', '-l', 'src', at(cftp.server.port, remote)], base);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('not both');
  });
});
