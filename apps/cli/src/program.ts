// The `cftp` command (loaded by main.ts once the Node it runs on is known to be new enough):
// thin argument parsing (commander) over the engines. Exit codes are in
// exit-codes.ts and the README. Each command's implementation is imported when it runs, so
// that a client command does not load the server's modules (and the reverse): start-up time
// is paid by every one-shot command and every test that spawns one.
import { Command, InvalidArgumentError, Option } from 'commander';
import type { ClientCommandOptions, OneShotOptions } from './client-command.js';
import { EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { checkFingerprintFlag, TIMEOUT_FLAG, timeoutParser } from './flags.js';
import { youngGenerationGrows } from './gc.js';
import { registerTuiCommand } from './tui-command.js';
import { packageVersion } from './version.js';

/** First words that never need the server's modules (see the `server` command below). */
const CLIENT_COMMANDS = new Set(['client', 'get', 'put', 'sync', 'tui', '--version', '-V']);

function portParser(min: number): (value: string) => number {
  return (value) => {
    const port = Number(value);
    if (!/^\d+$/.test(value) || port < min || port > 65535) {
      throw new InvalidArgumentError(`expected a port number from ${min} to 65535`);
    }
    return port;
  };
}

function fingerprintParser(value: string): string {
  try {
    return checkFingerprintFlag(value);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}

/**
 * The TLS and trust flags of every command that connects (docs/security.md), and the
 * client's bound on every wait (docs/protocol.md §5.4).
 */
function addSecurityFlags(command: Command): Command {
  return command
    .option(TIMEOUT_FLAG.flags, TIMEOUT_FLAG.description, timeoutParser)
    .option(
      '--known-hosts <file>',
      'pinned server fingerprints (default: ~/.config/cftp/known_hosts)',
    )
    .option('--fingerprint <SHA256:...>', 'accept only this server certificate', fingerprintParser)
    .option('--insecure-plaintext', 'no TLS: only with a server started the same way')
    .addOption(
      new Option('--digest <algorithm>', 'sha256: never offer BLAKE3 to the server (§7.1)')
        .choices(['blake3', 'sha256'])
        .default('blake3'),
    );
}

const program = new Command('cftp')
  .description('CFTP: verified, atomic, resumable file transfer. See README.md.')
  .version(packageVersion())
  .showHelpAfterError()
  // Each command's own usage line (so `client <host> <port> [options]` reads naturally).
  .configureHelp({ subcommandTerm: (cmd) => `${cmd.name()} ${cmd.usage()}` })
  .exitOverride((error) => {
    // commander exits 1 on usage errors; CFTP documents 2 for them.
    process.exit(error.exitCode === 0 ? EXIT_OK : EXIT_USAGE);
  });

// Before the server's modules load and its heap grows (gc.ts; S3 storage turns it back on).
if (process.argv[2] === 'server') youngGenerationGrows(false);

// The server's flags need @cftp/server (its defaults) and the accounts code: loaded only when
// the command may be `server` (or help, or a mistake commander must name), not for a client
// command, which would otherwise pay about 23 modules of start-up for nothing.
if (!CLIENT_COMMANDS.has(process.argv[2] ?? '')) {
  const { registerServerCommand } = await import('./server-register.js');
  registerServerCommand(program, portParser(0));
}

addSecurityFlags(program.command('client'))
  .usage('[user@]<host> <port> [options]')
  .description('connect and open the ftp> prompt (reads commands from stdin when piped)')
  .argument('<host>', 'server address, with user@ to log in (password: CFTP_PASSWORD or asked)')
  .argument('<port>', 'server port', portParser(1))
  .option('-b, --batch <file>', 'run the commands in FILE, like sftp -b ("-": stdin)')
  .option('-c, --commands <commands>', 'run these ";"-separated commands')
  .option('--json', 'print one JSON object per command result on stdout')
  .option('--progress', 'with --json: also print progress events as JSON lines')
  .action(async (host: string, port: number, opts: Omit<ClientCommandOptions, 'host' | 'port'>) => {
    const { runClientCommand } = await import('./client-command.js');
    process.exitCode = await runClientCommand({ host, port, ...opts });
  });

/** The flags of `get` and `put` as commander hands them over (client-command.ts's options). */
type OneShotFlags = OneShotOptions;

function oneShot(name: 'get' | 'put'): Command {
  return addSecurityFlags(program.command(name))
    .option('-r, --recursive', 'copy a folder tree')
    .option('-c, --continue', 'continue an interrupted transfer')
    .option('-p, --preserve', "give each file exactly its source's mode (as scp -p)")
    .option('-n, --no-clobber', 'never overwrite: an existing target is left alone')
    .option('-L, --follow-links', 'with -r: copy what symlinks lead to (loops skipped)')
    .option('-l, --links', 'with -r: recreate symlinks as links (those inside the tree)')
    .option('--json', 'print the result as one JSON object')
    .option('--progress', 'with --json: also print progress events as JSON lines');
}

oneShot('get')
  .usage('[options] <[user@]host:port:/path> [local]')
  .description('download one file or tree and exit')
  .argument('<source>', 'server and path: HOST:PORT:/path ([::1]:2121:/path for IPv6)')
  .argument('[local]', 'local file or folder (default: the current folder)')
  .action(async (source: string, local: string | undefined, opts: OneShotFlags) => {
    const { runOneShot } = await import('./client-command.js');
    process.exitCode = await runOneShot('get', source, local, opts);
  });

oneShot('put')
  .usage('[options] <local> <[user@]host:port:/path>')
  .description('upload one file or tree and exit')
  .argument('<local>', 'local file or folder')
  .argument('<target>', 'server and path: HOST:PORT:/path (a folder: HOST:PORT:/dir/)')
  .action(async (local: string, target: string, opts: OneShotFlags) => {
    const { runOneShot } = await import('./client-command.js');
    process.exitCode = await runOneShot('put', target, local, opts);
  });

addSecurityFlags(program.command('sync'))
  .usage('[options] <src> <dst>')
  .description(
    'make <dst> like <src> (one of them [user@]HOST:PORT:/path); moves only what changed. ' +
      'Options: --delete --dry-run --checksum --exclude GLOB --include GLOB -v -n -p ' +
      '-L/--follow-links -l/--links (docs/cli.md)',
  )
  .option('--json', 'print one JSON object per action, then the result')
  .option('--progress', 'with --json: also print progress events as JSON lines')
  // Its own options (--exclude/--include in order) are parsed by sync-args.ts.
  .allowUnknownOption()
  .argument('<words...>', 'sync options and the two sides')
  .action(async (words: string[], opts: OneShotFlags) => {
    const { runSyncOneShot } = await import('./sync-oneshot.js');
    process.exitCode = await runSyncOneShot(words, opts);
  });

registerTuiCommand(program);

await program.parseAsync();
