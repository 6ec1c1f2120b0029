// The users file (docs/security.md, "Accounts"): scrypt hashes, permissions per operation,
// and the authenticate hook that treats an unknown user like a wrong password.
import { describe, expect, it } from 'vitest';
import {
  hashPassword,
  parseUsersFile,
  permissionAuthorize,
  usersAuthenticate,
  verifyPassword,
} from '../src/users.js';

const session = { id: 1, remoteAddress: '127.0.0.1', remotePort: 1 };

describe('users file', () => {
  it('stores scrypt with a random salt, never the password, and verifies it', async () => {
    const a = await hashPassword('pässword');
    const b = await hashPassword('pässword');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('pässword');
    expect(await verifyPassword('pässword', a)).toBe(true);
    expect(await verifyPassword('password', a)).toBe(false);
    expect(await verifyPassword('pässword', 'plain:pässword')).toBe(false);
  });

  it('maps operations to permissions; rename needs write and delete', () => {
    const reader = permissionAuthorize(['read']);
    const writer = permissionAuthorize(['read', 'write']);
    const all = permissionAuthorize(['read', 'write', 'delete', 'mkdir']);
    expect(['list', 'get', 'stat'].every((op) => reader(session, op as 'get', 'x'))).toBe(true);
    for (const op of ['put', 'delete', 'rmdir', 'mkdir', 'rename'] as const) {
      expect(reader(session, op, 'x'), op).toBe(false);
    }
    expect(writer(session, 'put', 'x')).toBe(true);
    expect(writer(session, 'rename', 'x')).toBe(false);
    expect(all(session, 'rename', 'x')).toBe(true);
  });

  it('refuses a malformed file with a message naming the user', () => {
    expect(() => parseUsersFile('{"users": {"bob": {"password": "x"}}}', 'u.json')).toThrow(/bob/);
    expect(() =>
      parseUsersFile('{"users": {"bob": {"password": "x", "permissions": ["fly"]}}}', 'u.json'),
    ).toThrow(/unknown permission "fly"/);
  });

  it('authenticates a known user only, and resolves a relative root against the server root', async () => {
    const file = parseUsersFile(
      JSON.stringify({
        version: 1,
        users: {
          alice: { password: await hashPassword('pw'), root: 'alice', permissions: ['read'] },
        },
      }),
      'u.json',
    );
    const authenticate = await usersAuthenticate(file, '/srv/cftp');
    expect(await authenticate('alice', 'wrong', session)).toBeNull();
    expect(await authenticate('mallory', 'pw', session)).toBeNull();
    expect(await authenticate('__proto__', 'pw', session)).toBeNull();
    const account = await authenticate('alice', 'pw', session);
    expect(account?.user).toBe('alice');
    expect(account?.storage).toBeDefined();
    expect(account?.authorize?.(session, 'put', 'x')).toBe(false);
  });
});
