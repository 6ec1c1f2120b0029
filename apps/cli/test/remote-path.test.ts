import { describe, expect, it } from 'vitest';
import {
  changeRemoteDir,
  displayRemote,
  REMOTE_ROOT,
  remoteBasename,
  remoteDirname,
  remoteJoin,
  resolveRemote,
} from '../src/remote-path.js';

describe('resolveRemote: paths against the current remote folder', () => {
  it.each([
    ['', 'a.txt', 'a.txt'],
    ['', '.', ''],
    ['', './a/./b/', 'a/b'],
    ['', 'a//b', 'a/b'],
    ['', '/', ''],
    ['docs', 'a.txt', 'docs/a.txt'],
    ['docs', '..', ''],
    ['docs/x', '../y/z.txt', 'docs/y/z.txt'],
    ['docs/x', '../../a', 'a'],
    ['a/b', '.', 'a/b'],
    ['', 'cafe\u0301.txt', 'caf\u00e9.txt'],
  ])('in /%s, %j is %j', (cwd, path, expected) => {
    expect(resolveRemote(cwd, path)).toBe(expected);
  });

  it.each([
    ['', '..'],
    ['', '../secret'],
    ['', 'folder/../../secret'],
    ['docs', '../../x'],
    ['', '/etc/passwd'],
    ['docs', '/docs/a'],
  ])('in /%s, refuses %j with EBADNAME', (cwd, path) => {
    expect(() => resolveRemote(cwd, path)).toThrow(expect.objectContaining({ code: 'EBADNAME' }));
  });
});

describe('changeRemoteDir: where cd goes', () => {
  it.each([
    ['', '..', ''],
    ['', '../..', ''],
    ['a', '../../b', 'b'],
    ['a/b', '..', 'a'],
    ['a/b', undefined, ''],
    ['a/b', '/', ''],
    ['a/b', '~', ''],
    ['a', 'c/d', 'a/c/d'],
  ])('from /%s, cd %s goes to /%s', (cwd, path, expected) => {
    expect(changeRemoteDir(cwd, path)).toBe(expected);
  });

  it('refuses an absolute path other than /', () => {
    expect(() => changeRemoteDir('', '/a')).toThrow(expect.objectContaining({ code: 'EBADNAME' }));
  });
});

describe('remote path helpers', () => {
  it('shows the root as / and others with a leading slash', () => {
    expect(displayRemote(REMOTE_ROOT)).toBe('/');
    expect(displayRemote('a/b')).toBe('/a/b');
  });
  it('splits and joins without a leading slash', () => {
    expect(remoteBasename('a/b/c.txt')).toBe('c.txt');
    expect(remoteBasename('c.txt')).toBe('c.txt');
    expect(remoteBasename('')).toBe('');
    expect(remoteDirname('a/b/c.txt')).toBe('a/b');
    expect(remoteDirname('c.txt')).toBe('');
    expect(remoteJoin('', 'a')).toBe('a');
    expect(remoteJoin('a', 'b', 'c')).toBe('a/b/c');
    expect(remoteJoin('a', '')).toBe('a');
  });
});
