import { describe, expect, it } from 'vitest';
import { parseRemoteAddress } from '../src/address.js';

describe('HOST:PORT:/path addresses of the one-shot commands', () => {
  it.each([
    ['127.0.0.1:2121:/big.iso', { host: '127.0.0.1', port: 2121, path: 'big.iso' }],
    ['example.org:21:/a/b.txt', { host: 'example.org', port: 21, path: 'a/b.txt' }],
    ['host:2121:relative/x', { host: 'host', port: 2121, path: 'relative/x' }],
    ['host:2121:/', { host: 'host', port: 2121, path: '.' }],
    ['host:2121:', { host: 'host', port: 2121, path: '.' }],
    ['host:2121:/dir/', { host: 'host', port: 2121, path: 'dir/' }],
    ['[::1]:2121:/path', { host: '::1', port: 2121, path: 'path' }],
    ['[fe80::1%eth0]:65535:/a:b', { host: 'fe80::1%eth0', port: 65535, path: 'a:b' }],
    ['h:1:/with space/ü.txt', { host: 'h', port: 1, path: 'with space/ü.txt' }],
  ])('%s', (text, expected) => {
    expect(parseRemoteAddress(text)).toEqual(expected);
  });

  it.each([
    ['no colon', 'host'],
    ['no port', 'host::/x'],
    ['no path', 'host:2121'],
    ['a port that is not a number', 'host:ftp:/x'],
    ['port 0', 'host:0:/x'],
    ['a port above 65535', 'host:65536:/x'],
    ['a bare IPv6 address', '::1:2121:/x'],
    ['an unclosed bracket', '[::1:2121:/x'],
    ['brackets around a name', '[host]:2121:/x'],
    ['nothing after the bracket', '[::1]'],
    ['an empty host', ':2121:/x'],
  ])('refuses %s with EUSAGE', (_, text) => {
    expect(() => parseRemoteAddress(text)).toThrow(expect.objectContaining({ code: 'EUSAGE' }));
  });

  it('suggests brackets for a bare IPv6 address', () => {
    expect(() => parseRemoteAddress('::1:2121:/x')).toThrow(/\[::1\]:2121/);
  });
});
