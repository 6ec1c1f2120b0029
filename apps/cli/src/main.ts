#!/usr/bin/env node
// The `cftp` command: thin argument parsing (commander) over the engines. Exit codes are in
// exit-codes.ts and the README.
import { Command, InvalidArgumentError } from 'commander';
import { runClientCommand, runOneShot } from './client-command.js';
import { EXIT_USAGE } from './exit-codes.js';
import { runServer, type ServerCommandOptions } from './server-command.js';
import { addServerOptions } from './server-options.js';
import { registerTuiCommand } from './tui-command.js';

function portParser(min: number): (value: string) => number {
  return (value) => {
    const port = Number(value);
    if (!/^\d+$/.test(value) || port < min || port > 65535) {
      throw new InvalidArgumentError(`expected a port number from ${min} to 65535`);
    }
    return port;
  };
}

const program = new Command('cftp')
  .description('CFTP: verified, atomic, resumable file transfer. See README.md.')
  .version('0.1.0')
  .showHelpAfterError()
  // Each command's own usage line (so `client <host> <port> [options]` reads naturally).
  .configureHelp({ subcommandTerm: (cmd) => `${cmd.name()} ${cmd.usage()}` })
  .exitOverride((error) => {
    // commander exits 1 on usage errors; CFTP documents 2 for them.
    process.exit(error.exitCode === 0 ? 0 : EXIT_USAGE);
  });

addServerOptions(
  program
    .command('server')
    .description('serve a folder to any number of clients')
    .argument('<port>', 'TCP port to listen on (0 picks a free one)', portParser(0))
    .option('--root <dir>', 'folder to serve', process.cwd())
    .option('--host <addr>', 'address to bind (default: all interfaces)')
    .option('--quiet', 'log only warnings and errors'),
).action(async (port: number, opts: Omit<ServerCommandOptions, 'port'>) => {
  process.exitCode = await runServer({ port, ...opts });
  process.exit();
});

program
  .command('client')
  .usage('<host> <port> [options]')
  .description('connect and open the ftp> prompt (reads commands from stdin when piped)')
  .argument('<host>', 'server address')
  .argument('<port>', 'server port', portParser(1))
  .option('-b, --batch <file>', 'run the commands in FILE, like sftp -b ("-": stdin)')
  .option('-c, --commands <commands>', 'run these ";"-separated commands')
  .option('--json', 'print one JSON object per command result on stdout')
  .option('--progress', 'with --json: also print progress events as JSON lines')
  .action(
    async (
      host: string,
      port: number,
      opts: { batch?: string; commands?: string; json?: boolean; progress?: boolean },
    ) => {
      process.exitCode = await runClientCommand({ host, port, ...opts });
    },
  );

interface OneShotFlags {
  recursive?: boolean;
  continue?: boolean;
  json?: boolean;
  progress?: boolean;
}

function oneShot(name: 'get' | 'put'): Command {
  return program
    .command(name)
    .option('-r, --recursive', 'copy a folder tree')
    .option('-c, --continue', 'continue an interrupted transfer')
    .option('--json', 'print the result as one JSON object')
    .option('--progress', 'with --json: also print progress events as JSON lines');
}

oneShot('get')
  .usage('[options] <host:port:/path> [local]')
  .description('download one file or tree and exit')
  .argument('<source>', 'server and path: HOST:PORT:/path ([::1]:2121:/path for IPv6)')
  .argument('[local]', 'local file or folder (default: the current folder)')
  .action(async (source: string, local: string | undefined, opts: OneShotFlags) => {
    process.exitCode = await runOneShot('get', source, local, opts);
  });

oneShot('put')
  .usage('[options] <local> <host:port:/path>')
  .description('upload one file or tree and exit')
  .argument('<local>', 'local file or folder')
  .argument('<target>', 'server and path: HOST:PORT:/path (a folder: HOST:PORT:/dir/)')
  .action(async (local: string, target: string, opts: OneShotFlags) => {
    process.exitCode = await runOneShot('put', target, local, opts);
  });

registerTuiCommand(program);

await program.parseAsync();
