// `cftp sync` with real processes over TLS (docs/cli.md "sync"): both directions, the second
// run moves nothing, and each flag: --delete, --dry-run, --checksum, --exclude/--include,
// --json, -v, -n, -p; symlinks are never followed; usage errors exit 2 before connecting.
import { mkdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, partFiles, useServer } from './helpers.js';
import { addLink, at, counts, files, makeTree, snapshot, sync } from './sync-helpers.js';

// One server for the file; each test syncs into its own folder on it.
const cftp = useServer({ scope: 'all' });
let base: string;
let n = 0;
let remote: string;

beforeEach(async () => {
  base = await makeTempDir();
  remote = `t${++n}`;
});

describe('cftp sync, both directions', () => {
  it('uploads a tree, then a second run moves nothing; links are not followed', async () => {
    const src = join(base, 'src');
    await makeTree(src);
    await addLink(src, 'outside', '/etc');
    const first = await sync(['src', at(cftp.server.port, remote)], base);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(counts(first.stdout)).toEqual({
      updated: 0,
      created: 12,
      deleted: 0,
      unchanged: 0,
      moved: expect.stringMatching(/KiB$/),
    });
    expect(first.stdout).toMatch(/, 1 skipped\n$/);
    const local = await snapshot(src);
    const there = await snapshot(join(cftp.root, remote));
    const { outside: _link, ...withoutLink } = local.content;
    expect(there.content).toEqual(withoutLink);
    expect(there.mtimes).toEqual(local.mtimes);

    const second = await sync(['src', at(cftp.server.port, remote)], base);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(
      '0 updated, 0 created, 0 deleted, 7 unchanged, 0 B moved, 1 skipped\n',
    );
    expect(await partFiles(cftp.root)).toEqual([]);
  });

  it('downloads a tree, then moves only what changed on the server', async () => {
    const src = join(cftp.root, remote);
    await makeTree(src);
    const first = await sync([at(cftp.server.port, remote), 'copy'], base);
    expect(first.code).toBe(0);
    expect(await snapshot(join(base, 'copy'))).toEqual(await snapshot(src));

    await writeFile(join(src, 'docs', 'report.pdf'), 'rewritten');
    await writeFile(join(src, 'new.txt'), 'new');
    const second = await sync([at(cftp.server.port, remote), 'copy'], base);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe('1 updated, 1 created, 0 deleted, 6 unchanged, 12 B moved\n');
    expect((await snapshot(join(base, 'copy'))).content).toEqual((await snapshot(src)).content);
    expect(await partFiles(base)).toEqual([]);
  });

  it('--delete removes what the source lacks, after the copies, in either direction', async () => {
    const src = join(base, 'src');
    await makeTree(src);
    expect((await sync(['src', at(cftp.server.port, remote)], base)).code).toBe(0);
    await rm(join(src, 'docs'), { recursive: true });
    await writeFile(join(src, 'added'), 'x');
    const kept = await sync(['src', at(cftp.server.port, remote)], base);
    expect(counts(kept.stdout)).toMatchObject({ created: 1, deleted: 0 });
    expect(await stat(join(cftp.root, remote, 'docs', 'report.pdf'))).toBeDefined();
    const deleted = await sync(['--delete', 'src', at(cftp.server.port, remote)], base);
    expect(deleted.code).toBe(0);
    expect(counts(deleted.stdout)).toMatchObject({ created: 0, deleted: 6 });
    expect(await files(join(cftp.root, remote))).toEqual(await files(src));

    // Back down, into a folder that holds something of its own.
    const copy = join(base, 'copy');
    await mkdir(join(copy, 'mine'), { recursive: true });
    await writeFile(join(copy, 'mine', 'local.txt'), 'mine');
    const down = await sync(['--delete', at(cftp.server.port, remote), 'copy'], base);
    expect(down.code).toBe(0);
    expect(counts(down.stdout)).toMatchObject({ deleted: 2 });
    expect((await snapshot(copy)).content).toEqual(
      (await snapshot(join(cftp.root, remote))).content,
    );
  });
});

describe('cftp sync flags', () => {
  it('--dry-run -v prints the plan with reasons and changes nothing', async () => {
    const src = join(base, 'src');
    await makeTree(src);
    expect((await sync(['src', at(cftp.server.port, remote)], base)).code).toBe(0);
    await writeFile(join(src, 'top.txt'), 'longer than before');
    await rm(join(src, 'empty-file'));
    const before = await snapshot(join(cftp.root, remote));
    const plan = await sync(
      ['--dry-run', '--delete', '-v', 'src', at(cftp.server.port, remote)],
      base,
    );
    expect(plan.code).toBe(0);
    expect(plan.stdout).toBe(
      'update top.txt (size)\ndelete empty-file (missing)\n' +
        'dry run: 1 to update, 0 to create, 1 to delete, 5 unchanged, 18 B to move\n',
    );
    expect(await snapshot(join(cftp.root, remote))).toEqual(before);
  });

  it('--json prints one object per action, then the result', async () => {
    const src = join(base, 'src');
    await makeTree(src);
    await addLink(src, 'link', 'top.txt');
    const run = await sync(['--json', 'src', at(cftp.server.port, remote)], base);
    expect(run.code).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const result = lines.pop()!;
    expect(result).toMatchObject({
      command: 'sync',
      ok: true,
      created: 12,
      updated: 0,
      deleted: 0,
      skipped: 1,
    });
    expect(lines).toContainEqual({
      action: 'create',
      path: 'docs/report.pdf',
      reason: 'missing',
      type: 'file',
      size: 300 * 1024,
    });
    expect(lines).toContainEqual({
      action: 'create',
      path: 'docs',
      reason: 'missing',
      type: 'dir',
      size: 0,
    });
    expect(lines).toContainEqual({
      action: 'skip',
      path: 'link',
      reason: 'symlink',
      target: 'top.txt',
    });
    const again = await sync(['--json', 'src', at(cftp.server.port, remote)], base);
    const actions = again.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { action?: string });
    expect(new Set(actions.slice(0, -1).map((a) => a.action))).toEqual(
      new Set(['unchanged', 'skip']),
    );
  });

  it('--checksum finds a change that kept its size and mtime', async () => {
    const src = join(base, 'src');
    await makeTree(src);
    expect((await sync(['src', at(cftp.server.port, remote)], base)).code).toBe(0);
    const path = join(src, 'docs', 'résumé.txt'.normalize('NFC'));
    const { mtime } = await stat(path);
    const bytes = await readFile(path);
    bytes[0] = bytes[0]! ^ 0xff;
    await writeFile(path, bytes);
    await utimes(path, mtime, mtime);
    const quick = await sync(['src', at(cftp.server.port, remote)], base);
    expect(counts(quick.stdout)).toMatchObject({ updated: 0 });
    const checked = await sync(['--checksum', '-v', 'src', at(cftp.server.port, remote)], base);
    expect(checked.code).toBe(0);
    expect(checked.stdout).toMatch(/^update docs\/résumé\.txt \(digest\)$/m);
    expect(await files(join(cftp.root, remote))).toEqual(await files(src));
    // The second --checksum run finds nothing (the server answers from its digest cache).
    const again = await sync(['--checksum', 'src', at(cftp.server.port, remote)], base);
    expect(counts(again.stdout)).toMatchObject({ updated: 0, created: 0, unchanged: 7 });
  });

  it('--exclude and --include, first match decides; excluded entries are not deleted', async () => {
    const src = join(base, 'src');
    await makeTree(src);
    const run = await sync(
      [
        '--include',
        'keep.log',
        '--exclude',
        '*.log',
        '--exclude',
        'deep/',
        'src',
        at(cftp.server.port, remote),
      ],
      base,
    );
    expect(run.code).toBe(0);
    const there = Object.keys(await files(join(cftp.root, remote))).sort();
    expect(there).toEqual([
      'docs/report.pdf',
      'docs/résumé.txt'.normalize('NFC'),
      'empty-file',
      'logs/keep.log',
      'top.txt',
    ]);
    await writeFile(join(cftp.root, remote, 'logs', 'server.log'), 'theirs');
    const deleting = await sync(
      ['--delete', '--exclude', '*.log', 'src', at(cftp.server.port, remote)],
      base,
    );
    expect(deleting.code).toBe(0);
    expect(await readFile(join(cftp.root, remote, 'logs', 'server.log'), 'utf8')).toBe('theirs');
  });

  it('-p gives exact modes and a mode change is a change; -n never overwrites', async () => {
    const src = join(base, 'src');
    await makeTree(src);
    expect((await sync(['-p', 'src', at(cftp.server.port, remote)], base)).code).toBe(0);
    expect((await stat(join(cftp.root, remote, 'top.txt'))).mode & 0o777).toBe(0o640);
    const { chmod } = await import('node:fs/promises');
    await chmod(join(src, 'top.txt'), 0o600);
    const plain = await sync(['src', at(cftp.server.port, remote)], base);
    expect(counts(plain.stdout)).toMatchObject({ updated: 0 });
    const exact = await sync(['-p', '-v', 'src', at(cftp.server.port, remote)], base);
    expect(exact.stdout).toMatch(/^update top\.txt \(mode\)$/m);
    expect((await stat(join(cftp.root, remote, 'top.txt'))).mode & 0o777).toBe(0o600);

    await writeFile(join(src, 'top.txt'), 'changed here');
    const noClobber = await sync(['-n', 'src', at(cftp.server.port, remote)], base);
    expect(noClobber.code).toBe(0);
    expect(counts(noClobber.stdout)).toMatchObject({ updated: 0 });
    expect(noClobber.stdout).toMatch(/1 skipped\n$/);
    expect(await readFile(join(cftp.root, remote, 'top.txt'), 'utf8')).not.toBe('changed here');
  });

  it('refuses bad usage with exit 2, before connecting', async () => {
    const both = await sync(['a', 'b'], base);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/one local folder and one HOST:PORT:\/path .*\(EUSAGE\)/);
    const unknown = await sync(['--frobnicate', 'a', at(cftp.server.port, 'x')], base);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown option "--frobnicate"/);
    const missing = await sync(['nowhere', at(cftp.server.port, remote)], base);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/\(ENOENT\)\n$/);
  });

  it('runs at the ftp> prompt, the server side written :PATH', async () => {
    const src = join(base, 'src');
    await makeTree(src);
    const { runClient } = await import('./helpers.js');
    const run = await runClient(
      cftp.server.port,
      [`mkdir ${remote}`, `cd ${remote}`, 'sync src :site', 'sync :site back'],
      base,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(await files(join(cftp.root, remote, 'site'))).toEqual(await files(src));
    expect(await files(join(base, 'back'))).toEqual(await files(src));
  });
});
