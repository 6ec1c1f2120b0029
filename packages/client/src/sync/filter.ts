// --exclude / --include for sync, in rsync's order: the rules are tried in the order given,
// and the first whose pattern matches a path decides; a path no rule matches is included.
// An excluded folder is excluded whole (its content is never looked at). Patterns:
// - no `/` (`*.log`, `node_modules`): matched against the entry's name, at any depth;
// - a `/` inside or in front (`build/out`, `/dist`): matched against the path from the top;
// - a trailing `/` (`cache/`): matches folders only;
// - `*` and `?` stay within one name, `**` crosses `/`, `[...]` is a character class.
// Pure: no file system.

export interface FilterRule {
  kind: 'include' | 'exclude';
  pattern: string;
}

interface CompiledRule {
  include: boolean;
  folderOnly: boolean;
  anchored: boolean;
  regex: RegExp;
}

/** Says whether a path (below the top, `/`-separated) takes part in the sync. */
export type PathFilter = (path: string, isFolder: boolean) => boolean;

function globToRegex(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` also matches no folder at all, so `a/**/b` matches `a/b`.
        if (glob[i + 2] === '/') {
          out += '(?:.*/)?';
          i += 2;
        } else {
          out += '.*';
          i += 1;
        }
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) out += '\\[';
      else {
        let set = glob.slice(i + 1, close).replace(/\\/g, '\\\\');
        if (set.startsWith('!')) set = `^${set.slice(1)}`;
        out += `[${set}]`;
        i = close;
      }
    } else out += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, 'u');
}

function compile(rule: FilterRule): CompiledRule {
  let pattern = rule.pattern.normalize('NFC');
  const folderOnly = pattern.endsWith('/');
  if (folderOnly) pattern = pattern.replace(/\/+$/, '');
  const anchored = pattern.includes('/');
  if (pattern.startsWith('/')) pattern = pattern.replace(/^\/+/, '');
  return { include: rule.kind === 'include', folderOnly, anchored, regex: globToRegex(pattern) };
}

/** The filter for `rules` (none: everything is included). */
export function pathFilter(rules: readonly FilterRule[]): PathFilter {
  const compiled = rules.filter((rule) => rule.pattern !== '').map(compile);
  if (compiled.length === 0) return () => true;
  return (path, isFolder) => {
    const name = path.slice(path.lastIndexOf('/') + 1);
    for (const rule of compiled) {
      if (rule.folderOnly && !isFolder) continue;
      if (rule.regex.test(rule.anchored ? path : name)) return rule.include;
    }
    return true;
  };
}

/**
 * Whether `path` takes part, its folders included: a path inside an excluded folder is
 * excluded with it, whatever a later rule says of the path itself (as rsync does).
 */
export function makeIncluded(filter: PathFilter): (path: string, isFolder: boolean) => boolean {
  const folders = new Map<string, boolean>();
  const folderIncluded = (folder: string): boolean => {
    if (folder === '') return true;
    let known = folders.get(folder);
    if (known === undefined) {
      const slash = folder.lastIndexOf('/');
      known = folderIncluded(slash < 0 ? '' : folder.slice(0, slash)) && filter(folder, true);
      folders.set(folder, known);
    }
    return known;
  };
  return (path, isFolder) => {
    const slash = path.lastIndexOf('/');
    if (!folderIncluded(slash < 0 ? '' : path.slice(0, slash))) return false;
    return isFolder ? folderIncluded(path) : filter(path, false);
  };
}
