// How a test turns `cftp ARGS` into a command line: plaintext for the suites that predate
// TLS, or this process's own test TLS set-up (one state folder, pinned fingerprint), and
// the one guard every process wait in testkit uses.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { certificateFingerprint } from '@cftp/client';

/** The built command, `apps/cli/dist/main.js` (run `turbo run build` first). */
export const CFTP_CLI = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));

/**
 * How long a helper waits for a process before it gives up on it: a guard against a process
 * that never answers, not a wait. Generous, so that a machine at 4x load (two busy cores
 * shared by several suites) stays well inside it; the vitest timeouts sit above it.
 */
export const PROCESS_GUARD_MS = 90_000;

/** Rewrites `cftp` arguments before spawning (adds the TLS or plaintext choice). */
export type ArgsFor = (args: readonly string[]) => string[];

const CONNECTING = new Set(['server', 'client', 'get', 'put', 'sync', 'tui']);
const CHOOSES_TLS = ['--state', '--cert', '--known-hosts', '--fingerprint', '--insecure-plaintext'];

/** True when `args` are left as they are: not a connecting command, or they already choose. */
function choosesItself(args: readonly string[]): boolean {
  const [command, ...rest] = args;
  if (command === undefined || !CONNECTING.has(command)) return true;
  return rest.some((arg) => CHOOSES_TLS.includes(arg)) || /^(adduser|passwd)$/.test(rest[0] ?? '');
}

/**
 * The suites that predate TLS (docs/security.md) run in plaintext: `--insecure-plaintext`
 * goes right after the command name, on both sides. Arguments that choose the TLS state
 * (`--state`, `--cert`, `--known-hosts`, `--fingerprint`) or a `server` subcommand
 * (`adduser`, `passwd`) leave them as they are, so TLS tests run with TLS.
 */
export function withPlaintext(args: readonly string[]): string[] {
  if (choosesItself(args)) return [...args];
  const [command, ...rest] = args;
  return [command!, '--insecure-plaintext', ...rest];
}

let tlsState: string | undefined;

/** This process's server state folder (one key, made by the first server that starts). */
function testTlsState(): string {
  if (tlsState === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'cftp-test-state-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    tlsState = dir;
  }
  return tlsState;
}

/** The fingerprint of this process's server key, once a server has made it. */
function testTlsFingerprint(): string | undefined {
  try {
    const pem = readFileSync(join(testTlsState(), 'server-cert.pem'), 'utf8');
    return certificateFingerprint(Buffer.from(new X509Certificate(pem).raw));
  } catch {
    return undefined;
  }
}

/**
 * TLS as a user runs it (docs/security.md): every server of this process shares one state
 * folder, and every client pins its fingerprint with `--fingerprint` (before any server has
 * started: a known_hosts file in that folder), so no known_hosts notice appears on stderr.
 */
export function withTestTls(args: readonly string[]): string[] {
  if (choosesItself(args)) return [...args];
  const [command, ...rest] = args;
  if (command === 'server') return [command, '--state', testTlsState(), ...rest];
  const fingerprint = testTlsFingerprint();
  const trust =
    fingerprint === undefined
      ? ['--known-hosts', join(testTlsState(), 'known_hosts')]
      : ['--fingerprint', fingerprint];
  return [command!, ...trust, ...rest];
}

/** `promise`, or a rejection (after `onLate`, e.g. SIGKILL) when the guard passes first. */
export function withGuard<T>(
  promise: Promise<T>,
  what: string,
  onLate?: () => void,
  ms = PROCESS_GUARD_MS,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onLate?.();
      reject(new Error(`${what}: nothing after ${ms} ms`));
    }, ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
