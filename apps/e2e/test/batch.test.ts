// Scripting: `-b FILE` (like sftp -b), `-c "cmd; cmd"`, `--json` (one object per command
// result) with `--progress` events, and the documented exit codes 0, 1, 2, 3.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  blake3File,
  blake3Text,
  freeFixedPort,
  MiB,
  makeTempDir,
  runClientArgs,
  sha256File,
  useServer,
  writeRandomFile,
} from './helpers.js';

const cftp = useServer();
let local: string;

beforeEach(async () => {
  local = await makeTempDir();
});

const jsonLines = (stdout: string) =>
  stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('-b FILE', () => {
  it('runs the file like sftp -b: echo, comments skipped, "-" lines may fail, exit 0', async () => {
    await writeFile(join(cftp.root, 'a.txt'), 'alpha\n');
    const script = join(local, 'script.cftp');
    await writeFile(
      script,
      '# fetch and tidy\nget a.txt\n-rm missing.txt\nmkdir done\nrename a.txt done/a.txt\n',
    );
    const result = await runClientArgs(cftp.server.port, ['-b', script], local);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').filter((l) => l.startsWith('ftp> '))).toEqual([
      'ftp> get a.txt',
      'ftp> -rm missing.txt',
      'ftp> mkdir done',
      'ftp> rename a.txt done/a.txt',
    ]);
    expect(result.stderr).toMatch(/^error: .*missing\.txt.* \(ENOENT\)\n$/);
    expect(await readFile(join(local, 'a.txt'), 'utf8')).toBe('alpha\n');
    expect(await readdir(join(cftp.root, 'done'))).toEqual(['a.txt']);
  });

  it('stops at the first failure with exit 1', async () => {
    const script = join(local, 'script');
    await writeFile(script, 'mkdir one\nget missing.txt\nmkdir two\n');
    const result = await runClientArgs(cftp.server.port, ['-b', script], local);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('ftp> mkdir one\nftp> get missing.txt\n');
    expect(result.stderr).toMatch(/^error: .+ \(ENOENT\)\n$/);
    expect(await readdir(cftp.root)).toEqual(['one']);
  });

  it('"-b -" reads stdin, and ignores nothing else', async () => {
    const result = await runClientArgs(cftp.server.port, ['-b', '-'], local, 'mkdir from-stdin\n');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('ftp> mkdir from-stdin\n');
    expect(await readdir(cftp.root)).toEqual(['from-stdin']);
  });

  it('a batch file that cannot be read is a usage error (exit 2), before connecting', async () => {
    const result = await runClientArgs(cftp.server.port, ['-b', join(local, 'nope')], local);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^error: local ".*nope": no such file or directory \(ENOENT\)\n$/,
    );
    expect(cftp.server.stderr()).not.toContain('session open');
  });
});

describe('-c "cmd; cmd"', () => {
  it('splits at ";" outside quotes and runs like a batch', async () => {
    await writeFile(join(local, 'a;b c.txt'), 'semi');
    const result = await runClientArgs(
      cftp.server.port,
      ['-c', 'put "a;b c.txt"; mkdir x ; ls'],
      local,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = result.stdout.split('\n');
    expect(out[0]).toBe('ftp> put "a;b c.txt"');
    expect(out[1]).toMatch(/^put a;b c\.txt: 4 bytes in /);
    expect(out.slice(2)).toEqual(['ftp> mkdir x', 'ftp> ls', 'a;b c.txt', 'x/', '']);
  });

  it('stops at the first failure with exit 1', async () => {
    const result = await runClientArgs(cftp.server.port, ['-c', 'cd nowhere; mkdir x'], local);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('ftp> cd nowhere\n');
    expect(await readdir(cftp.root)).toEqual([]);
  });

  it.each([
    ['-c with -b', ['-c', 'ls', '-b', 'file']],
    ['an unterminated quote', ['-c', 'get "open']],
    ['--progress without --json', ['--progress', '-c', 'ls']],
  ])('%s is a usage error, exit 2', async (_, args) => {
    const result = await runClientArgs(cftp.server.port, args, local);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/\(EUSAGE\)\n$/);
  });
});

describe('--json', () => {
  it('prints one object per command result, no echo; exit 1 at a failure', async () => {
    await writeFile(join(cftp.root, 'a.txt'), 'alpha\n');
    const result = await runClientArgs(
      cftp.server.port,
      ['--json', '-c', 'ls; get a.txt; stat a.txt; get missing.txt; ls'],
      local,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    const [ls, get, stat, failed, ...rest] = jsonLines(result.stdout);
    expect(rest).toEqual([]);
    expect(ls).toEqual({
      command: 'ls',
      ok: true,
      path: '/',
      entries: [{ name: 'a.txt', type: 'file', size: 6, mtime: expect.any(Number) }],
    });
    expect(get).toEqual({
      command: 'get',
      ok: true,
      path: '/a.txt',
      local: join(local, 'a.txt'),
      bytes: 6,
      blake3: blake3Text('alpha\n'),
      ms: expect.any(Number),
      resumedFrom: 0,
    });
    expect(stat).toMatchObject({ command: 'stat', ok: true, entry: { name: 'a.txt', size: 6 } });
    expect(failed).toEqual({
      command: 'get',
      ok: false,
      code: 'ENOENT',
      message: expect.stringContaining('missing.txt'),
    });
  });

  it('--progress adds progress events, the last one at 100 %', async () => {
    const digest = await writeRandomFile(join(cftp.root, 'big.bin'), 8 * MiB);
    const result = await runClientArgs(
      cftp.server.port,
      ['--json', '--progress', '-c', 'get big.bin'],
      local,
    );
    expect(result.code).toBe(0);
    const lines = jsonLines(result.stdout);
    const events = lines.filter((l) => l.event === 'progress');
    expect(events.length).toBeGreaterThan(0);
    expect(events.at(-1)).toMatchObject({
      command: 'get',
      path: '/big.bin',
      bytes: 8 * MiB,
      total: 8 * MiB,
      percent: 100,
    });
    const bytes = events.map((e) => Number(e.bytes));
    expect([...bytes].sort((a, b) => a - b)).toEqual(bytes);
    expect(lines.at(-1)).toMatchObject({ command: 'get', ok: true });
    expect(lines.at(-1)?.blake3).toBe(await blake3File(join(local, 'big.bin')));
    expect(await sha256File(join(local, 'big.bin'))).toBe(digest);
  });

  it('a refused connection is one JSON object and exit 3', async () => {
    const result = await runClientArgs(await freeFixedPort(), ['--json', '-c', 'ls'], local);
    expect(result.code).toBe(3);
    expect(jsonLines(result.stdout)).toEqual([
      { command: 'connect', ok: false, code: 'ECONNECTION', message: expect.any(String) },
    ]);
  });
});

describe('without a terminal', () => {
  it('prints nothing but the summary line (no progress output)', async () => {
    await writeRandomFile(join(cftp.root, 'big.bin'), 8 * MiB);
    const result = await runClientArgs(cftp.server.port, ['-c', 'get big.bin'], local);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(
      /^ftp> get big\.bin\nget big\.bin: 8388608 bytes in [\d.]+ s \([\d.]+ (?:B|[KMG]iB)\/s\)\n$/,
    );
  });
});
