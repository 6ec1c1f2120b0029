import { PassThrough } from 'node:stream';
import { CftpError } from '@cftp/client';
import { type ErrorCode, hasControlCharacters } from '@cftp/protocol';
import { describe, expect, it } from 'vitest';
import { localError, pathError } from '../src/errors.js';
import { JsonOutput, outcome, TextOutput } from '../src/output.js';

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
  });
  return { stream, text: () => text };
}

describe('text output', () => {
  it('echoes batch commands, prints result lines, errors with their code on stderr', () => {
    const out = sink();
    const err = sink();
    const output = new TextOutput(out.stream, err.stream, true);
    output.echo('ls');
    output.success('ls', outcome({ entries: [] }, ['a.txt', 'docs/']));
    output.success('cd', outcome({ path: '/docs' }));
    output.failure('get', new CftpError('ENOENT', 'no such file or directory: "x"'));
    expect(out.text()).toBe('ftp> ls\na.txt\ndocs/\n');
    expect(err.text()).toBe('error: no such file or directory: "x" (ENOENT)\n');
  });

  it('does not echo at an interactive prompt', () => {
    const out = sink();
    new TextOutput(out.stream, sink().stream, false).echo('ls');
    expect(out.text()).toBe('');
  });
});

describe('JSON output', () => {
  it('prints one object per result, failures included, and nothing else', () => {
    const out = sink();
    const output = new JsonOutput(out.stream);
    output.echo('get a.txt');
    output.success('get', outcome({ bytes: 6, sha256: 'ab' }, ['get a.txt: 6 bytes']));
    output.failure('get', new CftpError('ENOENT', 'no such file'));
    output.failure('rename', pathError('EEXIST', '"/b" exists', '/b'));
    output.failure('lcd', localError(Object.assign(new Error('x'), { code: 'ENOTDIR' }), '/f'));
    output.failure(undefined, new Error('boom'));
    output.event({ event: 'progress', bytes: 1 });
    const lines = out
      .text()
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      { command: 'get', ok: true, bytes: 6, sha256: 'ab' },
      { command: 'get', ok: false, code: 'ENOENT', message: 'no such file' },
      { command: 'rename', ok: false, code: 'EEXIST', message: '"/b" exists' },
      { command: 'lcd', ok: false, code: 'ENOTDIR', message: 'local "/f": not a folder' },
      { command: null, ok: false, code: 'EIO', message: 'boom' },
      { event: 'progress', bytes: 1 },
    ]);
  });
});

describe('server text with controls (docs/protocol.md §9.1)', () => {
  const name = 'x\u001b]0;t\u0007\r\nerror: FAKE \u009b31m \u202eexe';

  it('text: result lines, errors and warnings are escaped, one line each', () => {
    const out = sink();
    const err = sink();
    const output = new TextOutput(out.stream, err.stream, false);
    output.success('ls', outcome({}, [name, 'good.txt']));
    output.failure('get', new CftpError('E\u001b[2J' as ErrorCode, name));
    output.warning(new CftpError('EBADNAME', name));
    const shown = 'x\\x1b]0;t\\x07\\x0d\\x0aerror: FAKE \\x9b31m \\u202eexe';
    expect(out.text()).toBe(`${shown}\ngood.txt\n`);
    expect(err.text()).toBe(`error: ${shown} (E\\x1b[2J)\nwarning: ${shown} (EBADNAME)\n`);
  });

  it('JSON: exact JSON, C0 as JSON escapes and C1/bidi/DEL too; warnings on stderr', () => {
    const out = sink();
    const err = sink();
    const output = new JsonOutput(out.stream, err.stream);
    output.success('ls', outcome({ entries: [{ name: `${name}\u007f` }] }));
    output.warning(new CftpError('EBADNAME', 'skipped'));
    const text = out.text();
    expect(hasControlCharacters(text.trimEnd())).toBe(false);
    expect(text).toContain('\\u009b31m \\u202eexe\\u007f');
    expect(JSON.parse(text)).toEqual({
      command: 'ls',
      ok: true,
      entries: [{ name: `${name}\u007f` }],
    });
    expect(err.text()).toBe('warning: skipped (EBADNAME)\n');
  });
});
