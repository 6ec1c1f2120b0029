// CftpError's structure (docs/protocol.md §11): a code, a message for people, and the path
// and cause a caller branches on or logs instead of parsing the message.
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  CftpError,
  ConnectionError,
  DataChannelError,
  errorFromCode,
  IntegrityError,
  PathError,
  ProtocolError,
  TimeoutError,
} from '../src/index.js';

describe('CftpError path and cause', () => {
  it('carries neither when not given, with no own keys for them', () => {
    const error = new CftpError('EIO', 'storage error');
    expect(error.path).toBeUndefined();
    expect(error.cause).toBeUndefined();
    expect(Object.hasOwn(error, 'path')).toBe(false);
    expect(Object.hasOwn(error, 'cause')).toBe(false);
    expect(error.code).toBe('EIO');
    expect(error.message).toBe('storage error');
    expect(error.name).toBe('CftpError');
  });

  it('keeps the path and the standard ErrorOptions cause', () => {
    const fsError = Object.assign(new Error("EPERM: operation not permitted, open 'a'"), {
      code: 'EPERM',
    });
    const error = new PathError('EACCES', 'local "a": operation not permitted', {
      path: 'a',
      cause: fsError,
    });
    expect(error).toBeInstanceOf(CftpError);
    expect(error.name).toBe('PathError');
    expect(error.path).toBe('a');
    expect(error.cause).toBe(fsError);
    expect(error.message).toBe('local "a": operation not permitted');
  });

  it('is passed on by every subclass', () => {
    const cause = new Error('below');
    const options = { path: '/x', cause };
    const errors: CftpError[] = [
      new ProtocolError('EPROTO', 'm', options),
      new PathError('ENOENT', 'm', options),
      new IntegrityError('m', options),
      new TimeoutError('m', options),
      new DataChannelError('EDATA', 'm', options),
      new AbortError('m', options),
      new ConnectionError('m', options),
    ];
    for (const error of errors) {
      expect(error.path, error.name).toBe('/x');
      expect(error.cause, error.name).toBe(cause);
    }
    expect(errors.map((error) => error.code)).toEqual([
      'EPROTO',
      'ENOENT',
      'EINTEGRITY',
      'ETIMEDOUT',
      'EDATA',
      'ECANCELED',
      'ECONNECTION',
    ]);
  });

  it('keeps the default message of AbortError', () => {
    expect(new AbortError().message).toBe('operation aborted');
    expect(new AbortError(undefined, { path: 'p' }).path).toBe('p');
  });

  it('is added by errorFromCode, which the wire cannot carry', () => {
    const error = errorFromCode('ENOENT', 'no such file or directory: "a/b"', { path: 'a/b' });
    expect(error).toBeInstanceOf(PathError);
    expect(error.path).toBe('a/b');
    const unknown = errorFromCode('EWHAT', 'odd', { path: 'z' });
    expect(unknown).toBeInstanceOf(ProtocolError);
    expect(unknown.code).toBe('EPROTO');
    expect(unknown.path).toBe('z');
    expect(errorFromCode('EIO', 'm').path).toBeUndefined();
  });
});
