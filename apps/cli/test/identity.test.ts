// The client's trust store and the server's key (docs/security.md, "Encryption").
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkFingerprintFlag, splitUser } from '../src/flags.js';
import {
  addKnownHost,
  hostKey,
  knownHostsPath,
  loadOrCreateIdentity,
  lookupKnownHost,
  stateDir,
} from '../src/identity.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cftp-identity-test-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

describe('state folder and server key', () => {
  it('defaults to $XDG_CONFIG_HOME/cftp, else ~/.config/cftp', () => {
    expect(stateDir(undefined, { XDG_CONFIG_HOME: '/x' })).toBe('/x/cftp');
    expect(stateDir(undefined, {})).toMatch(/\/\.config\/cftp$/);
    expect(stateDir('/given', {})).toBe('/given');
    expect(knownHostsPath(undefined, { XDG_CONFIG_HOME: '/x' })).toBe('/x/cftp/known_hosts');
  });

  it('creates the key once (mode 0600) and keeps its fingerprint across starts', async () => {
    const dir = join(await tempDir(), 'state');
    const first = await loadOrCreateIdentity(dir);
    expect(first.created).toBe(true);
    expect(first.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect((await stat(join(dir, 'server-key.pem'))).mode & 0o777).toBe(0o600);
    const again = await loadOrCreateIdentity(dir);
    expect(again.created).toBe(false);
    expect(again.fingerprint).toBe(first.fingerprint);
  });

  it('gives servers that start at once on a fresh folder one and the same key', async () => {
    const dir = join(await tempDir(), 'state');
    const all = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateIdentity(dir)));
    expect(all.filter((identity) => identity.created)).toHaveLength(1);
    expect(new Set(all.map((identity) => identity.fingerprint)).size).toBe(1);
    expect(new Set(all.map((identity) => identity.key)).size).toBe(1);
    expect((await readdir(dir)).sort()).toEqual(['server-cert.pem', 'server-key.pem']);
  });
});

describe('known_hosts', () => {
  it('pins HOST:PORT lines and finds them again', async () => {
    const file = join(await tempDir(), 'sub', 'known_hosts');
    expect(await lookupKnownHost(file, hostKey('h', 1))).toBeUndefined();
    await addKnownHost(file, hostKey('h', 1), 'SHA256:a');
    await addKnownHost(file, hostKey('::1', 2), 'SHA256:b');
    expect(await readFile(file, 'utf8')).toBe('h:1 SHA256:a\n[::1]:2 SHA256:b\n');
    expect(await lookupKnownHost(file, 'h:1')).toBe('SHA256:a');
    expect(await lookupKnownHost(file, '[::1]:2')).toBe('SHA256:b');
    expect(await lookupKnownHost(file, 'h:2')).toBeUndefined();
  });

  it('splits user@host and checks --fingerprint', () => {
    expect(splitUser('alice@example.org')).toEqual({ user: 'alice', host: 'example.org' });
    expect(splitUser('example.org')).toEqual({ host: 'example.org' });
    expect(() => checkFingerprintFlag('SHA256:short')).toThrow(/43 base64/);
  });
});
