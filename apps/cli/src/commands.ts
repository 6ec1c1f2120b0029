// The `ftp>` commands in one table: names, usage, one-line help, options and argument counts
// (checked before a command runs: EUSAGE), what tab completion offers for each argument, and
// the function that runs it.
import { parseArgs } from 'node:util';
import type { Call } from './context.js';
import { usageError } from './errors.js';
import { lcd, lls, lpwd } from './local-commands.js';
import { type CommandOutcome, outcome } from './output.js';
import {
  cd,
  ls,
  mkdirCommand,
  pwd,
  rename,
  rm,
  rmdirCommand,
  statCommand,
} from './remote-commands.js';
import { get, mget, mput, put } from './transfer-commands.js';

/** What tab completion offers for an argument. */
export type Completion = 'remote' | 'local' | 'command' | 'none';

export interface Flag {
  /** `-r` → `recursive`: the key in `Call.flags`. */
  long: string;
  short: string;
  help: string;
}

export interface CommandSpec {
  name: string;
  aliases: readonly string[];
  usage: string;
  help: string;
  flags: readonly Flag[];
  minArgs: number;
  maxArgs: number;
  /** Per argument position; the last one repeats. */
  complete: readonly Completion[];
  /** Changes the server's tree: the completion cache is cleared after it. */
  changesRemote: boolean;
  /** Ends the session (after a successful run). */
  ends: boolean;
  run(call: Call): Promise<CommandOutcome>;
}

const RECURSIVE: Flag = { long: 'recursive', short: 'r', help: 'copy a folder tree' };
const CONTINUE: Flag = {
  long: 'continue',
  short: 'c',
  help: 'continue an interrupted transfer',
};
const PRESERVE: Flag = {
  long: 'preserve',
  short: 'p',
  help: "give each file exactly its source's mode (as scp -p)",
};
const LONG: Flag = { long: 'long', short: 'l', help: 'type, size and modification time' };

const MANY = Number.POSITIVE_INFINITY;

function command(
  spec: Pick<CommandSpec, 'name' | 'usage' | 'help' | 'run'> & Partial<CommandSpec>,
): CommandSpec {
  return {
    aliases: [],
    flags: [],
    minArgs: 0,
    maxArgs: 0,
    complete: ['none'],
    changesRemote: false,
    ends: false,
    ...spec,
  };
}

const quit = async () => outcome({});

export const COMMANDS: readonly CommandSpec[] = [
  command({
    name: 'ls',
    usage: 'ls [-l] [path]',
    help: "list a server folder (or a file, or a pattern's matches); -l: type, size, time",
    flags: [LONG],
    maxArgs: 1,
    complete: ['remote'],
    run: ls,
  }),
  command({
    name: 'cd',
    usage: 'cd [path]',
    help: 'change the current server folder (no path: the root; -: the previous one)',
    maxArgs: 1,
    complete: ['remote'],
    run: cd,
  }),
  command({ name: 'pwd', usage: 'pwd', help: 'print the current server folder', run: pwd }),
  command({
    name: 'get',
    usage: 'get [-r] [-c] [-p] <remote> [local]',
    help: 'download a file (-r: a folder tree) into the local folder or to [local]',
    flags: [RECURSIVE, CONTINUE, PRESERVE],
    minArgs: 1,
    maxArgs: 2,
    complete: ['remote', 'local'],
    run: get,
  }),
  command({
    name: 'put',
    usage: 'put [-r] [-c] [-p] <local> [remote]',
    help: 'upload a file (-r: a folder tree) into the server folder or to [remote]',
    flags: [RECURSIVE, CONTINUE, PRESERVE],
    minArgs: 1,
    maxArgs: 2,
    complete: ['local', 'remote'],
    changesRemote: true,
    run: put,
  }),
  command({
    name: 'mget',
    usage: 'mget [-c] [-p] <pattern>...',
    help: 'download every server file matching the patterns (*.log, data-??.csv)',
    flags: [CONTINUE, PRESERVE],
    minArgs: 1,
    maxArgs: MANY,
    complete: ['remote'],
    run: mget,
  }),
  command({
    name: 'mput',
    usage: 'mput [-c] [-p] <pattern>...',
    help: 'upload every local file matching the patterns',
    flags: [CONTINUE, PRESERVE],
    minArgs: 1,
    maxArgs: MANY,
    complete: ['local'],
    changesRemote: true,
    run: mput,
  }),
  command({
    name: 'stat',
    usage: 'stat <path>',
    help: 'show the type, size and modification time of a server entry',
    minArgs: 1,
    maxArgs: 1,
    complete: ['remote'],
    run: statCommand,
  }),
  command({
    name: 'mkdir',
    usage: 'mkdir <path>...',
    help: 'create server folders',
    minArgs: 1,
    maxArgs: MANY,
    complete: ['remote'],
    changesRemote: true,
    run: mkdirCommand,
  }),
  command({
    name: 'rmdir',
    usage: 'rmdir <path>...',
    help: 'remove empty server folders',
    minArgs: 1,
    maxArgs: MANY,
    complete: ['remote'],
    changesRemote: true,
    run: rmdirCommand,
  }),
  command({
    name: 'rm',
    usage: 'rm <path>...',
    help: 'remove server files (or symlinks)',
    minArgs: 1,
    maxArgs: MANY,
    complete: ['remote'],
    changesRemote: true,
    run: rm,
  }),
  command({
    name: 'rename',
    aliases: ['mv'],
    usage: 'rename <from> <to>',
    help: 'rename or move a server entry (into <to> if it is a folder); never overwrites',
    minArgs: 2,
    maxArgs: 2,
    complete: ['remote'],
    changesRemote: true,
    run: rename,
  }),
  command({
    name: 'lcd',
    usage: 'lcd [path]',
    help: 'change the local folder (no path: home)',
    maxArgs: 1,
    complete: ['local'],
    run: lcd,
  }),
  command({ name: 'lpwd', usage: 'lpwd', help: 'print the local folder', run: lpwd }),
  command({
    name: 'lls',
    usage: 'lls [-l] [path]',
    help: 'list a local folder; -l: type, size, time',
    flags: [LONG],
    maxArgs: 1,
    complete: ['local'],
    run: lls,
  }),
  command({
    name: 'help',
    usage: 'help [command]',
    help: 'list the commands, or show one',
    maxArgs: 1,
    complete: ['command'],
    run: async ({ args }) => {
      const chosen = args[0] === undefined ? COMMANDS : [findCommand(args[0])];
      return outcome(
        { commands: chosen.map((c) => ({ name: c.name, usage: c.usage, help: c.help })) },
        helpLines(chosen),
      );
    },
  }),
  command({
    name: 'quit',
    aliases: ['exit', 'bye'],
    usage: 'quit',
    help: 'disconnect and exit (exit, bye and end of input do the same)',
    ends: true,
    run: quit,
  }),
];

const BY_NAME = new Map<string, CommandSpec>(
  COMMANDS.flatMap((c) => [c.name, ...c.aliases].map((name) => [name, c] as const)),
);

/** Every name and alias, for completion. */
export const COMMAND_NAMES: readonly string[] = [...BY_NAME.keys()].sort();

export function findCommand(name: string): CommandSpec {
  const spec = BY_NAME.get(name);
  if (spec === undefined) throw usageError(`unknown command "${name}"; try "help"`);
  return spec;
}

/** `  get [-r] [-c] <remote> [local]   download a file …` */
export function helpLines(commands: readonly CommandSpec[]): string[] {
  const width = Math.max(...commands.map((c) => c.usage.length));
  return commands.map((c) => {
    const aliases = c.aliases.length > 0 ? ` (also: ${c.aliases.join(', ')})` : '';
    return `  ${c.usage.padEnd(width)}  ${c.help}${aliases}`;
  });
}

/** Options and positional arguments of one command line; EUSAGE when they do not fit. */
export function parseCommandArgs(
  spec: CommandSpec,
  words: readonly string[],
): { flags: Record<string, boolean>; args: string[] } {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...words],
      options: Object.fromEntries(
        spec.flags.map((f) => [f.long, { type: 'boolean' as const, short: f.short }]),
      ),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw usageError(`${why}; usage: ${spec.usage}`);
  }
  const args = parsed.positionals;
  if (args.length < spec.minArgs || args.length > spec.maxArgs) {
    throw usageError(`usage: ${spec.usage}`);
  }
  const flags: Record<string, boolean> = {};
  for (const [name, value] of Object.entries(parsed.values)) flags[name] = value === true;
  return { flags, args };
}
