// The `ftp>` client: reads commands from a terminal (with a prompt) or from piped input
// (like `sftp -b`: each command echoed, stop at the first failure), runs them on the engine.
import { basename, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { type CftpClient, CftpError, type Entry } from '@cftp/client';
import { transferSummary } from './format.js';
import { splitWords, WordsError } from './words.js';

export interface SessionIO {
  input: Readable;
  output: Writable;
  errors: Writable;
  /** A terminal: prompt, keep going after a failed command. Otherwise batch mode. */
  interactive: boolean;
  /** Where `get` saves files. */
  cwd: string;
}

interface Command {
  usage: string;
  help: string;
  minArgs: number;
  maxArgs: number;
  run(client: CftpClient, args: string[], io: SessionIO): Promise<void>;
}

function formatEntry(entry: Entry): string {
  return entry.type === 'dir' ? `${entry.name}/` : entry.name;
}

const COMMANDS: Record<string, Command> = {
  ls: {
    usage: 'ls [path]',
    help: "list the server's folder, folders marked with a trailing /",
    minArgs: 0,
    maxArgs: 1,
    async run(client, args, io) {
      const entries = await client.list(args[0] ?? '');
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      io.output.write(entries.map((e) => `${formatEntry(e)}\n`).join(''));
    },
  },
  get: {
    usage: 'get <file>',
    help: 'download a file into the local current folder',
    minArgs: 1,
    maxArgs: 1,
    async run(client, [remote], io) {
      const name = basename(remote!);
      const result = await client.get(remote!, resolve(io.cwd, name));
      io.output.write(`${transferSummary('get', name, result.bytes, result.durationMs)}\n`);
    },
  },
  put: {
    usage: 'put <path>',
    help: "upload a local file into the server's folder, under its base name",
    minArgs: 1,
    maxArgs: 1,
    async run(client, [local], io) {
      const name = basename(local!);
      const result = await client.put(resolve(io.cwd, local!), name);
      io.output.write(`${transferSummary('put', name, result.bytes, result.durationMs)}\n`);
    },
  },
  help: {
    usage: 'help',
    help: 'list the commands',
    minArgs: 0,
    maxArgs: 0,
    async run(_client, _args, io) {
      const lines = Object.values(COMMANDS).map((c) => `  ${c.usage.padEnd(12)} ${c.help}`);
      io.output.write(`${lines.join('\n')}\n  ${'quit'.padEnd(12)} disconnect and exit\n`);
    },
  },
};

const QUIT = new Set(['quit', 'exit', 'bye']);

/** Runs the command loop until quit or end of input; returns the process exit code. */
export async function runClientSession(client: CftpClient, io: SessionIO): Promise<number> {
  const rl = createInterface({
    input: io.input,
    output: io.interactive ? io.output : undefined,
    terminal: io.interactive,
    prompt: 'ftp> ',
  });
  let lost: CftpError | undefined;
  client.once('close', (error) => {
    if (error !== undefined) {
      lost = error;
      rl.close();
    }
  });
  const fail = (error: unknown) => {
    const code = error instanceof CftpError ? error.code : 'EIO';
    const message = error instanceof Error ? error.message : String(error);
    io.errors.write(`error: ${message} (${code})\n`);
  };

  let exitCode = 0;
  if (io.interactive) rl.prompt();
  for await (const line of rl) {
    if (!io.interactive) io.output.write(`ftp> ${line}\n`);
    let ok = true;
    try {
      const words = splitWords(line);
      const [name, ...args] = words;
      if (name === undefined) {
        // empty line
      } else if (QUIT.has(name)) {
        break;
      } else {
        const command = COMMANDS[name];
        if (command === undefined) {
          throw new CftpError('EUSAGE', `unknown command "${name}"; try "help"`);
        }
        if (args.length < command.minArgs || args.length > command.maxArgs) {
          throw new CftpError('EUSAGE', `usage: ${command.usage}`);
        }
        await command.run(client, args, io);
      }
    } catch (error) {
      ok = false;
      fail(error instanceof WordsError ? new CftpError('EUSAGE', error.message) : error);
    }
    if (lost !== undefined) break;
    if (!ok && !io.interactive) {
      exitCode = 1;
      break;
    }
    if (io.interactive) rl.prompt();
  }
  rl.close();
  if (lost !== undefined) {
    fail(lost);
    return 1;
  }
  await client.quit();
  return exitCode;
}
