// The CLI's failures (src/errors.ts): CftpErrors with codes from the one OS-error table, and
// a path in front only when code and path say the message lacks one, never by reading it.
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CftpError, errorFromCode, IntegrityError, PathError } from '@cftp/protocol';
import { EXIT_NO_TERMINAL, EXIT_OK as TUI_EXIT_OK } from '@cftp/tui';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aboutBatch,
  aboutPath,
  describeError,
  localError,
  pathError,
  usageError,
} from '../src/errors.js';
import {
  EXIT_CONNECT,
  EXIT_FAILED,
  EXIT_OK,
  EXIT_PARTIAL,
  EXIT_USAGE,
  failedExit,
} from '../src/exit-codes.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cftp-cli-errors-'));
  await writeFile(join(dir, 'file'), 'x');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function fsFailure(path: string): Promise<unknown> {
  return stat(path).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('localError', () => {
  it('names a real ENOENT by the table, with path and cause', async () => {
    const path = join(dir, 'nope');
    const cause = await fsFailure(path);
    const error = localError(cause, path);
    expect(error).toBeInstanceOf(PathError);
    expect(error.code).toBe('ENOENT');
    expect(error.message).toBe(`local "${path}": no such file or directory`);
    expect(error.path).toBe(path);
    expect(error.cause).toBe(cause);
  });

  it('names a real ENOTDIR as "not a folder"', async () => {
    const path = join(dir, 'file', 'below');
    const error = localError(await fsFailure(path), path);
    expect(error.code).toBe('ENOTDIR');
    expect(error.message).toBe(`local "${path}": not a folder`);
  });

  it('reports EPERM with the spec code EACCES and its own words', () => {
    const cause = Object.assign(new Error("EPERM: operation not permitted, open 'x'"), {
      code: 'EPERM',
    });
    const error = localError(cause, 'x');
    expect(error.code).toBe('EACCES');
    expect(error.message).toBe('local "x": operation not permitted');
  });

  it('reports an OS code the table does not list as EIO with its message', () => {
    const cause = Object.assign(new Error('EINVAL: invalid argument'), { code: 'EINVAL' });
    const error = localError(cause, 'x');
    expect(error.code).toBe('EIO');
    expect(error.message).toBe('local "x": EINVAL: invalid argument');
  });

  it('leaves a CftpError as it is', () => {
    const original = new CftpError('ENOSPC', 'full');
    expect(localError(original, 'x')).toBe(original);
  });
});

describe('describeError', () => {
  it('shows a CftpError by its code and message', () => {
    expect(describeError(usageError('usage: ls'))).toEqual({
      code: 'EUSAGE',
      message: 'usage: ls',
    });
  });

  it('codes a raw OS error by the table and anything else as EIO', () => {
    const eperm = Object.assign(new Error('EPERM: nope'), { code: 'EPERM' });
    expect(describeError(eperm)).toEqual({ code: 'EACCES', message: 'operation not permitted' });
    // In words with its path: the code shows once, at the end (`… (EACCES)`), never twice.
    const eacces = Object.assign(new Error("EACCES: permission denied, open '/x'"), {
      code: 'EACCES',
      path: '/x',
    });
    expect(describeError(eacces)).toEqual({ code: 'EACCES', message: '"/x": permission denied' });
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
    });
    expect(describeError(enospc)).toEqual({ code: 'ENOSPC', message: 'no space left on device' });
    expect(describeError(new Error('boom'))).toEqual({ code: 'EIO', message: 'boom' });
    expect(describeError('text')).toEqual({ code: 'EIO', message: 'text' });
  });
});

describe('aboutPath', () => {
  it("leaves the server's storage errors, which name the path, as they are", () => {
    for (const code of ['ENOENT', 'ENOTDIR', 'EISDIR', 'EEXIST', 'ENOTEMPTY', 'EACCES', 'ENOSPC']) {
      const error = errorFromCode(code, `something about: "a/b"`);
      expect(aboutPath(error, '/a/b'), code).toBe(error);
    }
  });

  it('puts the path in front of errors about the transfer, keeping code and cause', () => {
    const error = new IntegrityError('digest mismatch');
    const named = aboutPath(error, '/a/b');
    expect(named).toBeInstanceOf(IntegrityError);
    expect(named).toMatchObject({
      code: 'EINTEGRITY',
      message: '"/a/b": digest mismatch',
      path: '/a/b',
      cause: error,
    });
    expect(aboutPath(new CftpError('EBADNAME', 'path contains a backslash'), '/x')).toMatchObject({
      code: 'EBADNAME',
      message: '"/x": path contains a backslash',
    });
  });

  it('always names the root, which the server calls "the served folder itself"', () => {
    const error = new PathError('EACCES', 'the served folder itself');
    expect(aboutPath(error, '/')).toMatchObject({
      code: 'EACCES',
      message: '"/": the served folder itself',
      path: '/',
    });
  });

  it('leaves an error that carries its path, and session-wide errors, alone', () => {
    const own = pathError('ENOTDIR', '"/f" is not a folder', '/f');
    expect(aboutPath(own, '/other')).toBe(own);
    expect(aboutPath(aboutPath(new CftpError('EIO', 'x'), '/a'), '/a')).toMatchObject({
      message: '"/a": x',
    });
    for (const code of ['ECONNECTION', 'ESHUTDOWN']) {
      const error = errorFromCode(code, 'gone');
      expect(aboutPath(error, '/a')).toBe(error);
    }
    const plain = new Error('not ours');
    expect(aboutPath(plain, '/a')).toBe(plain);
  });
});

describe('aboutBatch', () => {
  it('names the first file of a batch when the error is about the transfer', () => {
    const error = new IntegrityError('batch digest mismatch: nothing was committed');
    expect(aboutBatch(error, ['/a', '/b', '/c'])).toMatchObject({
      code: 'EINTEGRITY',
      message: 'batch of 3 files from "/a": batch digest mismatch: nothing was committed',
      path: '/a',
    });
  });

  it("leaves the server's storage errors and a lost connection as they are", () => {
    const missing = new PathError('ENOENT', 'no such file or directory: "b"');
    expect(aboutBatch(missing, ['/a', '/b'])).toBe(missing);
    const lost = errorFromCode('ECONNECTION', 'connection lost');
    expect(aboutBatch(lost, ['/a', '/b'])).toBe(lost);
  });
});

describe('exit codes', () => {
  it('are one table, and the TUI returns the same numbers', () => {
    expect([EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CONNECT, EXIT_PARTIAL]).toEqual([0, 1, 2, 3, 4]);
    // A copy that left entries out (EPARTIAL) is told apart from any other failure.
    expect([failedExit('EPARTIAL'), failedExit('EACCES'), failedExit(undefined)]).toEqual([
      4, 1, 1,
    ]);
    expect(TUI_EXIT_OK).toBe(EXIT_OK);
    expect(EXIT_NO_TERMINAL).toBe(EXIT_USAGE);
  });
});
