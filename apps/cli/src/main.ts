#!/usr/bin/env node
// The `cftp` command: thin argument parsing (commander) over the engines.
import { connect } from '@cftp/client';
import { CftpError } from '@cftp/protocol';
import { Command, InvalidArgumentError } from 'commander';
import { runClientSession } from './client-session.js';
import { runServer } from './server-command.js';

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
  .description('CFTP: verified, atomic file transfer. See README.md.')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride((error) => {
    // commander exits 1 on usage errors; CFTP documents 2 for them.
    process.exit(error.exitCode === 0 ? 0 : 2);
  });

program
  .command('server')
  .description('serve a folder to any number of clients')
  .argument('<port>', 'TCP port to listen on (0 picks a free one)', portParser(0))
  .option('--root <dir>', 'folder to serve', process.cwd())
  .option('--host <addr>', 'address to bind (default: all interfaces)')
  .option('--quiet', 'log only warnings and errors')
  .action(async (port: number, opts: { root: string; host?: string; quiet?: boolean }) => {
    process.exitCode = await runServer({ port, ...opts });
    process.exit();
  });

program
  .command('client')
  .description('connect and open the ftp> prompt (reads commands from stdin when piped)')
  .argument('<host>', 'server address')
  .argument('<port>', 'server port', portParser(1))
  .action(async (host: string, port: number) => {
    let client: Awaited<ReturnType<typeof connect>>;
    try {
      client = await connect({ host, port });
    } catch (error) {
      const code = error instanceof CftpError ? error.code : 'ECONNECTION';
      process.stderr.write(`error: ${error instanceof Error ? error.message : error} (${code})\n`);
      process.exit(3);
    }
    const code = await runClientSession(client, {
      input: process.stdin,
      output: process.stdout,
      errors: process.stderr,
      interactive: process.stdin.isTTY === true,
      cwd: process.cwd(),
    });
    process.exitCode = code;
  });

await program.parseAsync();
