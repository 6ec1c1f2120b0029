// The client side of docs/security.md for every command that connects: `user@` and the
// password, TLS with the server's fingerprint pinned in known_hosts on first use (SSH's
// model), or plaintext with --insecure-plaintext; and `--timeout`, the client's bound on
// every wait (docs/protocol.md §5.4).
import { CftpError, type ConnectOptions, HostKeyChangedError } from '@cftp/client';
import { InvalidArgumentError } from 'commander';
import { addKnownHost, hostKey, knownHostsPath, lookupKnownHost } from './identity.js';
import { readPassword } from './secrets.js';

export interface SecurityFlags {
  knownHosts?: string;
  fingerprint?: string;
  insecurePlaintext?: boolean;
  /** `--timeout`, in ms (parseDuration); the engine's default (60 s) when absent. */
  timeout?: number;
  /** `--digest sha256`: never offer BLAKE3 (docs/protocol.md §7.1). */
  digest?: 'sha256' | 'blake3';
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m)?$/;
/** The longest `--timeout`: a day (setTimeout's own limit is about 24.8 days). */
const MAX_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/**
 * `--timeout DURATION`: `500ms`, `2s`, `1.5m`, or a bare number of seconds; in ms. Must be
 * above 0 and at most a day.
 */
export function parseDuration(value: string): number {
  const match = DURATION.exec(value.trim());
  const unit = match?.[2] ?? 's';
  const ms =
    match === null
      ? Number.NaN
      : Number(match[1]) * (unit === 'ms' ? 1 : unit === 's' ? 1000 : 60_000);
  if (!(ms >= 1 && ms <= MAX_TIMEOUT_MS)) {
    throw new CftpError(
      'EUSAGE',
      `--timeout: expected a duration from 1ms to 24h such as 500ms, 2s, 1m or 30 (seconds), got "${value}"`,
    );
  }
  return Math.round(ms);
}

/** `alice@host` → user and host; a bare host has no user. */
export function splitUser(text: string): { user?: string; host: string } {
  const at = text.lastIndexOf('@');
  if (at <= 0) return { host: at === 0 ? text.slice(1) : text };
  return { user: text.slice(0, at), host: text.slice(at + 1) };
}

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

export function checkFingerprintFlag(value: string): string {
  if (!FINGERPRINT.test(value)) {
    throw new CftpError('EUSAGE', `--fingerprint: expected SHA256: and 43 base64 characters`);
  }
  return value;
}

/** `--timeout` as client, get, put and tui declare it. */
export const TIMEOUT_FLAG = {
  flags: '--timeout <duration>',
  description:
    'give up any wait on the server after this long: 500ms, 2s, 1m, or seconds (default 60s)',
} as const;

/** commander's parser for `--timeout`: a usage error (exit 2) on a bad duration. */
export function timeoutParser(value: string): number {
  try {
    return parseDuration(value);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}

/** The connect options for `host:port` under these flags; asks for the password if needed. */
export async function securityOptions(
  target: { host: string; port: number; user?: string | undefined },
  flags: SecurityFlags,
  /** Where to say what happens (the TUI passes a no-op: its screen owns the terminal). */
  notify: (text: string) => void = (text) => process.stderr.write(text),
  /** How to get the password (the TUI reads only CFTP_PASSWORD). */
  password: (prompt: string) => Promise<string> = readPassword,
): Promise<Pick<ConnectOptions, 'tls' | 'user' | 'password' | 'timeoutMs'>> {
  const credentials = {
    ...(target.user === undefined
      ? {}
      : {
          user: target.user,
          password: await password(`${target.user}@${target.host}'s password: `),
        }),
    ...(flags.timeout === undefined ? {} : { timeoutMs: flags.timeout }),
  };
  // Asked for explicitly, and the server already warns: no extra line on a script's stderr.
  if (flags.insecurePlaintext === true) return credentials;
  const file = knownHostsPath(flags.knownHosts);
  const key = hostKey(target.host, target.port);
  const pinned =
    flags.fingerprint === undefined
      ? await lookupKnownHost(file, key)
      : checkFingerprintFlag(flags.fingerprint);
  return {
    ...credentials,
    tls: {
      ...(pinned === undefined ? {} : { fingerprint: pinned }),
      // Asked by the engine only after the server's valid welcome (§4.3): a peer that is not
      // a CFTP server is never written here.
      onUnknownHost: async (fingerprint) => {
        await addKnownHost(file, key, fingerprint);
        notify(
          `cftp: first connection to ${key}; its certificate fingerprint is ${fingerprint}.\n` +
            `cftp: pinned in ${file}; a different certificate will be refused from now on.\n`,
        );
        return true;
      },
    },
  };
}

/** Adds where to look when a pinned fingerprint no longer matches. */
export function explainTlsError(error: unknown, flags: SecurityFlags): unknown {
  if (!(error instanceof HostKeyChangedError)) return error;
  const where =
    flags.fingerprint === undefined
      ? `If the change is expected, remove the server's line from ${knownHostsPath(flags.knownHosts)}.`
      : 'It does not match --fingerprint.';
  return new CftpError('ETLS', `${error.message} ${where}`);
}
