// The `ftp>` commands in one table: names, usage, one-line help, options and argument counts
// (checked before a command runs: EUSAGE), what tab completion offers for each argument, and
// the function that runs it.
import { parseArgs } from 'node:util';
import type { Call } from './context.js';
import { usageError } from './errors.js';
import { clear, lcd, lls, lpwd } from './local-commands.js';
import { type CommandOutcome, outcome } from './output.js';
import { partials } from './partials-command.js';
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
import { SYNC_FLAGS, SYNC_USAGE } from './sync-args.js';
import { syncCommand } from './sync-command.js';
import { get, mget, mput, put } from './transfer-commands.js';

/** What tab completion offers for an argument. */
export type Completion = 'remote' | 'local' | 'command' | 'none';

export interface Flag {
  /** `-r` → `recursive`: the key in `Call.flags`. */
  long: string;
  /** '' for an option with no short form (only a command that parses its own words). */
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
  /** Takes its words as they are (options with values, in order): it parses them itself. */
  parsesOwnArgs?: boolean;
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
const NO_CLOBBER: Flag = {
  long: 'no-clobber',
  short: 'n',
  help: 'never overwrite: an existing target is left alone and counted',
};
const FOLLOW_LINKS: Flag = {
  long: 'follow-links',
  short: 'L',
  help: 'with -r: copy what symlinks lead to (a link back to a folder that holds it is skipped)',
};
const LINKS: Flag = {
  long: 'links',
  short: 'l',
  help: 'with -r: recreate symlinks as links (those that stay inside the tree)',
};
const ALL: Flag = { long: 'all', short: 'a', help: 'with rm: every partial in the local folder' };
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
    usage: 'get [-rcpnLl] <remote> [local]',
    help: 'download a file (-r: a folder tree) into the local folder or to [local]',
    flags: [RECURSIVE, CONTINUE, PRESERVE, NO_CLOBBER, FOLLOW_LINKS, LINKS],
    minArgs: 1,
    maxArgs: 2,
    complete: ['remote', 'local'],
    run: get,
  }),
  command({
    name: 'put',
    usage: 'put [-rcpnLl] <local> [remote]',
    help: 'upload a file (-r: a folder tree) into the server folder or to [remote]',
    flags: [RECURSIVE, CONTINUE, PRESERVE, NO_CLOBBER, FOLLOW_LINKS, LINKS],
    minArgs: 1,
    maxArgs: 2,
    complete: ['local', 'remote'],
    changesRemote: true,
    run: put,
  }),
  command({
    name: 'mget',
    usage: 'mget [-cpn] <pattern>...',
    help: 'download every server file matching the patterns (*.log, data-??.csv)',
    flags: [CONTINUE, PRESERVE, NO_CLOBBER],
    minArgs: 1,
    maxArgs: MANY,
    complete: ['remote'],
    run: mget,
  }),
  command({
    name: 'mput',
    usage: 'mput [-cpn] <pattern>...',
    help: 'upload every local file matching the patterns',
    flags: [CONTINUE, PRESERVE, NO_CLOBBER],
    minArgs: 1,
    maxArgs: MANY,
    complete: ['local'],
    changesRemote: true,
    run: mput,
  }),
  command({
    name: 'sync',
    usage: SYNC_USAGE,
    help: 'make <dst> like <src>, one side on the server as :PATH',
    flags: SYNC_FLAGS,
    minArgs: 2,
    maxArgs: MANY,
    complete: ['local'],
    changesRemote: true,
    parsesOwnArgs: true,
    run: syncCommand,
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
    help: 'rename or move a server entry (into <to> if a folder); never overwrites',
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
    name: 'partials',
    usage: 'partials [rm [-a] [name...]]',
    help: 'list the partial downloads kept in the local folder; rm: remove them (-a: all)',
    flags: [ALL],
    maxArgs: MANY,
    complete: ['none', 'local'],
    run: partials,
  }),
  command({
    name: 'clear',
    usage: 'clear',
    help: 'clear the screen (on a terminal)',
    run: clear,
  }),
  command({
    name: 'help',
    usage: 'help [command]',
    help: 'list the commands, or show one',
    maxArgs: 1,
    complete: ['command'],
    run: async ({ args }) => {
      const chosen = args[0] === undefined ? COMMANDS : [findCommand(args[0])];
      const lines = helpLines(chosen);
      // One command: its options too, which the short usage (`[-rcpn]`) only names.
      if (chosen.length === 1) lines.push(...flagLines(chosen[0]!));
      return outcome(
        {
          commands: chosen.map((c) => ({
            name: c.name,
            usage: c.usage,
            help: c.help,
            flags: c.flags.map((f) => ({
              short: f.short === '' ? null : `-${f.short}`,
              long: `--${f.long}`,
              help: f.help,
            })),
          })),
        },
        lines,
      );
    },
  }),
  command({
    name: 'quit',
    aliases: ['exit', 'bye'],
    usage: 'quit',
    help: 'disconnect and exit (end of input does the same)',
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

/** `    -r, --recursive  copy a folder tree`, one line per option of `spec`. */
export function flagLines(spec: CommandSpec): string[] {
  const names = spec.flags.map((f) =>
    f.short === '' ? `    --${f.long}` : `-${f.short}, --${f.long}`,
  );
  const width = Math.max(0, ...names.map((n) => n.length));
  return spec.flags.map((f, i) => `    ${names[i]!.padEnd(width)}  ${f.help}`);
}

/**
 * What parseArgs refused, in our words: `unknown option "-x"` (its own message suggests
 * `'-- "-x"` with broken quoting). The option is found in `words`, not in its message text.
 */
function refusal(spec: CommandSpec, words: readonly string[], error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  const known = new Set(spec.flags.flatMap((f) => [`-${f.short}`, `--${f.long}`]));
  const end = words.indexOf('--');
  const options = (end === -1 ? words : words.slice(0, end)).filter((w) => w.startsWith('-'));
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    // `-rx` is -r and -x: each letter of a group is an option of its own.
    const letters = options.flatMap((w) =>
      w.startsWith('--') || w === '-' ? [w] : [...w.slice(1)].map((c) => `-${c}`),
    );
    const unknown = letters.find((w) => !known.has(w.split('=')[0]!));
    if (unknown !== undefined) {
      return `unknown option "${unknown}" (a name that starts with "-" goes after "--")`;
    }
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const given = options.find((w) => w.includes('='));
    if (given !== undefined) return `option "${given.split('=')[0]}" takes no value`;
  }
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

/** Options and positional arguments of one command line; EUSAGE when they do not fit. */
export function parseCommandArgs(
  spec: CommandSpec,
  words: readonly string[],
): { flags: Record<string, boolean>; args: string[] } {
  if (spec.parsesOwnArgs === true) return { flags: {}, args: [...words] };
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
    throw usageError(`${refusal(spec, words, error)}; usage: ${spec.usage}`);
  }
  const args = parsed.positionals;
  if (args.length < spec.minArgs || args.length > spec.maxArgs) {
    throw usageError(`usage: ${spec.usage}`);
  }
  const flags: Record<string, boolean> = {};
  for (const [name, value] of Object.entries(parsed.values)) flags[name] = value === true;
  return { flags, args };
}
