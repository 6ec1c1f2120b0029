// Runs one command in a session: find it, check its options and arguments, run it, report
// the result (text or JSON). Shared by the `ftp>` loop, batch files, `-c` and the one-shot
// `cftp get` / `cftp put`.
import { findCommand, parseCommandArgs } from './commands.js';
import type { Session } from './context.js';
import { describeError, usageError } from './errors.js';
import type { Output } from './output.js';
import { splitWords, WordsError } from './words.js';

export interface CommandRun {
  ok: boolean;
  /** The failure's code, when it failed. */
  code?: string;
  /** The command ends the session (quit, exit, bye). */
  ends: boolean;
}

/** Runs a command given as words (`['get', '-c', 'a b.txt']`). */
export async function runCommandWords(
  session: Session,
  output: Output,
  words: readonly string[],
  signal: AbortSignal,
): Promise<CommandRun> {
  if (words.length === 0) return { ok: true, ends: false };
  let name = words[0]!;
  let changesRemote = false;
  try {
    const spec = findCommand(name);
    name = spec.name;
    changesRemote = spec.changesRemote;
    const { flags, args } = parseCommandArgs(spec, words.slice(1));
    // JSON output only (Call.emit): text output would build each line to drop it.
    const emit = (fields: Record<string, unknown>) => output.event(fields);
    const result = await spec.run({
      session,
      flags,
      args,
      signal,
      ...(output.json ? { emit } : {}),
    });
    for (const warning of result.warnings ?? []) output.warning(warning);
    output.success(spec.name, result);
    if (result.failure !== undefined) {
      return { ok: false, ends: false, code: describeError(result.failure).code };
    }
    return { ok: true, ends: spec.ends };
  } catch (error) {
    output.failure(name, error);
    return { ok: false, ends: false, code: describeError(error).code };
  } finally {
    // Also after a failure: a many-file command may have changed part of the tree.
    if (changesRemote) session.listings.clear();
  }
}

/** Runs a command line as typed (`get "a b.txt"`). */
export async function runCommandLine(
  session: Session,
  output: Output,
  line: string,
  signal: AbortSignal,
): Promise<CommandRun> {
  let words: string[];
  try {
    words = splitWords(line);
  } catch (error) {
    const failure = error instanceof WordsError ? usageError(error.message) : error;
    output.failure(line.trim().split(/\s+/)[0], failure);
    return { ok: false, ends: false, code: describeError(failure).code };
  }
  return runCommandWords(session, output, words, signal);
}
