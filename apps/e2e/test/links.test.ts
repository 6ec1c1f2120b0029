// Symlinks in tree copies (issue 14): on a tree with a file link, a folder link, a dangling
// link, a link back to a folder that holds it and one leading outside, `put -r` and `get -r`
// skip and name them (default), follow them (-L, loops skipped) or recreate them (-l,
// --links: only those inside the tree); `ls -l` shows a link as `get` names it.
import { lstat, mkdir, readdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makeTempDir,
  type RunningServer,
  removeTempDirs,
  runClient,
  startServer,
} from './helpers.js';

let base: string;
let root: string;
let server: RunningServer;

/** What is at each path below `dir`: `file:CONTENT`, `dir`, or `-> TARGET` (never followed). */
async function shape(dir: string, below = ''): Promise<Record<string, string>> {
  const found: Record<string, string> = {};
  for (const name of (await readdir(join(dir, below))).sort()) {
    const rel = below === '' ? name : `${below}/${name}`;
    const path = join(dir, rel);
    const info = await lstat(path);
    if (info.isSymbolicLink()) found[rel] = `-> ${await readlink(path)}`;
    else if (info.isDirectory()) {
      found[rel] = 'dir';
      Object.assign(found, await shape(dir, rel));
    } else found[rel] = `file:${await readFile(path, 'utf8')}`;
  }
  return found;
}

beforeAll(async () => {
  base = await makeTempDir();
  root = join(base, 'root');
  const src = join(base, 'src');
  await mkdir(root);
  await mkdir(join(src, 'dir'), { recursive: true });
  await writeFile(join(src, 'a.txt'), 'a');
  await writeFile(join(src, 'dir', 'd.txt'), 'd');
  await writeFile(join(base, 'outside.txt'), 'outside');
  await symlink('a.txt', join(src, 'flink'));
  await symlink('dir', join(src, 'dlink'));
  await symlink('nowhere', join(src, 'dangle'));
  await symlink('../outside.txt', join(src, 'out'));
  await symlink('..', join(src, 'dir', 'up'));
  server = await startServer(root, ['--quiet']);
});

afterAll(async () => {
  await server?.stop();
  await removeTempDirs();
});

describe('put -r with symlinks', () => {
  it('skips and names them, follows them with -L, recreates the inside ones with -l', async () => {
    const run = await runClient(
      server.port,
      ['put -r src plain', 'put -r -L src follow', 'put -r --links src links'],
      base,
    );
    expect(run.code).toBe(0);
    const warnings = run.stderr.split('\n').filter((line) => line !== '');
    expect(warnings).toEqual([
      // default
      'warning: skipped symlink dangle -> nowhere',
      'warning: skipped symlink dir/up -> ..',
      'warning: skipped symlink dlink -> dir',
      'warning: skipped symlink flink -> a.txt',
      'warning: skipped symlink out -> ../outside.txt',
      // -L
      'warning: skipped symlink dangle -> nowhere (it leads to nothing)',
      'warning: skipped symlink dir/up -> .. (a loop: it leads to a folder that holds it)',
      'warning: skipped symlink dlink/up -> .. (a loop: it leads to a folder that holds it)',
      // --links
      'warning: skipped symlink out -> ../outside.txt (it leads outside the copied tree)',
    ]);
    expect(run.stdout).toMatch(/put -r .* -> \/plain: 2 files, 2 folders, .*; skipped 5 entries$/m);
    expect(run.stdout).toMatch(/put -r .* -> \/links: 2 files, 2 folders, .*; 4 links made$/m);
    expect(await shape(join(root, 'plain'))).toEqual({
      'a.txt': 'file:a',
      dir: 'dir',
      'dir/d.txt': 'file:d',
    });
    expect(await shape(join(root, 'follow'))).toEqual({
      'a.txt': 'file:a',
      dir: 'dir',
      'dir/d.txt': 'file:d',
      dlink: 'dir',
      'dlink/d.txt': 'file:d',
      flink: 'file:a',
      out: 'file:outside',
    });
    expect(await shape(join(root, 'links'))).toEqual({
      'a.txt': 'file:a',
      dangle: '-> nowhere',
      dir: 'dir',
      'dir/d.txt': 'file:d',
      'dir/up': '-> ..',
      dlink: '-> dir',
      flink: '-> a.txt',
    });
  });
});

describe('get -r with symlinks', () => {
  it('ls -l and get name a link alike; -L follows, -l recreates the inside ones', async () => {
    const served = join(root, 'served');
    await mkdir(join(served, 'dir'), { recursive: true });
    await writeFile(join(served, 'a.txt'), 'a');
    await writeFile(join(served, 'dir', 'd.txt'), 'd');
    await symlink('a.txt', join(served, 'flink'));
    await symlink('dir', join(served, 'dlink'));
    await symlink('nowhere', join(served, 'dangle'));
    await symlink('../../outside.txt', join(served, 'escape')); // outside the server's root
    await symlink('..', join(served, 'dir', 'up'));
    const down = join(base, 'down');
    await mkdir(down);
    const run = await runClient(
      server.port,
      ['ls -l served', 'get -r served plain', 'get -r -L served follow', 'get -r -l served links'],
      down,
    );
    expect(run.code).toBe(0);
    // ls -l: type `l` and `name -> target`, the words get -r uses for the same link.
    const links: [string, string][] = [
      ['flink', 'a.txt'],
      ['dlink', 'dir'],
      ['dangle', 'nowhere'],
      ['escape', '../../outside.txt'],
    ];
    for (const [name, target] of links) {
      expect(run.stdout).toMatch(
        new RegExp(`^l .*  ${name} -> ${target.replace(/\./g, '\\.')}$`, 'm'),
      );
      expect(run.stderr).toContain(`warning: skipped symlink ${name} -> ${target}\n`);
    }
    expect(run.stderr).toContain(
      'warning: skipped symlink dangle -> nowhere (it leads to nothing)',
    );
    expect(run.stderr).toContain(
      "warning: skipped symlink escape -> ../../outside.txt (it leads outside the server's root)",
    );
    expect(run.stderr).toContain(
      'warning: skipped symlink dir/up -> .. (a loop: it leads to a folder that holds it)',
    );
    expect(run.stderr).toContain(
      'warning: skipped symlink escape -> ../../outside.txt (it leads outside the copied tree)',
    );
    expect(await shape(join(down, 'plain'))).toEqual({
      'a.txt': 'file:a',
      dir: 'dir',
      'dir/d.txt': 'file:d',
    });
    expect(await shape(join(down, 'follow'))).toEqual({
      'a.txt': 'file:a',
      dir: 'dir',
      'dir/d.txt': 'file:d',
      dlink: 'dir',
      'dlink/d.txt': 'file:d',
      flink: 'file:a',
    });
    expect(await shape(join(down, 'links'))).toEqual({
      'a.txt': 'file:a',
      dangle: '-> nowhere',
      dir: 'dir',
      'dir/d.txt': 'file:d',
      'dir/up': '-> ..',
      dlink: '-> dir',
      flink: '-> a.txt',
    });
  });
});
