// The words of `sync` (at the `ftp>` prompt, and after `cftp sync`): its options, with
// --exclude/--include kept in the order given (rsync's first-match rule needs it), and the
// two operands, one of them on the server. Pure: no file system, no network.
import { parseArgs } from 'node:util';
import type { FilterRule } from '@cftp/client';
import { usageError } from './errors.js';

export const SYNC_USAGE =
  'sync [-vnp] [--delete] [--dry-run] [--checksum] [--exclude GLOB] [--include GLOB] <src> <dst>';

export interface SyncArgs {
  delete: boolean;
  dryRun: boolean;
  checksum: boolean;
  verbose: boolean;
  /** -n: never overwrite a file the destination has. */
  noClobber: boolean;
  /** -p: exactly the source's mode. */
  preserve: boolean;
  rules: FilterRule[];
  src: string;
  dst: string;
}

/** The options sync takes, also listed by `help sync`. */
export const SYNC_OPTIONS = [
  ['--delete', 'remove what the source does not have, once every copy succeeded'],
  ['--dry-run', 'print the plan; change nothing'],
  ['--checksum', 'compare files by digest instead of size and mtime'],
  ['--exclude GLOB', 'leave out matching entries (repeatable; first match decides)'],
  ['--include GLOB', 'take matching entries even if a later --exclude matches'],
  ['-v, --verbose', 'list each action with its reason'],
  ['-n, --no-clobber', 'never overwrite a file the destination has'],
  ['-p, --preserve', "give each file exactly its source's mode"],
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
  return {
    delete: v.delete === true,
    dryRun: v['dry-run'] === true,
    checksum: v.checksum === true,
    verbose: v.verbose === true,
    noClobber: v['no-clobber'] === true,
    preserve: v.preserve === true,
    rules,
    src,
    dst,
  };
}
