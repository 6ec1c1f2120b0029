import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../src/client-session.js';
import { complete } from '../src/completion.js';
import { JsonOutput } from '../src/output.js';
import { NO_PROGRESS } from '../src/progress.js';
import { runCommandLine } from '../src/run-command.js';
import { MemoryFs } from './memory-fs.js';

let local: string;
beforeAll(async () => {
  local = await mkdtemp(join(tmpdir(), 'cftp-cli-complete-'));
  await mkdir(join(local, 'src'));
  await writeFile(join(local, 'src', 'main.ts'), '');
  await writeFile(join(local, 'my notes.txt'), '');
});
afterAll(() => rm(local, { recursive: true, force: true }));

function session() {
  const fs = new MemoryFs({
    docs: 'dir',
    'docs/report 2025.pdf': 10,
    'docs/readme.md': 1,
    data: 'dir',
    'big.iso': 100,
  });
  return { fs, session: createSession(fs, NO_PROGRESS, local) };
}

describe('tab completion', () => {
  it('completes command names', async () => {
    const { session: s } = session();
    expect(await complete(s, 'm')).toEqual([['mget ', 'mkdir ', 'mput ', 'mv '], 'm']);
    expect(await complete(s, 'lc')).toEqual([['lcd '], 'lc']);
  });

  it('completes remote names, folders with a slash, files with a space, specials escaped', async () => {
    const { session: s } = session();
    expect(await complete(s, 'get d')).toEqual([['data/', 'docs/'], 'd']);
    expect(await complete(s, 'get docs/re')).toEqual([
      ['docs/readme.md ', 'docs/report\\ 2025.pdf '],
      'docs/re',
    ]);
    expect(await complete(s, 'get "docs/rep')).toEqual([['"docs/report 2025.pdf" '], '"docs/rep']);
  });

  it('completes against the current remote folder', async () => {
    const { session: s } = session();
    s.remoteCwd = 'docs';
    expect(await complete(s, 'stat rea')).toEqual([['readme.md '], 'rea']);
  });

  it('completes local names where the argument is local', async () => {
    const { session: s } = session();
    expect(await complete(s, 'put m')).toEqual([['my\\ notes.txt '], 'm']);
    expect(await complete(s, 'put src/')).toEqual([['src/main.ts '], 'src/']);
    // get's second argument is local, put's second remote.
    expect(await complete(s, 'get big.iso s')).toEqual([['src/'], 's']);
    expect(await complete(s, 'put src/main.ts d')).toEqual([['data/', 'docs/'], 'd']);
  });

  it('skips options when counting arguments, and offers nothing for an option', async () => {
    const { session: s } = session();
    expect(await complete(s, 'get -r d')).toEqual([['data/', 'docs/'], 'd']);
    expect(await complete(s, 'get -')).toEqual([[], '-']);
    expect(await complete(s, 'pwd x')).toEqual([[], 'x']);
    expect(await complete(s, 'nosuch x')).toEqual([[], 'x']);
  });

  it('lists a remote folder once, and again after a command that changes the tree', async () => {
    const { fs, session: s } = session();
    await complete(s, 'get d');
    await complete(s, 'get b');
    expect(fs.listed).toEqual(['']);
    await runCommandLine(
      s,
      new JsonOutput(new PassThrough()),
      'mkdir dump',
      new AbortController().signal,
    );
    expect(await complete(s, 'get d')).toEqual([['data/', 'docs/', 'dump/'], 'd']);
    expect(fs.listed).toEqual(['', '']);
  });

  it('offers nothing when the folder cannot be listed', async () => {
    const { session: s } = session();
    expect(await complete(s, 'get nowhere/x')).toEqual([[], 'nowhere/x']);
    expect(await complete(s, 'put nowhere/x')).toEqual([[], 'nowhere/x']);
  });
});
