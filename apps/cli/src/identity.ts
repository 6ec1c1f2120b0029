// Where the CLI keeps its keys and trust (docs/security.md, "Encryption"): the state folder,
// the server's self-signed certificate (made on first start, certificate.ts) and the
// client's known_hosts file (SSH's trust on first use).
import { randomBytes, X509Certificate } from 'node:crypto';
import { appendFile, link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { certificateFingerprint } from '@cftp/transfer';
import { createSelfSigned } from './certificate.js';

/** `--state DIR`, else `$XDG_CONFIG_HOME/cftp`, else `~/.config/cftp`. */
export function stateDir(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (flag !== undefined) return flag;
  const base = env.XDG_CONFIG_HOME ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'cftp');
}

export interface ServerIdentity {
  key: string;
  cert: string;
  /** `SHA256:<base64>` of the certificate's DER, as the client shows and pins it. */
  fingerprint: string;
  /** True when this call created the key and certificate. */
  created: boolean;
}

const KEY_FILE = 'server-key.pem';
const CERT_FILE = 'server-cert.pem';

/** The fingerprint of a PEM certificate. */
export function fingerprintOf(certPem: string): string {
  return certificateFingerprint(Buffer.from(new X509Certificate(certPem).raw));
}

/** Reads `--cert`/`--key` given by the operator. */
export async function loadIdentity(certFile: string, keyFile: string): Promise<ServerIdentity> {
  const [cert, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  return { cert, key, fingerprint: fingerprintOf(cert), created: false };
}

/**
 * The server's key and certificate in `dir`, created on first use: ECDSA P-256, self-signed,
 * valid for 20 years (trust comes from the pinned fingerprint, not from dates or a CA).
 * Several servers may start at once on a fresh state folder: each writes its pair to private
 * temporary files and publishes it with link(), which fails if the name exists, so exactly
 * one pair wins and the others load it (the key file has mode 0600).
 */
export async function loadOrCreateIdentity(dir: string): Promise<ServerIdentity> {
  const keyPath = join(dir, KEY_FILE);
  const certPath = join(dir, CERT_FILE);
  const existing = await loadIfPresent(certPath, keyPath);
  if (existing !== undefined) return existing;
  const now = Date.now();
  const { cert, key } = createSelfSigned({
    commonName: 'cftp-server',
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 20 * 365 * 86_400_000),
  });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const suffix = `.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(keyPath + suffix, key, { mode: 0o600, flag: 'wx' });
    await writeFile(certPath + suffix, cert, { mode: 0o644, flag: 'wx' });
    try {
      await link(keyPath + suffix, keyPath); // whoever publishes the key first wins
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return await awaitIdentity(certPath, keyPath);
    }
    await link(certPath + suffix, certPath);
    return { key, cert, fingerprint: fingerprintOf(cert), created: true };
  } finally {
    await unlink(keyPath + suffix).catch(() => {});
    await unlink(certPath + suffix).catch(() => {});
  }
}

async function loadIfPresent(
  certPath: string,
  keyPath: string,
): Promise<ServerIdentity | undefined> {
  try {
    return await loadIdentity(certPath, keyPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Another server published the key a moment ago; its certificate follows right after. */
async function awaitIdentity(certPath: string, keyPath: string): Promise<ServerIdentity> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const identity = await loadIfPresent(certPath, keyPath);
    if (identity !== undefined) return identity;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(
    `${keyPath} exists without ${certPath}: remove the key to let the server make a new pair`,
  );
}

/** `--known-hosts FILE`, else `known_hosts` in the state folder. */
export function knownHostsPath(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? join(stateDir(undefined, env), 'known_hosts');
}

/** How a server is named in known_hosts: `host:port` (`[::1]:2121` for IPv6). */
export function hostKey(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The pinned fingerprint of `host:port`, if any. Format: one `HOST:PORT SHA256:...` per
 * line; `#` starts a comment.
 */
export async function lookupKnownHost(file: string, key: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  for (const line of text.split('\n')) {
    const [name, fingerprint] = line.trim().split(/\s+/);
    if (name === key && fingerprint !== undefined && !name.startsWith('#')) return fingerprint;
  }
  return undefined;
}

export async function addKnownHost(file: string, key: string, fingerprint: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await appendFile(file, `${key} ${fingerprint}\n`, { mode: 0o600 });
}
