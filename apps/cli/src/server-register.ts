// `cftp server` with its flags and its `adduser` / `passwd` subcommands, registered on the
// program by main.ts only when the command line may be asking for them: these modules load
// @cftp/server (its defaults, the accounts' hooks), which a client command never needs.
import { type Command, InvalidArgumentError } from 'commander';
import { EXIT_FAILED } from './exit-codes.js';
import { readPassword } from './secrets.js';
import type { ServerCommandOptions } from './server-command.js';
import { addServerOptions } from './server-options.js';
import { addStorageOptions } from './server-storage.js';
import { addUser, PERMISSIONS, type Permission, setPassword } from './users.js';

function permissionsParser(value: string): Permission[] {
  const list = value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  for (const p of list) {
    if (!(PERMISSIONS as readonly string[]).includes(p)) {
      throw new InvalidArgumentError(`unknown permission "${p}" (${PERMISSIONS.join(', ')})`);
    }
  }
  return list as Permission[];
}

async function userFileCommand(what: () => Promise<void>): Promise<void> {
  try {
    await what();
  } catch (error) {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT_FAILED;
  }
}

/** Adds `cftp server PORT` (and adduser, passwd) to the program. */
export function registerServerCommand(
  program: Command,
  portParser: (value: string) => number,
): void {
  const server = addStorageOptions(
    addServerOptions(
      program
        .command('server')
        .usage('[options] <port>')
        .description('serve a folder to any number of clients (adduser, passwd: accounts)')
        .argument('<port>', 'TCP port to listen on (0 picks a free one)', portParser)
        .option('--root <dir>', 'folder to serve', process.cwd())
        .option('--host <addr>', 'address to bind (default: all interfaces)')
        .option('--quiet', 'log only warnings and errors')
        .option('--users <file>', 'accounts file (JSON, see docs/security.md): log in required')
        .option('--state <dir>', 'where the key and certificate live (default: ~/.config/cftp)')
        .option('--cert <file>', 'TLS certificate (PEM) instead of the generated one')
        .option('--key <file>', 'TLS private key (PEM) for --cert')
        .option('--insecure-plaintext', 'no TLS: only for clients started the same way'),
    ),
  ).action(async (port: number, opts: Omit<ServerCommandOptions, 'port'>) => {
    const { runServer } = await import('./server-command.js');
    process.exitCode = await runServer({ port, ...opts });
    process.exit();
  });

  server
    .command('adduser')
    .description('add an account to a users file (password from CFTP_PASSWORD or the terminal)')
    .argument('<file>', 'users file (created if missing)')
    .argument('<name>', 'user name')
    .option('--user-root <dir>', "the user's folder: absolute, or relative to the server's --root")
    .option(
      '--permissions <list>',
      `comma-separated: ${PERMISSIONS.join(', ')}`,
      permissionsParser,
      [...PERMISSIONS],
    )
    .action((file: string, name: string, opts: { userRoot?: string; permissions: Permission[] }) =>
      userFileCommand(async () => {
        const password = await readPassword(`password for ${name}: `);
        await addUser(file, name, password, {
          ...(opts.userRoot === undefined ? {} : { root: opts.userRoot }),
          permissions: opts.permissions,
        });
        process.stdout.write(`added ${name} to ${file}\n`);
      }),
    );

  server
    .command('passwd')
    .description("change an account's password in a users file")
    .argument('<file>', 'users file')
    .argument('<name>', 'user name')
    .action((file: string, name: string) =>
      userFileCommand(async () => {
        await setPassword(file, name, await readPassword(`new password for ${name}: `));
        process.stdout.write(`changed the password of ${name} in ${file}\n`);
      }),
    );
}
