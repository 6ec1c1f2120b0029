// Where the CLI keeps its keys and trust (docs/security.md, "Encryption"): the state folder,
// the server's self-signed certificate (made on first start, @peculiar/x509) and the
// client's known_hosts file (SSH's trust on first use).
import 'reflect-metadata';
import { KeyObject, webcrypto, X509Certificate } from 'node:crypto';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { certificateFingerprint } from '@cftp/client';
import * as x509 from '@peculiar/x509';

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
 * The key file is written with mode 0600, exclusively, so two first starts cannot mix halves.
 */
export async function loadOrCreateIdentity(dir: string): Promise<ServerIdentity> {
  const keyPath = join(dir, KEY_FILE);
  const certPath = join(dir, CERT_FILE);
  try {
    const identity = await loadIdentity(certPath, keyPath);
    return identity;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  x509.cryptoProvider.set(webcrypto);
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: BigInt(now).toString(16).padStart(16, '0'),
    name: 'CN=cftp-server',
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 20 * 365 * 86_400_000),
    keys,
    signingAlgorithm: algorithm,
  });
  const cert = certificate.toString('pem');
  const key = KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }).toString();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(keyPath, key, { mode: 0o600, flag: 'wx' });
  await writeFile(certPath, cert, { mode: 0o644, flag: 'wx' });
  return { key, cert, fingerprint: fingerprintOf(cert), created: true };
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
