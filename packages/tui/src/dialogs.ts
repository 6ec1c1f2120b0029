// What the yes/no questions say (delete, quit with transfers running, reconnect): the text
// of the ConfirmDialog for each mode that asks one.
import { plural } from './format.js';
import { displayPath } from './paths.js';
import type { Mode } from './state.js';

export interface DialogText {
  title: string;
  lines: string[];
  /** What "yes" does, e.g. `delete`. */
  yes: string;
}

/** The question `mode` asks, or undefined when it asks none. */
export function dialogFor(mode: Mode): DialogText | undefined {
  switch (mode.kind) {
    case 'confirmDelete': {
      const where = mode.side === 'remote' ? 'on the server' : 'on this computer';
      const first = mode.entries[0];
      const what =
        mode.entries.length === 1 && first !== undefined
          ? `"${first.name}${first.type === 'dir' ? '/' : ''}"`
          : plural(mode.entries.length, 'entry', 'entries');
      const names = mode.entries
        .slice(0, 4)
        .map((entry) => `  ${entry.name}${entry.type === 'dir' ? '/' : ''}`);
      if (mode.entries.length > 4) names.push(`  … and ${mode.entries.length - 4} more`);
      const lines = mode.entries.length === 1 ? [] : names;
      lines.push(`in ${displayPath(mode.side, mode.folder)}`);
      if (mode.entries.some((entry) => entry.type === 'dir')) {
        lines.push('Folders are deleted only when empty.');
      }
      return { title: `Delete ${what} ${where}?`, lines, yes: 'delete' };
    }
    case 'confirmQuit':
      return {
        title: 'Quit?',
        lines: [
          `${plural(mode.active, 'transfer is', 'transfers are')} still running or queued;`,
          'quitting cancels them.',
        ],
        yes: 'quit',
      };
    case 'confirmReconnect':
      return {
        title: 'Connection lost',
        lines: [
          mode.reason,
          'The queue is kept: unfinished transfers continue after reconnecting.',
        ],
        yes: 'reconnect',
      };
    default:
      return undefined;
  }
}
