// Server-supplied text reaches the terminal escaped, never interpreted (issue 11, point 3):
// error codes and messages with control characters, names with an OSC title sequence, a
// forged `\r\nerror:` line, C1 controls and bidi overrides, through the one-shot `get`, the
// `ftp>` prompt (`ls`, `get`), `get -r` and `mget`. Names that §9 refuses (C1 and bidi
// included) are skipped with a warning and never written to disk; the rest goes on.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useClientSuite } from '../src/client-suite.js';
import { fileEntry } from '../src/hostile-server/index.js';
import { TIMEOUT_FLAGS } from '../src/run-client.js';

const suite = useClientSuite();

const plain = (command: string, ...rest: string[]) => [
  command,
  '--insecure-plaintext',
  ...TIMEOUT_FLAGS,
  ...rest,
];

const GOOD = Buffer.from('good\n');

/** Names a hostile server lists: a title-setting OSC, a forged error line, C1, bidi. */
const EVIL_NAMES = [
  '\u001b]0;title\u0007',
  '\r\nerror: FAKE',
  'c1-\u009b31m-\u0085-x',
  'rlo-\u202eexe.txt',
  'iso-\u2066x\u2069-y',
];

/** The forged line must not appear as a line of its own. */
const FORGED = /^error: FAKE/m;

describe.concurrent('error codes and messages with control characters', () => {
  const message =
    'cannot open "x/\u001b]0;title\u0007" nor "y/\r\nerror: FAKE" \u009b31m \u202eevil';

  it('one-shot get: the error is one escaped line', async () => {
    const server = await suite.hostile({
      handlers: {
        get: (request, session) => session.error(request.id, 'ENOENT\u001b[2J', message),
      },
    });
    const { problems, story } = await suite.run(
      { args: plain('get', `127.0.0.1:${server.port}:/x`, 'x') },
      { exit: 'failure', says: [/\\x1b/], never: [FORGED], absent: ['x'], partials: 'none' },
    );
    expect(problems, story).toEqual([]);
  });

  it('ftp> ls: the error is one escaped line', async () => {
    const server = await suite.hostile({
      handlers: {
        list: (request, session) => session.error(request.id, 'E\u001b[31mVIL\u0007', message),
      },
    });
    const { problems, story } = await suite.run(
      { args: plain('client', '127.0.0.1', String(server.port)), input: 'ls x\n' },
      { exit: 'failure', says: [/\\x1b/], never: [FORGED], partials: 'none' },
    );
    expect(problems, story).toEqual([]);
  });

  it('an error instead of the welcome: EVERSION, escaped', async () => {
    const server = await suite.hostile({
      welcome: {
        type: 'error',
        code: 'EVERSION',
        message: `speaks only \u001b]0;v9\u0007\r\nerror: FAKE`,
      },
    });
    const { problems, story } = await suite.run(
      { args: plain('client', '127.0.0.1', String(server.port)), input: 'ls\n' },
      { exit: 'failure', says: [/EVERSION/, /\\x1b/], never: [FORGED], partials: 'none' },
    );
    expect(problems, story).toEqual([]);
  });
});

describe.concurrent('names with control characters, C1 and bidi controls', () => {
  const entries = [...EVIL_NAMES.map((name) => fileEntry(name, GOOD.byteLength))];

  it('ftp> ls: each name refused with an escaped warning, the good one listed', async () => {
    const server = await suite.hostile({
      handlers: {
        list: (request, session) =>
          session
            .listing(request.id, [...entries, fileEntry('good.txt', GOOD.byteLength)])
            .then(() => {}),
      },
    });
    const { problems, story } = await suite.run(
      { args: plain('client', '127.0.0.1', String(server.port)), input: 'ls\n' },
      {
        exit: 0,
        says: [/good\.txt/, /\\x1b/, /\\u202e/i],
        never: [FORGED],
        partials: 'none',
      },
    );
    expect(problems, story).toEqual([]);
  });

  const files: Record<string, Buffer> = { 'good.txt': GOOD };
  for (const name of EVIL_NAMES) files[name] = GOOD;

  it('mget *: the bad names are skipped, never written; the good file arrives', async () => {
    const server = await suite.hostile({ files });
    const { problems, story, sandbox } = await suite.run(
      { args: plain('client', '127.0.0.1', String(server.port)), input: 'mget *\n' },
      {
        exit: 0,
        says: [/\\x1b/],
        never: [FORGED],
        present: ['good.txt'],
        partials: 'none',
      },
    );
    expect(problems, story).toEqual([]);
    expect(await readFile(join(sandbox.target, 'good.txt'))).toEqual(GOOD);
  });

  it('get -r: the bad names are skipped, never written; the good file arrives', async () => {
    const tree: Record<string, Buffer> = {};
    for (const [name, bytes] of Object.entries(files)) tree[`tree/${name}`] = bytes;
    const server = await suite.hostile({ files: tree });
    const { problems, story, sandbox } = await suite.run(
      { args: plain('get', '-r', `127.0.0.1:${server.port}:/tree`) },
      {
        exit: 0,
        says: [/\\x1b/],
        never: [FORGED],
        present: ['tree/good.txt'],
        partials: 'none',
      },
    );
    expect(problems, story).toEqual([]);
    expect(await readFile(join(sandbox.target, 'tree', 'good.txt'))).toEqual(GOOD);
  });
});
