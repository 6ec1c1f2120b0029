// Every ftp> command through the built binary, against a real server process: the remote
// folder commands (cd, pwd, ls -l, stat, mkdir, rmdir, rm, rename/mv), the local ones (lcd,
// lpwd, lls), help, the quit aliases, and errors that name the path and the code.
import { mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, runClient, runClientArgs, sha256File, useServer } from './helpers.js';

const cftp = useServer();
let local: string;

beforeEach(async () => {
  local = await makeTempDir();
});

/** stdout lines of a batch run, without the final newline. */
const lines = (stdout: string) => stdout.replace(/\n$/, '').split('\n');

describe('remote folders', () => {
  it('mkdir, cd, pwd, put into the current folder, ls, ls -l, stat, cd .. stopping at the root', async () => {
    await writeFile(join(local, 'note.txt'), 'hello\n');
    const when = new Date('2024-02-29T10:20:30Z');
    await utimes(join(local, 'note.txt'), when, when);
    const result = await runClient(
      cftp.server.port,
      [
        'mkdir projects projects/alpha',
        'cd projects/alpha',
        'pwd',
        'put note.txt',
        'ls',
        'ls -l',
        'stat note.txt',
        'cd ../..',
        'cd ..',
        'pwd',
        'ls projects/alpha',
      ],
      local,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = lines(result.stdout);
    expect(out[0]).toBe('ftp> mkdir projects projects/alpha');
    expect(out.slice(2, 4)).toEqual(['ftp> pwd', '/projects/alpha']);
    expect(out[5]).toMatch(/^put note\.txt: 6 bytes in /);
    expect(out.slice(6, 8)).toEqual(['ftp> ls', 'note.txt']);
    expect(out[8]).toBe('ftp> ls -l');
    expect(out[9]).toMatch(/^- 6 B {2}\d{4}-\d\d-\d\d \d\d:\d\d {2}note\.txt$/);
    expect(out[10]).toBe('ftp> stat note.txt');
    expect(out[11]).toMatch(/^\/projects\/alpha\/note\.txt: file, 6 bytes \(6 B\), modified /);
    expect(out.slice(12)).toEqual([
      'ftp> cd ../..',
      'ftp> cd ..',
      'ftp> pwd',
      '/',
      'ftp> ls projects/alpha',
      'note.txt',
    ]);
    expect(await readFile(join(cftp.root, 'projects', 'alpha', 'note.txt'), 'utf8')).toBe(
      'hello\n',
    );
    // put sends the local mtime; the server keeps it.
    expect((await stat(join(cftp.root, 'projects', 'alpha', 'note.txt'))).mtimeMs).toBe(
      when.getTime(),
    );
  });

  it('rename, mv into a folder, rm and rmdir', async () => {
    await mkdir(join(cftp.root, 'inbox'));
    await mkdir(join(cftp.root, 'old'));
    await writeFile(join(cftp.root, 'a.txt'), 'a');
    await writeFile(join(cftp.root, 'b.txt'), 'b');
    const result = await runClient(
      cftp.server.port,
      [
        'rename a.txt renamed.txt',
        'mv renamed.txt inbox',
        'mv b.txt inbox/',
        'rm inbox/b.txt',
        'rmdir old',
      ],
      local,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect((await readdir(cftp.root)).sort()).toEqual(['inbox']);
    expect(await readdir(join(cftp.root, 'inbox'))).toEqual(['renamed.txt']);
    expect(await readFile(join(cftp.root, 'inbox', 'renamed.txt'), 'utf8')).toBe('a');
  });

  it.each([
    ['cd into a file', 'ENOTDIR', ['cd f.txt'], '"/f.txt" is not a folder'],
    ['cd into nothing', 'ENOENT', ['cd nowhere'], 'nowhere'],
    ['rmdir of a full folder', 'ENOTEMPTY', ['rmdir full'], 'full'],
    ['mkdir of an existing name', 'EEXIST', ['mkdir full'], 'full'],
    ['rename onto an existing file', 'EEXIST', ['rename f.txt full/g.txt'], 'g.txt'],
    ['rm of a folder', 'EISDIR', ['rm full'], 'full'],
    ['rm of nothing', 'ENOENT', ['rm ghost.txt'], 'ghost.txt'],
    ['stat above the root', 'EBADNAME', ['stat ../x'], '../x'],
    ['an unknown command', 'EUSAGE', ['dir'], 'unknown command "dir"'],
    ['a missing argument', 'EUSAGE', ['rename f.txt'], 'usage: rename <from> <to>'],
    ['an unknown option', 'EUSAGE', ['ls -x'], 'ls [-l] [path]'],
  ])('%s fails with %s naming it, exit 1', async (_, code, commands, named) => {
    await mkdir(join(cftp.root, 'full'));
    await writeFile(join(cftp.root, 'full', 'g.txt'), 'g');
    await writeFile(join(cftp.root, 'f.txt'), 'f');
    const result = await runClient(cftp.server.port, [...commands, 'mkdir after'], local);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(`ftp> ${commands[0]}\n`);
    expect(result.stderr).toMatch(new RegExp(`^error: .+ \\(${code}\\)\\n$`));
    expect(result.stderr).toContain(named);
    expect((await readdir(cftp.root)).sort()).toEqual(['f.txt', 'full']);
  });
});

describe('local folders', () => {
  it('lcd, lpwd, lls, lls -l; get and put use the local folder', async () => {
    await mkdir(join(local, 'sub'));
    await writeFile(join(local, 'sub', 'x.bin'), 'xyz');
    await writeFile(join(cftp.root, 'r.txt'), 'remote');
    const result = await runClient(
      cftp.server.port,
      [
        'lpwd',
        'lcd sub',
        'lpwd',
        'lls',
        'lls -l',
        'get r.txt',
        'put x.bin up.bin',
        'lcd ..',
        'lls',
      ],
      local,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = lines(result.stdout);
    expect(out.slice(0, 5)).toEqual([
      'ftp> lpwd',
      local,
      'ftp> lcd sub',
      'ftp> lpwd',
      join(local, 'sub'),
    ]);
    expect(out.slice(5, 7)).toEqual(['ftp> lls', 'x.bin']);
    expect(out[8]).toMatch(/^- 3 B {2}\S+ \S+ {2}x\.bin$/);
    expect(out.slice(-2)).toEqual(['ftp> lls', 'sub/']);
    expect(await readFile(join(local, 'sub', 'r.txt'), 'utf8')).toBe('remote');
    expect(await sha256File(join(cftp.root, 'up.bin'))).toBe(
      await sha256File(join(local, 'sub', 'x.bin')),
    );
  });

  it('lcd into nothing is ENOENT naming the folder', async () => {
    const result = await runClient(cftp.server.port, ['lcd no-such-dir'], local);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^error: local ".*no-such-dir": no such file or directory \(ENOENT\)\n$/,
    );
  });
});

describe('help and quit', () => {
  it('help lists every command with a one-line usage', async () => {
    const result = await runClient(cftp.server.port, ['help'], local);
    expect(result.code).toBe(0);
    const help = lines(result.stdout).slice(1);
    const names = help.map((line) => line.trim().split(' ')[0]);
    expect(names).toEqual([
      'ls',
      'cd',
      'pwd',
      'get',
      'put',
      'mget',
      'mput',
      'sync',
      'stat',
      'mkdir',
      'rmdir',
      'rm',
      'rename',
      'lcd',
      'lpwd',
      'lls',
      'partials',
      'clear',
      'help',
      'quit',
    ]);
    expect(result.stdout).toContain('get [-rcpnLl] <remote> [local]');
    expect(result.stdout).toContain('(also: mv)');
    expect(result.stdout).toContain('(also: exit, bye)');
  });

  it.each(['quit', 'exit', 'bye'])('%s ends the session, exit 0', async (word) => {
    const result = await runClientArgs(cftp.server.port, ['-c', `${word}; mkdir never`], local);
    expect(result).toMatchObject({ code: 0, stderr: '', stdout: `ftp> ${word}\n` });
    expect(await readdir(cftp.root)).toEqual([]);
  });
});
