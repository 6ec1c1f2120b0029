// The `--users FILE` accounts (docs/security.md, "Accounts"): a JSON file of users, each with
// an scrypt password hash, a root folder and permissions; the server's `authenticate` hook
// built from it; and the writes behind `cftp server adduser` / `passwd`.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import {
  type Account,
  type Authenticate,
  type Authorize,
  LocalStorage,
  type Operation,
} from '@cftp/server';

export const PERMISSIONS = ['read', 'write', 'delete', 'mkdir'] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** scrypt parameters written into every new entry (N = 2^15, r = 8, p = 1, 32-byte key). */
export const SCRYPT_PARAMS = { N: 32768, r: 8, p: 1, keylen: 32 } as const;

export interface UserEntry {
  /** `scrypt$N$r$p$<salt base64>$<hash base64>` */
  password: string;
  /** Folder this user sees as `/`: absolute, or relative to the server's `--root`. Default: the root. */
  root?: string;
  permissions: Permission[];
}

export interface UsersFile {
  version: 1;
  users: Record<string, UserEntry>;
}

/** Which permission each operation needs; rename needs both write and delete. */
const NEEDS: Record<Operation, readonly Permission[]> = {
  list: ['read'],
  get: ['read'],
  stat: ['read'],
  put: ['write'],
  mkdir: ['mkdir'],
  rmdir: ['delete'],
  delete: ['delete'],
  rename: ['write', 'delete'],
};

function derive(
  password: string,
  salt: Buffer,
  N: number,
  r: number,
  p: number,
  keylen: number,
): Promise<Buffer> {
  return new Promise((done, fail) =>
    scrypt(password, salt, keylen, { N, r, p, maxmem: 256 * N * r }, (error, key) =>
      error === null ? done(key) : fail(error),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const { N, r, p, keylen } = SCRYPT_PARAMS;
  const salt = randomBytes(16);
  const hash = await derive(password, salt, N, r, p, keylen);
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** Constant-time check of `password` against an entry's hash; false for a malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  if (![N, r, p].every(Number.isSafeInteger) || expected.byteLength < 16) return false;
  const actual = await derive(password, salt, N, r, p, expected.byteLength);
  return timingSafeEqual(actual, expected);
}

export function parseUsersFile(text: string, where: string): UsersFile {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || !('users' in value)) {
    throw new Error(`${where}: expected {"version": 1, "users": {...}}`);
  }
  const users = (value as { users: unknown }).users;
  if (typeof users !== 'object' || users === null)
    throw new Error(`${where}: "users" is not an object`);
  for (const [name, entry] of Object.entries(users)) {
    const e = entry as Partial<UserEntry>;
    if (typeof e.password !== 'string' || !Array.isArray(e.permissions)) {
      throw new Error(`${where}: user "${name}" needs "password" and "permissions"`);
    }
    if (e.root !== undefined && (typeof e.root !== 'string' || e.root === '')) {
      throw new Error(`${where}: user "${name}": "root" must be a folder path`);
    }
    for (const permission of e.permissions) {
      if (!(PERMISSIONS as readonly string[]).includes(permission)) {
        throw new Error(`${where}: user "${name}": unknown permission "${permission}"`);
      }
    }
  }
  return { version: 1, users: users as Record<string, UserEntry> };
}

export async function readUsersFile(file: string): Promise<UsersFile> {
  return parseUsersFile(await readFile(file, 'utf8'), file);
}

/** Reads the file, or an empty one if it does not exist yet (for adduser). */
async function readOrEmpty(file: string): Promise<UsersFile> {
  try {
    return await readUsersFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, users: {} };
    throw error;
  }
}

/** Writes atomically (temp file, rename), mode 0600: the hashes are secrets too. */
async function writeUsersFile(file: string, users: UsersFile): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(users, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, file);
}

export async function addUser(
  file: string,
  name: string,
  password: string,
  options: { root?: string; permissions: Permission[] },
): Promise<void> {
  const users = await readOrEmpty(file);
  if (Object.hasOwn(users.users, name)) throw new Error(`user "${name}" already exists in ${file}`);
  users.users[name] = {
    password: await hashPassword(password),
    ...(options.root === undefined ? {} : { root: options.root }),
    permissions: options.permissions,
  };
  await writeUsersFile(file, users);
}

export async function setPassword(file: string, name: string, password: string): Promise<void> {
  const users = await readUsersFile(file);
  const entry = users.users[name];
  if (entry === undefined) throw new Error(`no user "${name}" in ${file}`);
  entry.password = await hashPassword(password);
  await writeUsersFile(file, users);
}

export function permissionAuthorize(permissions: readonly Permission[]): Authorize {
  const granted = new Set(permissions);
  return (_session, operation) => NEEDS[operation].every((needed) => granted.has(needed));
}

/**
 * The server's `authenticate` hook over a users file (read once at start). An unknown user
 * costs the same scrypt work as a known one (a dummy hash), so timing does not tell them apart.
 */
export async function usersAuthenticate(
  users: UsersFile,
  serverRoot: string,
): Promise<Authenticate> {
  const dummy = await hashPassword(randomBytes(16).toString('hex'));
  return async (user, password) => {
    const entry = Object.hasOwn(users.users, user) ? users.users[user] : undefined;
    const ok = await verifyPassword(password, entry?.password ?? dummy);
    if (!ok || entry === undefined) return null;
    const root =
      entry.root === undefined
        ? undefined
        : isAbsolute(entry.root)
          ? entry.root
          : resolve(serverRoot, entry.root);
    const account: Account = {
      user,
      ...(root === undefined ? {} : { storage: new LocalStorage(root) }),
      authorize: permissionAuthorize(entry.permissions),
    };
    return account;
  };
}
