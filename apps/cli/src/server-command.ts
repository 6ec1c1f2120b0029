// `cftp server <PORT>`: serve a folder until SIGINT/SIGTERM, logging one JSON line per
// session event and per operation to stderr (pino); the start line goes to stdout.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { escapeControls } from '@cftp/protocol';
import { createServer } from '@cftp/server';
import { pino } from 'pino';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { minorGc } from './gc.js';
import { loadIdentity, loadOrCreateIdentity, type ServerIdentity, stateDir } from './identity.js';
import { type MetricsEndpoint, startMetricsEndpoint } from './metrics.js';
import type { MetricsAddress } from './metrics-address.js';
import { engineOptions, type ServerLimitFlags } from './server-options.js';
import { readUsersFile, usersAuthenticate } from './users.js';

export interface ServerCommandOptions extends ServerLimitFlags {
  port: number;
  root: string;
  host?: string;
  quiet?: boolean;
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

export async function runServer(options: ServerCommandOptions): Promise<number> {
  const root = resolve(options.root);
  const info = await stat(root).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) {
    const code = info === undefined ? 'ENOENT' : 'ENOTDIR';
    process.stderr.write(`error: root "${root}" is not a folder (${code})\n`);
    return EXIT_USAGE;
  }
  const log = pino(
    { level: options.quiet ? 'warn' : 'info', base: undefined },
    pino.destination(2),
  );
  let identity: ServerIdentity | undefined;
  let authenticate: Awaited<ReturnType<typeof usersAuthenticate>> | undefined;
  try {
    identity = await serverIdentity(options);
    if (options.users !== undefined) {
      authenticate = await usersAuthenticate(await readUsersFile(options.users), root);
    }
  } catch (error) {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_USAGE;
  }
  const server = createServer({
    ...engineOptions(options),
    root,
    host: options.host,
    collectGarbage: minorGc(),
    ...(identity === undefined ? {} : { tls: { key: identity.key, cert: identity.cert } }),
    ...(authenticate === undefined ? {} : { authenticate }),
  });
  server.on('login', (s) =>
    log.info({ session: s.id, peer: s.remoteAddress, user: s.user }, 'login'),
  );
  server.on('loginFailed', (f) =>
    log.warn(
      { session: f.session.id, peer: f.session.remoteAddress, user: f.user, blocked: f.blocked },
      'login failed',
    ),
  );
  server.on('tlsError', (f) =>
    log.warn({ peer: f.remoteAddress, error: f.message }, 'TLS handshake failed'),
  );
  server.on('session', (s) =>
    log.info({ session: s.id, peer: s.remoteAddress, port: s.remotePort }, 'session open'),
  );
  server.on('sessionClose', (s, reason) =>
    log.info({ session: s.id, peer: s.remoteAddress, reason }, 'session close'),
  );
  server.on('refused', (c) =>
    log.warn({ peer: c.remoteAddress, port: c.remotePort, reason: c.reason }, 'session refused'),
  );
  server.on('sweep', (result) =>
    log.info({ ...result, ms: Math.round(result.durationMs) }, 'sweep'),
  );
  server.on('operation', (e) =>
    log.info(
      {
        session: e.session.id,
        peer: e.session.remoteAddress,
        op: e.operation,
        path: e.path,
        bytes: e.bytes,
        ms: Math.round(e.durationMs),
        outcome: e.outcome,
      },
      e.operation,
    ),
  );
  server.on('listingSkipped', (e) =>
    log.warn(
      { session: e.session.id, peer: e.session.remoteAddress, path: e.path, skipped: e.skipped },
      // The line of docs/protocol.md §13.6; the path is escaped (§9.1).
      `list "${escapeControls(e.path)}": ${e.skipped === 1 ? '1 entry left out, its name' : `${e.skipped} entries left out, their names`} cannot be carried`,
    ),
  );
  server.on('error', (error) => log.error({ err: error }, 'server error'));

  // Bound before the CFTP port, so a taken metrics port fails the start, not a scrape later.
  let metrics: MetricsEndpoint | undefined;
  if (options.metrics !== undefined) {
    const { host, port } = options.metrics;
    try {
      metrics = await startMetricsEndpoint(server, options.metrics);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
      process.stderr.write(`error: cannot serve metrics on ${host}:${port}: ${code} (${code})\n`);
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
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    process.stderr.write(`error: cannot listen on port ${options.port}: ${code} (${code})\n`);
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
