// The client side of docs/security.md for every command that connects: `user@` and the
// password, TLS with the server's fingerprint pinned in known_hosts on first use (SSH's
// model), or plaintext with --insecure-plaintext; and `--timeout`, the client's bound on
// every wait (docs/protocol.md §5.4).
import { type ConnectOptions, HostKeyChangedError } from '@cftp/client';
import { CftpError } from '@cftp/protocol';
import { checkFingerprintFlag } from './flags.js';
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
