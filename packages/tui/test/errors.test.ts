// The TUI's failures (src/errors.ts): local file-system errors get their code and words from
// the one OS-error table, so the screen says what `cftp` and the server say.
import { mkdtemp, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostKeyChangedError } from '@cftp/client';
import { CftpError, PathError } from '@cftp/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectErrorInfo } from '../src/controller.js';
import { describeError, errorInfo, localError } from '../src/errors.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cftp-tui-errors-'));
  await writeFile(join(dir, 'inside'), 'x');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('localError', () => {
  it('turns a real ENOTEMPTY into a PathError with the words of the table', async () => {
    const cause = await failure(rmdir(dir));
    const error = localError(cause, `cannot delete "${dir}"`, dir);
    expect(error).toBeInstanceOf(PathError);
    expect(error.code).toBe('ENOTEMPTY');
    expect(describeError(error)).toBe(`cannot delete "${dir}": folder not empty (ENOTEMPTY)`);
    expect(error.path).toBe(dir);
    expect(error.cause).toBe(cause);
  });

  it('turns a real ENOENT into "no such file or directory"', async () => {
    const path = join(dir, 'gone');
    const error = localError(await failure(readdir(path)), `cannot list "${path}"`);
    expect(error.code).toBe('ENOENT');
    expect(error.message).toBe(`cannot list "${path}": no such file or directory`);
    expect(error.path).toBeUndefined();
  });

  it('reports EPERM as EACCES, the code the spec lists, like the CLI and the server', () => {
    const eperm = Object.assign(new Error('EPERM: operation not permitted'), { code: 'EPERM' });
    expect(localError(eperm, 'cannot rename "a"')).toMatchObject({
      code: 'EACCES',
      message: 'cannot rename "a": operation not permitted',
    });
  });

  it('keeps a CftpError, and reports an unknown failure as EIO with its own message', () => {
    const original = new CftpError('EBUSY', 'busy');
    expect(localError(original, 'x')).toBe(original);
    expect(localError(new Error('odd'), 'cannot read "f"')).toMatchObject({
      code: 'EIO',
      message: 'cannot read "f": odd',
    });
  });
});

describe('errorInfo', () => {
  it('codes raw OS errors by the table', () => {
    const edquot = Object.assign(new Error('EDQUOT: quota'), { code: 'EDQUOT' });
    expect(errorInfo(edquot)).toEqual({ code: 'ENOSPC', message: 'EDQUOT: quota' });
    expect(errorInfo('text')).toEqual({ code: 'EIO', message: 'text' });
    expect(errorInfo(new CftpError('EAUTH', 'log in first'))).toEqual({
      code: 'EAUTH',
      message: 'log in first',
    });
  });
});

describe('a changed certificate', () => {
  it('keeps the CLI’s known_hosts hint and both fingerprints', () => {
    const changed = new HostKeyChangedError('127.0.0.1:2121', 'SHA256:new', 'SHA256:old');
    const info = connectErrorInfo(changed, '/home/me/.local/state/cftp/known_hosts');
    expect(info.code).toBe('ETLS');
    expect(info.message).toContain(
      '127.0.0.1:2121 has CHANGED (now SHA256:new, pinned SHA256:old)',
    );
    expect(info.message).toContain(
      "If the change is expected, remove the server's line from /home/me/.local/state/cftp/known_hosts.",
    );
    expect(connectErrorInfo(changed, undefined).message).toContain("cftp's known_hosts file");
    expect(connectErrorInfo(new Error('boom'), undefined).message).toBe('boom');
  });
});
