// `cftp client HOST PORT [-b FILE | -c "cmd; cmd"] [--json [--progress]]` and the one-shot
// `cftp get HOST:PORT:/path [local]` / `cftp put local HOST:PORT:/path`: choose the input,
// the output form and the progress view, connect, run, and map the outcome to an exit code.
import { createReadStream } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import { type CftpClient, connect } from '@cftp/client';
import { escapeControls } from '@cftp/protocol';
import { parseRemoteAddress, type RemoteAddress } from './address.js';
import { explainTlsError, type SecurityFlags, securityOptions } from './client-security.js';
import {
  createSession,
  type LineSource,
  listLines,
  runClientSession,
  streamLines,
} from './client-session.js';
import { localError, usageError } from './errors.js';
import { EXIT_CONNECT, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, failedExit } from './exit-codes.js';
import { splitUser } from './flags.js';
import { minorGc } from './gc.js';
import { JsonOutput, type Output, TextOutput } from './output.js';
import { JsonProgress, NO_PROGRESS, type ProgressView, TerminalProgress } from './progress.js';
import { remoteFs } from './remote-fs.js';
import { runCommandWords } from './run-command.js';
import { escapeWord, splitCommands, WordsError } from './words.js';

export interface OutputOptions extends SecurityFlags {
  json?: boolean;
  progress?: boolean;
}

export interface ClientCommandOptions extends OutputOptions {
  host: string;
  port: number;
  batch?: string;
  commands?: string;
}

export function makeOutput(options: OutputOptions, echo: boolean): Output {
  return options.json
    ? new JsonOutput(process.stdout, process.stderr)
    : new TextOutput(process.stdout, process.stderr, echo);
}

export function makeProgress(options: OutputOptions, output: Output): ProgressView {
  if (options.json) return options.progress ? new JsonProgress(output) : NO_PROGRESS;
  return process.stderr.isTTY ? new TerminalProgress(process.stderr) : NO_PROGRESS;
}

/**
 * `connected to cftp/1.2.0 at 127.0.0.1:2121 over TLS` and `server certificate SHA256:…`:
 * whom the prompt talks to, each line within 80 columns. The agent is the server's own
 * word, so it is escaped (docs/protocol.md §9.1).
 */
export function bannerLines(
  client: Pick<CftpClient, 'host' | 'port' | 'fingerprint' | 'server'>,
): string[] {
  const agent = escapeControls(client.server?.agent ?? 'a CFTP server');
  const host = client.host.includes(':') ? `[${client.host}]` : client.host;
  const where = `connected to ${agent} at ${host}:${client.port}`;
  return client.fingerprint === undefined
    ? [`${where} in plaintext (no TLS)`]
    : [`${where} over TLS`, `server certificate ${client.fingerprint}`];
}

/** Connects (TLS, login: docs/security.md), or reports why not (exit 3). */
export async function connectOrReport(
  hostText: string,
  port: number,
  flags: SecurityFlags,
  output: Output,
): Promise<CftpClient | undefined> {
  const { user, host } = splitUser(hostText);
  try {
    const client = await connect({
      host,
      port,
      collectGarbage: minorGc(),
      ...(flags.digest === undefined ? {} : { digest: flags.digest }),
      ...(await securityOptions({ host, port, user }, flags)),
    });
    // Entries left out of a listing (docs/protocol.md §6.1): said, and the command goes on.
    client.on('warning', (warning) => output.warning(warning));
    return client;
  } catch (error) {
    output.failure('connect', explainTlsError(error, flags));
    return undefined;
  }
}

export async function runClientCommand(options: ClientCommandOptions): Promise<number> {
  const interactive =
    options.batch === undefined && options.commands === undefined && process.stdin.isTTY === true;
  const output = makeOutput(options, !interactive);
  if (options.batch !== undefined && options.commands !== undefined) {
    output.failure('client', usageError('-b and -c cannot be used together'));
    return EXIT_USAGE;
  }
  if (options.progress && !options.json) {
    output.failure(
      'client',
      usageError('--progress goes with --json (a terminal shows progress anyway)'),
    );
    return EXIT_USAGE;
  }
  let batch: LineSource | undefined;
  if (options.commands !== undefined) {
    try {
      batch = listLines(splitCommands(options.commands));
    } catch (error) {
      output.failure('client', error instanceof WordsError ? usageError(error.message) : error);
      return EXIT_USAGE;
    }
  } else if (options.batch !== undefined && options.batch !== '-') {
    const file = options.batch;
    // Checked before connecting: a typo in a file name should not cost a session.
    const readable = await access(file, constants.R_OK).then(
      () => true,
      (error: unknown) => {
        output.failure('client', localError(error, file));
        return false;
      },
    );
    if (!readable) return EXIT_USAGE;
    batch = streamLines(createReadStream(file));
  } else if (!interactive) {
    batch = streamLines(process.stdin);
  }

  const client = await connectOrReport(options.host, options.port, options, output);
  if (client === undefined) {
    batch?.close();
    return EXIT_CONNECT;
  }
  // For the person at the prompt only, and on stderr: scripts (-b, -c, piped input, --json)
  // parse stdout and get no banner.
  if (interactive) process.stderr.write(`${bannerLines(client).join('\n')}\n`);
  return runClientSession({
    client,
    fs: remoteFs(client),
    output,
    progress: makeProgress(options, output),
    cwd: process.cwd(),
    input:
      batch === undefined
        ? {
            terminal: {
              input: process.stdin,
              output: options.json ? process.stderr : process.stdout,
            },
          }
        : { batch },
  });
}

export interface OneShotOptions extends OutputOptions {
  recursive?: boolean;
  continue?: boolean;
  preserve?: boolean;
  /** false: `-n`, never overwrite (commander's `--no-clobber`). */
  clobber?: boolean;
  /** `-L`: copy what symlinks lead to. */
  followLinks?: boolean;
  /** `-l`: recreate symlinks as links. */
  links?: boolean;
}

/** `cftp get HOST:PORT:/path [local]` (verb get) or `cftp put local HOST:PORT:/path`. */
export async function runOneShot(
  verb: 'get' | 'put',
  addressText: string,
  local: string | undefined,
  options: OneShotOptions,
): Promise<number> {
  const output = makeOutput(options, false);
  let address: RemoteAddress;
  const { user, host: rest } = splitUser(addressText.split('/')[0]!);
  try {
    address = parseRemoteAddress(rest + addressText.slice(addressText.split('/')[0]!.length));
  } catch (error) {
    output.failure(verb, error);
    return EXIT_USAGE;
  }
  if (options.progress && !options.json) {
    output.failure(verb, usageError('--progress goes with --json'));
    return EXIT_USAGE;
  }
  const client = await connectOrReport(
    user === undefined ? address.host : `${user}@${address.host}`,
    address.port,
    options,
    output,
  );
  if (client === undefined) return EXIT_CONNECT;
  const session = createSession(remoteFs(client), makeProgress(options, output), process.cwd());
  const flags = [
    ...(options.recursive ? ['-r'] : []),
    ...(options.continue ? ['-c'] : []),
    ...(options.preserve ? ['-p'] : []),
    ...(options.clobber === false ? ['-n'] : []),
    ...(options.followLinks ? ['-L'] : []),
    ...(options.links ? ['-l'] : []),
  ];
  const operands =
    verb === 'get'
      ? [address.path, ...(local === undefined ? [] : [local])]
      : [local ?? '', address.path];
  // A stopped download is resumed by this same command with -c (partial-notice.ts).
  session.resumeCommand = [
    'cftp',
    verb,
    ...new Set(['-c', ...flags]),
    ...(verb === 'get'
      ? [addressText, ...(local === undefined ? [] : [local])]
      : [local ?? '', addressText]),
  ]
    .map(escapeWord)
    .join(' ');
  const controller = new AbortController();
  // Ctrl-C (SIGINT) cancels the transfer, so that what it leaves is said (a kept partial);
  // a second one ends the process at once (the listener is gone by then).
  const interrupt = () => controller.abort();
  process.once('SIGINT', interrupt);
  const run = await runCommandWords(
    session,
    output,
    [verb, ...flags, '--', ...operands],
    controller.signal,
  ).finally(() => process.off('SIGINT', interrupt));
  await client.quit();
  if (controller.signal.aborted) return EXIT_INTERRUPTED;
  return run.ok ? EXIT_OK : failedExit(run.code);
}
