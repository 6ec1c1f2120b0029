// The words of `sync` (at the `ftp>` prompt, and after `cftp sync`): its options, with
// --exclude/--include kept in the order given (rsync's first-match rule needs it), and the
// two operands, one of them on the server. Pure: no file system, no network.
import { parseArgs } from 'node:util';
import type { FilterRule, LinkMode } from '@cftp/client';
import { usageError } from './errors.js';

export const SYNC_USAGE = 'sync [options] <src> <dst>';

export interface SyncArgs {
  delete: boolean;
  dryRun: boolean;
  checksum: boolean;
  verbose: boolean;
  /** -n: never overwrite a file the destination has. */
  noClobber: boolean;
  /** -p: exactly the source's mode. */
  preserve: boolean;
  /** -L (`follow`) or -l/--links (`recreate`); undefined: symlinks skipped and named. */
  links: LinkMode | undefined;
  rules: FilterRule[];
  src: string;
  dst: string;
}

/** The options sync takes, as `help sync` lists them (short: '' when there is none). */
export const SYNC_FLAGS = [
  { long: 'delete', short: '', help: 'remove what the source lacks, once every copy succeeded' },
  { long: 'dry-run', short: '', help: 'print the plan; change nothing' },
  { long: 'checksum', short: '', help: 'compare files by digest instead of size and mtime' },
  { long: 'exclude GLOB', short: '', help: 'leave out matching entries (first match decides)' },
  { long: 'include GLOB', short: '', help: 'take matching entries (first match decides)' },
  { long: 'verbose', short: 'v', help: 'list each action with its reason' },
  { long: 'no-clobber', short: 'n', help: 'never overwrite a file the destination has' },
  { long: 'preserve', short: 'p', help: "give each file exactly its source's mode" },
  // As get -r/put -r's (commands.ts), whose rules they share (tree-plan.ts).
  {
    long: 'follow-links',
    short: 'L',
    help: 'copy what symlinks lead to (a link back to a folder that holds it is skipped)',
  },
  {
    long: 'links',
    short: 'l',
    help: 'recreate symlinks as links (those that stay inside the tree)',
  },
] as const;

function parseWords(words: readonly string[]) {
  return parseArgs({
    args: [...words],
    options: {
      delete: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      checksum: { type: 'boolean' },
      verbose: { type: 'boolean', short: 'v' },
      'no-clobber': { type: 'boolean', short: 'n' },
      preserve: { type: 'boolean', short: 'p' },
      'follow-links': { type: 'boolean', short: 'L' },
      links: { type: 'boolean', short: 'l' },
      exclude: { type: 'string', multiple: true },
      include: { type: 'string', multiple: true },
    },
    allowPositionals: true,
    tokens: true,
    strict: true,
  });
}

export function parseSyncArgs(words: readonly string[]): SyncArgs {
  let parsed: ReturnType<typeof parseWords>;
  try {
    parsed = parseWords(words);
  } catch (error) {
    const text = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    // parseArgs's own wording suggests `'-- "-x"` with broken quoting: say it plainly.
    const unknown = /Unknown option '([^']+)'/.exec(text)?.[1];
    const why = unknown === undefined ? text : `unknown option "${unknown}"`;
    throw usageError(`${why}; usage: ${SYNC_USAGE}`);
  }
  const rules: FilterRule[] = [];
  for (const token of parsed.tokens) {
    if (token.kind !== 'option' || (token.name !== 'exclude' && token.name !== 'include')) continue;
    const pattern = token.value ?? '';
    if (pattern === '') throw usageError(`--${token.name} needs a pattern; usage: ${SYNC_USAGE}`);
    rules.push({ kind: token.name, pattern });
  }
  const [src, dst, ...extra] = parsed.positionals;
  if (src === undefined || dst === undefined || extra.length > 0) {
    throw usageError(`sync takes a source and a destination; usage: ${SYNC_USAGE}`);
  }
  const v = parsed.values;
  const follow = v['follow-links'] === true;
  const recreate = v.links === true;
  if (follow && recreate) throw usageError('-L follows links and -l recreates them: not both');
  return {
    delete: v.delete === true,
    dryRun: v['dry-run'] === true,
    checksum: v.checksum === true,
    verbose: v.verbose === true,
    noClobber: v['no-clobber'] === true,
    preserve: v.preserve === true,
    links: follow ? 'follow' : recreate ? 'recreate' : undefined,
    rules,
    src,
    dst,
  };
}
