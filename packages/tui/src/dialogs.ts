// What the questions say (delete, quit with transfers running, reconnect, overwrite, remove
// partial downloads): the text of the ConfirmDialog for each mode that asks one.
import { formatBytes, plural } from './format.js';
import type { Command } from './keys.js';
import { displayPath } from './paths.js';
import type { Mode } from './state.js';

export interface DialogText {
  title: string;
  lines: string[];
  /** What "yes" does, e.g. `delete`. */
  yes: string;
  /** The commands that answer, when not the `confirm` scope's yes and no. */
  answers?: { yes: Command; no: Command; extra: { command: Command; label: string }[] };
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
    case 'confirmOverwrite': {
      const request = mode.pending[0];
      if (request === undefined) return undefined;
      const where = request.direction === 'get' ? 'on this computer' : 'on the server';
      const side = request.direction === 'get' ? 'local' : 'remote';
      const lines = [`in ${displayPath(side, request.destination.folder)}`];
      if (mode.pending.length > 1) {
        lines.push(`${plural(mode.pending.length - 1, 'more existing file')} after this one.`);
      }
      return {
        title: `"${request.name}" already exists ${where}. Overwrite it?`,
        lines,
        yes: 'overwrite',
        answers: {
          yes: 'overwriteYes',
          no: 'overwriteNo',
          extra: [
            { command: 'overwriteAll', label: 'all' },
            { command: 'overwriteNone', label: 'none' },
          ],
        },
      };
    }
    case 'confirmPartials': {
      const total = mode.partials.reduce((sum, partial) => sum + partial.size, 0);
      const names = mode.partials
        .slice(0, 4)
        .map((partial) => `  ${partial.name}  ${formatBytes(partial.size)}`);
      if (mode.partials.length > 4) names.push(`  … and ${mode.partials.length - 4} more`);
      return {
        title: `Remove ${plural(mode.partials.length, 'partial download')} (${formatBytes(total)})?`,
        lines: [
          ...names,
          `in ${displayPath('local', mode.folder)}`,
          'They are what a retry or "get -c" resumes from; removing them means starting over.',
        ],
        yes: 'remove',
      };
    }
    case 'confirmSync': {
      const from =
        mode.direction === 'put'
          ? displayPath('local', mode.local)
          : displayPath('remote', mode.remote);
      const to =
        mode.direction === 'put'
          ? displayPath('remote', mode.remote)
          : displayPath('local', mode.local);
      const shown = mode.actions.slice(0, 6).map((action) => `  ${action}`);
      if (mode.actions.length > 6) shown.push(`  … and ${mode.actions.length - 6} more`);
      return {
        title: mode.empty ? `${to} is already like ${from}` : `Sync ${from} → ${to}?`,
        lines: [
          ...shown,
          mode.summary,
          'Nothing is deleted: the other side keeps what this one lacks.',
        ],
        yes: 'sync',
      };
    }
    default:
      return undefined;
  }
}
