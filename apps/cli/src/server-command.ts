// `cftp server <PORT>`: serve a folder until SIGINT/SIGTERM, logging each session event and
// operation to stderr (server-log.ts: JSON lines, or human lines on a terminal); the start
// line goes to stdout.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createServer } from '@cftp/server';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { minorGc } from './gc.js';
import { loadIdentity, loadOrCreateIdentity, type ServerIdentity, stateDir } from './identity.js';
import type { MetricsEndpoint } from './metrics.js';
import type { MetricsAddress } from './metrics-address.js';
import { createServerLog, type LogFormat } from './server-log.js';
import { logServerEvents } from './server-log-events.js';
import { engineOptions, type ServerLimitFlags } from './server-options.js';
import { openStorage, type StorageFlags } from './server-storage.js';
import { readUsersFile, usersAuthenticate } from './users.js';

export interface ServerCommandOptions extends ServerLimitFlags, StorageFlags {
  port: number;
  root: string;
  host?: string;
  quiet?: boolean;
  /** `--log-format`: pretty lines on a terminal, JSON lines elsewhere (server-log.ts). */
  logFormat?: LogFormat;
  /** Accounts file (docs/security.md); without it anyone may connect. */
  users?: string;
  /** State folder for the generated key and certificate. */
  state?: string;
  cert?: string;
  key?: string;
  insecurePlaintext?: boolean;
  /** `--metrics HOST:PORT`: Prometheus metrics and health over HTTP (metrics.ts). */
  metrics?: MetricsAddress;
}

/** The TLS identity to serve with, or undefined in plaintext mode (docs/security.md). */
async function serverIdentity(options: ServerCommandOptions): Promise<ServerIdentity | undefined> {
  if (options.insecurePlaintext === true) return undefined;
  if ((options.cert === undefined) !== (options.key === undefined)) {
    throw new Error('give both --cert and --key, or neither');
  }
  if (options.cert !== undefined && options.key !== undefined) {
    return loadIdentity(options.cert, options.key);
  }
  return loadOrCreateIdentity(stateDir(options.state));
}

/** Why a port could not be bound, in words with the code once: `address already in use (EADDRINUSE)`. */
function bindError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const words = code === undefined ? undefined : BIND_ERROR_WORDS[code];
  if (words !== undefined) return `${words} (${code})`;
  const message = error instanceof Error ? error.message : String(error);
  return code === undefined || message.includes(code) ? message : `${message} (${code})`;
}

const BIND_ERROR_WORDS: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'no such address on this machine',
  ENOTFOUND: 'no such host',
};

export async function runServer(options: ServerCommandOptions): Promise<number> {
  // --storage replaces --root: the served root is then the bucket's prefix.
  const root = options.storage ?? resolve(options.root);
  const info = options.storage !== undefined ? undefined : await stat(root).catch(() => undefined);
  if (options.storage === undefined && (info === undefined || !info.isDirectory())) {
    const code = info === undefined ? 'ENOENT' : 'ENOTDIR';
    process.stderr.write(`error: root "${root}" is not a folder (${code})\n`);
    return EXIT_USAGE;
  }
  let storage: Awaited<ReturnType<typeof openStorage>>;
  try {
    storage = await openStorage(options, options.umask);
  } catch (error) {
    process.stderr.write(
      `error: cannot serve ${options.storage}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return EXIT_FAILED;
  }
  const log = createServerLog({
    format: options.logFormat ?? 'auto',
    quiet: options.quiet === true,
  });
  let identity: ServerIdentity | undefined;
  let authenticate: Awaited<ReturnType<typeof usersAuthenticate>> | undefined;
  try {
    identity = await serverIdentity(options);
    if (options.users !== undefined) {
      const users = await readUsersFile(options.users);
      // A user's own root is a local folder: over a bucket it would silently serve the disk.
      const rooted = Object.keys(users.users).filter((name) => users.users[name]?.root);
      if (options.storage !== undefined && rooted.length > 0) {
        throw new Error(
          `user "${rooted[0]}" has its own "root", which --storage does not support: every account sees the bucket`,
        );
      }
      authenticate = await usersAuthenticate(users, root);
    }
  } catch (error) {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_USAGE;
  }
  const server = createServer({
    ...engineOptions(options),
    ...(storage === undefined ? { root } : { storage }),
    host: options.host,
    collectGarbage: minorGc(),
    ...(identity === undefined ? {} : { tls: { key: identity.key, cert: identity.cert } }),
    ...(authenticate === undefined ? {} : { authenticate }),
  });
  logServerEvents(server, log);

  // Bound before the CFTP port, so a taken metrics port fails the start, not a scrape later.
  let metrics: MetricsEndpoint | undefined;
  if (options.metrics !== undefined) {
    const { host, port } = options.metrics;
    try {
      // prom-client is loaded only when metrics are asked for (start-up time).
      const { startMetricsEndpoint } = await import('./metrics.js');
      metrics = await startMetricsEndpoint(server, options.metrics);
    } catch (error) {
      process.stderr.write(`error: cannot serve metrics on ${host}:${port}: ${bindError(error)}\n`);
      return 1;
    }
  }

  // Signal handlers go in before the start line: whoever reads that line may signal at once.
  let stopping = false;
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => {
    resolveExit = resolve;
  });
  const stop = (signal: string) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      resolveExit(EXIT_FAILED);
      return;
    }
    stopping = true;
    metrics?.stopping();
    log.info({ signal }, 'shutting down: finishing transfers in flight');
    server.close().then(async () => {
      await metrics?.close();
      resolveExit(EXIT_OK);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  let address: Awaited<ReturnType<typeof server.listen>>;
  try {
    address = await server.listen(options.port, options.host);
  } catch (error) {
    process.stderr.write(`error: cannot listen on port ${options.port}: ${bindError(error)}\n`);
    return EXIT_FAILED;
  }
  const where =
    address.family === 'IPv6'
      ? `[${address.address}]:${address.port}`
      : `${address.address}:${address.port}`;
  const all = options.host === undefined ? ' (all interfaces)' : '';
  if (authenticate === undefined) {
    process.stderr.write(
      `WARNING: no --users file: anyone who can reach ${where} may read and write ${root}${options.readOnly ? ' (read-only)' : ''}\n`,
    );
  }
  if (identity === undefined) {
    process.stderr.write(
      'WARNING: --insecure-plaintext: commands, passwords and files cross the network unencrypted\n',
    );
  }
  // stdout carries exactly one line (the original design's contract, read by scripts);
  // the fingerprint goes with the other notices to stderr.
  if (identity !== undefined) {
    process.stderr.write(
      `cftp server fingerprint ${identity.fingerprint}${identity.created ? ' (new key)' : ''}\n`,
    );
  }
  if (metrics !== undefined) {
    metrics.serving();
    process.stderr.write(`cftp server metrics on ${metrics.url} (health: /healthz)\n`);
  }
  process.stdout.write(`cftp server listening on ${where}${all}, root ${root}\n`);

  return exited;
}
