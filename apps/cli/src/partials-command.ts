// `partials`: the partial downloads an interrupted get kept in the local folder
// (`.NAME.cftp-resume-KEY.part`, docs/protocol.md §8), which `ls` never shows and `get -c`
// resumes; `partials rm NAME...` and `partials rm -a` remove the stale ones. The rules for
// finding them are the engine's (@cftp/client), shared with the TUI's `p`.
import {
  listPartials,
  type PartialFile,
  partialsFor,
  partialTarget,
  removePartial,
} from '@cftp/client';
import type { Call } from './context.js';
import { localError, pathError, usageError } from './errors.js';
import { humanSize, plural, shortTime } from './format.js';
import { type CommandOutcome, outcome } from './output.js';

function partialJson(partial: PartialFile) {
  return {
    name: partialTarget(partial.name),
    file: partial.name,
    path: partial.path,
    bytes: partial.size,
    mtime: partial.mtime,
  };
}

/** `big.bin  512.0 MiB  2026-12-04 16:40  .big.bin.cftp-resume-3f2a….part` rows, aligned. */
function rows(partials: readonly PartialFile[]): string[] {
  const names = partials.map((p) => partialTarget(p.name));
  const sizes = partials.map((p) => humanSize(p.size));
  const nameWidth = Math.max(...names.map((n) => n.length));
  const sizeWidth = Math.max(...sizes.map((s) => s.length));
  return partials.map(
    (p, i) =>
      `${names[i]!.padEnd(nameWidth)}  ${sizes[i]!.padStart(sizeWidth)}  ${shortTime(p.mtime)}  ${p.name}`,
  );
}

async function partialsIn(dir: string): Promise<PartialFile[]> {
  return listPartials(dir).catch((error: unknown) => {
    throw localError(error, dir);
  });
}

/** The partials `rm` names: of a file (`big.bin`) or by their own name; all with -a. */
async function chosen(call: Call, names: readonly string[]): Promise<PartialFile[]> {
  const dir = call.session.localCwd;
  if (call.flags.all === true) {
    if (names.length > 0) throw usageError('partials rm: -a or names, not both');
    return partialsIn(dir);
  }
  if (names.length === 0) throw usageError('partials rm: name the files, or -a for all');
  const all = await partialsIn(dir);
  const picked = new Map<string, PartialFile>();
  for (const name of names) {
    const own = all.filter((p) => p.name === name);
    const found = own.length > 0 ? own : await partialsFor(dir, name);
    if (found.length === 0) {
      throw pathError('ENOENT', `no partial download of "${name}" in local "${dir}"`, name);
    }
    for (const partial of found) picked.set(partial.path, partial);
  }
  return [...picked.values()];
}

async function remove(call: Call, names: readonly string[]): Promise<CommandOutcome> {
  const partials = await chosen(call, names);
  for (const partial of partials) {
    await removePartial(partial.path).catch((error: unknown) => {
      throw localError(error, partial.path);
    });
  }
  const bytes = partials.reduce((sum, p) => sum + p.size, 0);
  return outcome({ removed: partials.map(partialJson), bytes }, [
    `removed ${plural(partials.length, 'partial download')} (${humanSize(bytes)})`,
  ]);
}

export async function partials(call: Call): Promise<CommandOutcome> {
  const [action, ...names] = call.args;
  if (action === 'rm') return remove(call, names);
  if (action !== undefined) throw usageError(`partials: unknown action "${action}" (try rm)`);
  if (call.flags.all === true) throw usageError('partials: -a goes with rm');
  const dir = call.session.localCwd;
  const found = await partialsIn(dir);
  if (found.length === 0) {
    return outcome({ path: dir, partials: [] }, [`no partial downloads in local "${dir}"`]);
  }
  const bytes = found.reduce((sum, p) => sum + p.size, 0);
  return outcome({ path: dir, partials: found.map(partialJson), bytes }, [
    ...rows(found),
    `${plural(found.length, 'partial download')}, ${humanSize(bytes)}; "get -c NAME" resumes one, "partials rm NAME" or "partials rm -a" removes`,
  ]);
}
