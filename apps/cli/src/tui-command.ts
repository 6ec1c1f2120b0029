// `cftp tui [HOST PORT]`: the full-screen terminal UI (@cftp/tui). Registered on the program
// by main.ts. Ink (and chalk inside it) is loaded only when the command runs, after NO_COLOR
// has been turned into FORCE_COLOR=0: chalk decides on colour when it is first imported, and
// it ignores NO_COLOR.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CftpError } from '@cftp/protocol';
import type { SecurityProvider } from '@cftp/tui';
import { type Command, InvalidArgumentError } from 'commander';
import type { SecurityFlags } from './client-security.js';
import { EXIT_USAGE } from './exit-codes.js';
import { splitUser, TIMEOUT_FLAG, timeoutParser } from './flags.js';
import { knownHostsPath } from './identity.js';

interface TuiFlags extends SecurityFlags {
  local: string;
  concurrency: number;
}

/** The TUI's TLS and login (docs/security.md): user and password from the form or user@host. */
function tuiSecurity(flags: SecurityFlags): SecurityProvider {
  return async (typed, port, credentials) => {
    const split = splitUser(typed);
    const host = split.host;
    const user = credentials?.user ?? split.user;
    // The form's password field, else CFTP_PASSWORD: the screen owns the terminal.
    const password = async () => {
      const given = credentials?.password ?? process.env.CFTP_PASSWORD;
      if (given === undefined) {
        throw new CftpError('EAUTH', 'type the password in the connect form, or set CFTP_PASSWORD');
      }
      return given;
    };
    // Loaded here, not at the top: registering the command must not load the client engine.
    const { securityOptions } = await import('./client-security.js');
    return { host, ...(await securityOptions({ host, port, user }, flags, () => {}, password)) };
  };
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) {
    throw new InvalidArgumentError('expected a port number from 1 to 65535');
  }
  return port;
}

function parseConcurrency(value: string): number {
  const count = Number(value);
  if (!/^\d+$/.test(value) || count < 1 || count > 64) {
    throw new InvalidArgumentError('expected a number from 1 to 64');
  }
  return count;
}

/** NO_COLOR (any non-empty value, no-color.org) means no colour: tell chalk before it loads. */
export function applyNoColor(env: NodeJS.ProcessEnv = process.env): void {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') env.FORCE_COLOR = '0';
}

export async function runTuiCommand(
  host: string | undefined,
  port: number | undefined,
  flags: TuiFlags,
): Promise<number> {
  if ((host === undefined) !== (port === undefined)) {
    process.stderr.write('error: give both <host> and <port>, or neither (connect form)\n');
    return EXIT_USAGE;
  }
  const localDir = resolve(flags.local);
  const info = await stat(localDir).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) {
    process.stderr.write(`error: local folder "${localDir}" is not a folder\n`);
    return EXIT_USAGE;
  }
  applyNoColor();
  const { runTui } = await import('@cftp/tui');
  return runTui({
    host,
    port,
    localDir,
    concurrency: flags.concurrency,
    security: tuiSecurity(flags),
    // Named in the changed-certificate message, as the CLI names it (docs/security.md).
    knownHosts: knownHostsPath(flags.knownHosts),
  });
}

/** Adds `cftp tui [host] [port]` to the program. */
export function registerTuiCommand(program: Command): void {
  program
    .command('tui')
    .usage('[[user@]host] [port] [options]')
    .description('full-screen two-pane browser with a transfer queue (no address: connect form)')
    .argument('[host]', 'server address')
    .argument('[port]', 'server port', parsePort)
    .option('--local <dir>', 'local folder to start in', process.cwd())
    .option('--concurrency <n>', 'transfers running at once', parseConcurrency, 2)
    .option(
      '--known-hosts <file>',
      'pinned server fingerprints (default: ~/.config/cftp/known_hosts)',
    )
    .option('--fingerprint <SHA256:...>', 'accept only this server certificate')
    .option('--insecure-plaintext', 'no TLS: only with a server started the same way')
    .option(TIMEOUT_FLAG.flags, TIMEOUT_FLAG.description, timeoutParser)
    .action(async (host: string | undefined, port: number | undefined, flags: TuiFlags) => {
      process.exitCode = await runTuiCommand(host, port, flags);
      // Ink leaves stdin referenced after it unmounts; the work is done, so leave now.
      process.exit();
    });
}
