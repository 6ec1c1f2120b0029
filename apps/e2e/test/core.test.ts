// The core job of the original design, through the built binary: `ls`, `get`, `put`, `quit`
// on a real server process, with every file checked by SHA-256 in both directions
// (docs/protocol.md §6, §7), atomic temp files cleaned up (§8) and paths kept inside the
// root (§9).
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  KiB,
  MiB,
  makeTempDir,
  partFiles,
  type QuoteStyle,
  quoteWord,
  runClient,
  sha256File,
  useServer,
  writeRandomFile,
} from './helpers.js';

/** `put NAME: N bytes in S s (R MiB/s)` (or B/s, KiB/s…) for exactly this name and size. */
function summary(verb: 'get' | 'put', name: string, size: number): RegExp {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(
    `^${verb} ${escaped}: ${size} bytes in \\d+\\.\\d{3} s \\((?:\\d+ B|\\d+\\.\\d [KMGT]iB)/s\\)$`,
  );
}

/** What a batch run prints on stdout: each command echoed, then its result lines. */
function stdoutLines(stdout: string): string[] {
  expect(stdout.endsWith('\n')).toBe(true);
  return stdout.slice(0, -1).split('\n');
}

interface TestFile {
  name: string;
  size: number;
  /** How the name is written on the `put` and on the `get` command line. */
  putAs: string;
  getAs: string;
}

const cftp = useServer();
let base: string;

beforeEach(async () => {
  base = await makeTempDir();
  // The server's root holds one folder, `folder`, when a test starts.
  await mkdir(join(cftp.root, 'folder'));
});

/**
 * Uploads `files` from a local folder in one client run, checks them on the server, then
 * downloads them into another folder in a second run (after an `ls`), checks them again.
 */
async function roundTrip(files: TestFile[]): Promise<void> {
  const source = join(base, 'source');
  const target = join(base, 'target');
  await mkdir(source);
  await mkdir(target);
  const digests = new Map<string, string>();
  for (const file of files) {
    digests.set(file.name, await writeRandomFile(join(source, file.name), file.size));
  }

  const putLines = [...files.map((f) => `put ${f.putAs}`), 'quit'];
  const put = await runClient(cftp.server.port, putLines, source);
  expect(put.stderr).toBe('');
  expect(put.code).toBe(0);
  const putOut = stdoutLines(put.stdout);
  expect(putOut).toHaveLength(files.length * 2 + 1);
  files.forEach((file, i) => {
    expect(putOut[2 * i]).toBe(`ftp> ${putLines[i]}`);
    expect(putOut[2 * i + 1]).toMatch(summary('put', file.name, file.size));
  });
  expect(putOut.at(-1)).toBe('ftp> quit');
  for (const file of files) {
    expect(await sha256File(join(cftp.root, file.name)), `uploaded ${file.name}`).toBe(
      digests.get(file.name),
    );
  }

  const getLines = ['ls', ...files.map((f) => `get ${f.getAs}`), 'quit'];
  const get = await runClient(cftp.server.port, getLines, target);
  expect(get.stderr).toBe('');
  expect(get.code).toBe(0);
  const listing = [...files.map((f) => f.name), 'folder/'].sort();
  const expected = [
    'ftp> ls',
    ...listing,
    ...files.flatMap((file, i) => [
      `ftp> ${getLines[i + 1]}`,
      summary('get', file.name, file.size),
    ]),
    'ftp> quit',
  ];
  const getOut = stdoutLines(get.stdout);
  expect(getOut).toHaveLength(expected.length);
  expected.forEach((line, i) => {
    if (typeof line === 'string') expect(getOut[i]).toBe(line);
    else expect(getOut[i]).toMatch(line);
  });
  for (const file of files) {
    expect(await sha256File(join(target, file.name)), `downloaded ${file.name}`).toBe(
      digests.get(file.name),
    );
  }

  // docs/protocol.md §8: a successful transfer leaves no temporary file on either side.
  expect(await partFiles(cftp.root)).toEqual([]);
  expect(await partFiles(target)).toEqual([]);
  expect((await readdir(target)).sort()).toEqual(files.map((f) => f.name).sort());
}

describe('put and get round trips', () => {
  it('carries files of 0 B, 1 B, 1 MiB and 64 MiB byte for byte both ways', async () => {
    const sizes: [string, number][] = [
      ['empty.bin', 0],
      ['one-byte.bin', 1],
      ['one-mib.bin', MiB],
      ['big-64-mib.bin', 64 * MiB],
    ];
    await roundTrip(sizes.map(([name, size]) => ({ name, size, putAs: name, getAs: name })));
  });

  it('carries names with spaces and non-ASCII letters, quoted three ways', async () => {
    const specs: [string, number, QuoteStyle, QuoteStyle][] = [
      ['my report.txt', 1 * KiB, 'double', 'backslash'],
      ['résumé.pdf', 3 * KiB, 'single', 'double'],
      ['данные 1.bin', 70 * KiB, 'backslash', 'single'],
      ['日本.txt', 17, 'double', 'single'],
    ];
    const files = specs.map(([raw, size, putStyle, getStyle]): TestFile => {
      const name = raw.normalize('NFC');
      return { name, size, putAs: quoteWord(name, putStyle), getAs: quoteWord(name, getStyle) };
    });
    await roundTrip(files);
    // The names arrive intact on the server's disk, not mangled or re-encoded.
    expect((await readdir(cftp.root)).sort()).toEqual(
      [...files.map((f) => f.name), 'folder'].sort(),
    );
  });

  it('uploads a local path under its base name', async () => {
    const nested = join(base, 'local', 'deep');
    await mkdir(nested, { recursive: true });
    const digest = await writeRandomFile(join(nested, 'data.bin'), 5000);
    const result = await runClient(cftp.server.port, ['put deep/data.bin'], join(base, 'local'));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(stdoutLines(result.stdout)).toEqual([
      'ftp> put deep/data.bin',
      expect.stringMatching(summary('put', 'data.bin', 5000)),
    ]);
    expect(await sha256File(join(cftp.root, 'data.bin'))).toBe(digest);
  });
});

describe('ending a session', () => {
  it('exits 0 at end of input without quit', async () => {
    await writeFile(join(cftp.root, 'a.txt'), 'alpha\n');
    const cwd = await makeTempDir();
    const result = await runClient(cftp.server.port, ['ls', 'get a.txt'], cwd);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(stdoutLines(result.stdout)).toEqual([
      'ftp> ls',
      'a.txt',
      'folder/',
      'ftp> get a.txt',
      expect.stringMatching(summary('get', 'a.txt', 6)),
    ]);
    expect(await readFile(join(cwd, 'a.txt'), 'utf8')).toBe('alpha\n');
  });

  it('runs nothing after quit', async () => {
    await writeFile(join(cftp.root, 'a.txt'), 'alpha\n');
    const cwd = await makeTempDir();
    const result = await runClient(cftp.server.port, ['quit', 'get a.txt'], cwd);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('ftp> quit\n');
    expect(await readdir(cwd)).toEqual([]);
  });
});

describe('failures in a batch', () => {
  it('stops at a failed get: later commands do not run, exit 1, ENOENT on stderr', async () => {
    const cwd = await makeTempDir();
    await writeFile(join(cwd, 'local.txt'), 'local\n');
    const result = await runClient(
      cftp.server.port,
      ['get missing.txt', 'put local.txt', 'ls'],
      cwd,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('ftp> get missing.txt\n');
    expect(result.stderr).toMatch(/^error: .+ \(ENOENT\)\n$/);
    // The put after the failure never ran: the server's root is as it was.
    expect(await readdir(cftp.root)).toEqual(['folder']);
    expect(await readdir(cwd)).toEqual(['local.txt']);
  });

  // docs/protocol.md §9: paths that leave the root are refused with EBADNAME.
  it.each([
    ['a parent segment', () => '../secret'],
    ['a parent segment after a folder', () => 'folder/../../secret'],
    ['an absolute path', () => join(base, 'secret')],
  ])('refuses a get through %s with EBADNAME and writes nothing', async (_, remotePath) => {
    await writeFile(join(base, 'secret'), 'top secret\n');
    const cwd = join(base, 'client');
    await mkdir(cwd);
    const before = (await readdir(base)).sort();
    const remote = remotePath();

    const result = await runClient(cftp.server.port, [`get ${remote}`, 'ls'], cwd);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(`ftp> get ${remote}\n`);
    expect(result.stderr).toMatch(/^error: .+ \(EBADNAME\)\n$/);
    expect(await readdir(cwd)).toEqual([]);
    expect((await readdir(base)).sort()).toEqual(before);
    expect(await readdir(cftp.root)).toEqual(['folder']);
    expect(await readFile(join(base, 'secret'), 'utf8')).toBe('top secret\n');
  });
});
