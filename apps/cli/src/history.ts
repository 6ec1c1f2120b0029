// The interactive prompt's command history, kept between sessions in a small file:
// $CFTP_HISTORY, or ~/.cftp_history; CFTP_HISTORY="" keeps none.
import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const HISTORY_SIZE = 1000;

export function historyFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const configured = env.CFTP_HISTORY;
  if (configured !== undefined) return configured === '' ? undefined : configured;
  return join(homedir(), '.cftp_history');
}

/** Newest first, as readline keeps it. */
export function loadHistory(file: string | undefined): string[] {
  if (file === undefined) return [];
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).reverse().slice(0, HISTORY_SIZE);
  } catch {
    return [];
  }
}

export function saveHistory(file: string | undefined, history: readonly string[]): void {
  if (file === undefined) return;
  // Completion leaves a trailing space after a name: not worth keeping.
  const lines = history
    .slice(0, HISTORY_SIZE)
    .map((line) => line.trimEnd())
    .filter(Boolean)
    .reverse();
  try {
    writeFileSync(file, lines.length > 0 ? `${lines.join('\n')}\n` : '', { mode: 0o600 });
  } catch {
    // History is a convenience: a read-only home must not fail the session.
  }
}
