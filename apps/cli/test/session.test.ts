// The ftp> session over an in-memory engine: batch semantics (echo, stop at the first failure,
// `-` to go on, `#` comments, quit), the commands that keep the remote folder, and the
// interactive prompt (readline in terminal mode) with tab completion.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LineSource,
  listLines,
  runClientSession,
  streamLines,
} from '../src/client-session.js';
import { JsonOutput, TextOutput } from '../src/output.js';
import { NO_PROGRESS } from '../src/progress.js';
import { MemoryFs } from './memory-fs.js';

function collector() {
  const stream = new PassThrough();
  let text = '';
  stream.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
  });
  return { stream, text: () => text };
}

/** A client stand-in: no connection events, quit counted. */
function fakeClient() {
  const client = {
    quits: 0,
    once: () => client,
    quit: async () => {
      client.quits++;
    },
  };
  return client;
}

let local: string;
beforeAll(async () => {
  local = await mkdtemp(join(tmpdir(), 'cftp-cli-session-'));
  await mkdir(join(local, 'photos'));
  await writeFile(join(local, 'notes.txt'), 'n');
});
afterAll(() => rm(local, { recursive: true, force: true }));

async function batch(fs: MemoryFs, source: LineSource, json = false) {
  const out = collector();
  const err = collector();
  const client = fakeClient();
  const code = await runClientSession({
    client,
    fs,
    output: json ? new JsonOutput(out.stream) : new TextOutput(out.stream, err.stream, true),
    progress: NO_PROGRESS,
    cwd: local,
    input: { batch: source },
  });
  return { code, stdout: out.text(), stderr: err.text(), quits: client.quits };
}

const tree = () => new MemoryFs({ docs: 'dir', 'docs/a.txt': 12, 'docs/sub': 'dir', 'b.bin': 3 });

describe('batch semantics', () => {
  it('echoes each command and runs them all; exit 0 and quit at the end', async () => {
    const fs = tree();
    const result = await batch(fs, listLines(['ls', 'cd docs', 'pwd', 'ls', 'cd ..', 'pwd']));
    expect(result).toEqual({
      code: 0,
      stderr: '',
      quits: 1,
      stdout: [
        'ftp> ls',
        'b.bin',
        'docs/',
        'ftp> cd docs',
        'ftp> pwd',
        '/docs',
        'ftp> ls',
        'a.txt',
        'sub/',
        'ftp> cd ..',
        'ftp> pwd',
        '/',
        '',
      ].join('\n'),
    });
  });

  it('stops at the first failure with exit 1; later commands do not run', async () => {
    const fs = tree();
    const result = await batch(fs, listLines(['mkdir new', 'rmdir docs', 'mkdir never']));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('ftp> mkdir new\nftp> rmdir docs\n');
    expect(result.stderr).toMatch(/^error: .*docs.* \(ENOTEMPTY\)\n$/);
    expect(fs.entries.has('new')).toBe(true);
    expect(fs.entries.has('never')).toBe(false);
  });

  it('goes on after a failure of a command written with a leading "-"', async () => {
    const fs = tree();
    const result = await batch(fs, listLines(['-rm missing.txt', 'rm b.bin']));
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/\(ENOENT\)/);
    expect(fs.entries.has('b.bin')).toBe(false);
  });

  it('skips # comments without echo, and nothing runs after quit', async () => {
    const fs = tree();
    const input = new PassThrough();
    input.end('# set up\nmkdir x\n  # indented comment\nbye\nmkdir y\n');
    const result = await batch(fs, streamLines(input));
    expect(result.stdout).toBe('ftp> mkdir x\nftp> bye\n');
    expect(result.code).toBe(0);
    expect(fs.entries.has('y')).toBe(false);
  });

  it('unknown commands and wrong arguments are EUSAGE', async () => {
    for (const line of ['frobnicate', 'get', 'cd a b', 'ls -z', 'get "open']) {
      const result = await batch(tree(), listLines([line]));
      expect({ line, code: result.code }).toEqual({ line, code: 1 });
      expect(result.stderr).toMatch(/\(EUSAGE\)\n$/);
    }
  });

  it('in JSON mode prints one object per command and echoes nothing', async () => {
    const result = await batch(tree(), listLines(['cd docs', 'ls', 'stat nope']), true);
    expect(result.code).toBe(1);
    const lines = result.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { command: 'cd', ok: true, path: '/docs' },
      {
        command: 'ls',
        ok: true,
        path: '/docs',
        entries: [
          { name: 'a.txt', type: 'file', size: 12, mtime: expect.any(Number) },
          { name: 'sub', type: 'dir', size: 0, mtime: expect.any(Number) },
        ],
      },
      { command: 'stat', ok: false, code: 'ENOENT', message: expect.stringContaining('nope') },
    ]);
  });
});

describe('the current remote folder', () => {
  it('cd .. at the root stays at the root; cd - goes back; cd alone goes to the root', async () => {
    const result = await batch(
      tree(),
      listLines(['cd ..', 'pwd', 'cd docs/sub', 'cd -', 'pwd', 'cd -', 'pwd', 'cd', 'pwd']),
    );
    expect(result.stdout.split('\n').filter((l) => l.startsWith('/'))).toEqual([
      '/',
      '/',
      '/docs/sub',
      '/',
    ]);
  });

  it('cd into a file is ENOTDIR and into nothing ENOENT; the folder stays', async () => {
    const first = await batch(tree(), listLines(['cd b.bin']));
    expect(first.stderr).toMatch(/"\/b.bin" is not a folder \(ENOTDIR\)/);
    const second = await batch(tree(), listLines(['cd docs', '-cd nowhere', 'pwd']));
    expect(second.stderr).toMatch(/nowhere.*\(ENOENT\)/);
    expect(second.stdout.trimEnd().split('\n').at(-1)).toBe('/docs');
  });

  it('resolves every path against it', async () => {
    const fs = tree();
    const result = await batch(
      fs,
      listLines([
        'cd docs',
        'mkdir new',
        'rename a.txt new/',
        'mv new/a.txt ../top.txt',
        'rm ../b.bin',
      ]),
    );
    expect(result.stderr).toBe('');
    expect(fs.entries.has('docs/new')).toBe(true);
    expect(fs.entries.has('top.txt')).toBe(true);
    expect(fs.entries.has('docs/a.txt')).toBe(false);
    expect(fs.entries.has('b.bin')).toBe(false);
  });

  it('refuses paths above the root for everything but cd', async () => {
    const result = await batch(tree(), listLines(['stat ../b.bin']));
    expect(result.stderr).toMatch(/above the server's root \(EBADNAME\)/);
  });

  it('ls -l, ls of a file and ls of a pattern', async () => {
    process.env.TZ = 'UTC';
    const result = await batch(tree(), listLines(['ls -l docs', 'ls b.bin', 'ls docs/*.txt']));
    expect(result.stdout.split('\n')).toEqual([
      'ftp> ls -l docs',
      '- 12 B  2025-11-25 12:00  a.txt',
      'd    -  2025-11-25 12:00  sub/',
      'ftp> ls b.bin',
      'b.bin',
      'ftp> ls docs/*.txt',
      'a.txt',
      '',
    ]);
  });
});

describe('the interactive prompt', () => {
  /**
   * Runs a session on a fake terminal; `type(keys, seen)` types keys, then waits until the
   * output (stdout and stderr) shows `seen`, so each key is handled before the next.
   */
  function terminal(fs: MemoryFs) {
    const input = new PassThrough();
    const out = collector();
    const err = collector();
    let shown = '';
    let waiter: { pattern: RegExp; resolve: () => void } | undefined;
    const watch = (chunk: string) => {
      shown += stripVTControlCharacters(chunk); // readline's cursor moves
      if (waiter?.pattern.test(shown)) {
        waiter.resolve();
        waiter = undefined;
      }
    };
    out.stream.on('data', watch);
    err.stream.on('data', watch);
    const done = runClientSession({
      client: fakeClient(),
      fs,
      output: new TextOutput(out.stream, err.stream, false),
      progress: NO_PROGRESS,
      cwd: local,
      input: { terminal: { input, output: out.stream } },
      history: undefined,
    });
    return {
      async type(keys: string, seen: RegExp) {
        shown = '';
        const appeared = new Promise<void>((resolve) => {
          waiter = { pattern: seen, resolve };
        });
        input.write(keys);
        await appeared;
      },
      async end() {
        input.end();
        return { code: await done, stdout: out.text(), stderr: err.text() };
      },
    };
  }

  it('prompts, keeps going after a failure, and completes commands and remote names', async () => {
    const session = terminal(tree());
    await session.type('cd nowhere\r', /\(ENOENT\)[\s\S]*ftp> /);
    await session.type('cd', /cd/);
    await session.type('\t', /^ $/); // "cd ": cd is complete (clear also starts with c)
    await session.type('do', /do/);
    await session.type('\t', /cs\/$/); // "docs/", the only remote name starting so
    await session.type('\r', /ftp> /);
    await session.type('pwd\r', /\/docs\r?\n[\s\S]*ftp> /);
    const result = await session.end();
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/nowhere.*\(ENOENT\)/);
    expect(result.stdout).toContain('cd docs/');
  });

  it('Ctrl-C cancels the command in flight (ECANCELED) and the prompt goes on', async () => {
    const fs = tree();
    const session = terminal(fs);
    const started = fs.slowGetStarted();
    await session.type('get slow\r', /slow/);
    await started;
    await session.type('\x03', /\(ECANCELED\)[\s\S]*ftp> /);
    await session.type('pwd\r', /^\/\r?\n[\s\S]*ftp> /m);
    const result = await session.end();
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^error: .* \(ECANCELED\)\n$/);
  });

  it('ends the prompt line at end of input (Ctrl-D), so the shell prompt starts afresh', async () => {
    const session = terminal(tree());
    await session.type('pwd\r', /ftp> $/);
    const result = await session.end();
    expect(result.code).toBe(0);
    expect(stripVTControlCharacters(result.stdout)).toMatch(/ftp> \n$/);
  });

  it('quit ends the session with no extra blank line', async () => {
    const session = terminal(tree());
    await session.type('quit\r', /quit/);
    const result = await session.end();
    expect(stripVTControlCharacters(result.stdout)).toMatch(/quit\r?\n$/);
  });

  it('completes local names for local arguments', async () => {
    const session = terminal(tree());
    await session.type('lcd ph', /ph/);
    await session.type('\t', /otos\/$/);
    await session.type('\r', /ftp> /);
    await session.type('lpwd\r', /photos\r?\n[\s\S]*ftp> /);
    const result = await session.end();
    expect(result.stdout).toContain(join(local, 'photos'));
  });
});
