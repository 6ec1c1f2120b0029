// One side of the screen: a folder's entries with name, size and modification time,
// folders first. The focused pane has a double border and a `>` at the cursor, so it is
// obvious without colour too; marked entries carry a `*`.

import type { Entry } from '@cftp/client';
import { escapeControls } from '@cftp/protocol';
import { Box, Text } from 'ink';
import { alignRight, fit, fitStart, formatMtime, formatSizeShort } from './format.js';
import { displayPath } from './paths.js';
import { useScrollStart } from './scroll.js';
import { PARENT_ENTRY, type PaneState, visibleEntries } from './state.js';

export interface FilePaneProps {
  pane: PaneState;
  title: string;
  focused: boolean;
  /** Total size of the pane, borders included. */
  width: number;
  height: number;
  /** A note after the title (`disconnected`). */
  note?: string | undefined;
  /** For testing: the time that recent modification times are relative to. */
  now?: number | undefined;
}

/** Cells per column for a pane whose inside is `inner` cells wide. */
export function paneColumns(inner: number): { name: number; size: number; mtime: number } {
  const mtime = inner >= 60 ? 16 : 12;
  const size = 6;
  // cursor + mark + space, then name, space, size, space, mtime
  return { name: Math.max(4, inner - 3 - size - 1 - mtime - 1), size, mtime };
}

/** A name as the pane shows it: escaped, since server names may hold controls (§9.1). */
function displayName(entry: Entry): string {
  if (entry === PARENT_ENTRY) return '..';
  const name = escapeControls(entry.name);
  if (entry.type === 'dir') return `${name}/`;
  if (entry.type === 'symlink') return `${name}@`;
  return name;
}

/** One row of the listing, exactly `inner` cells wide. */
export function entryRow(
  entry: Entry,
  options: { inner: number; cursor: boolean; marked: boolean; now: number },
): string {
  const columns = paneColumns(options.inner);
  const parent = entry === PARENT_ENTRY;
  const size = parent || entry.type === 'dir' ? '' : formatSizeShort(entry.size);
  const mtime = parent ? '' : formatMtime(entry.mtime, columns.mtime === 16, options.now);
  const row = `${options.cursor ? '>' : ' '}${options.marked ? '*' : ' '} ${fit(displayName(entry), columns.name)} ${alignRight(size, columns.size)} ${fit(mtime, columns.mtime)}`;
  return fit(row, options.inner);
}

function entryColor(entry: Entry, marked: boolean): string | undefined {
  if (marked) return 'yellow';
  if (entry.type === 'dir') return 'blue';
  if (entry.type === 'symlink') return 'cyan';
  return undefined;
}

export function FilePane({ pane, title, focused, width, height, note, now }: FilePaneProps) {
  const inner = Math.max(10, width - 2);
  const rows = Math.max(1, height - 3 - (pane.error === undefined ? 0 : 1));
  const visible = visibleEntries(pane);
  const start = useScrollStart(pane.cursor, rows, visible.length);
  const shown = visible.slice(start, start + rows);

  const extras: string[] = [];
  if (note !== undefined) extras.push(note);
  if (pane.loading) extras.push('loading…');
  if (pane.marked.length > 0) extras.push(`${pane.marked.length} marked`);
  if (pane.filter !== '') extras.push(`filter "${pane.filter}"`);
  const suffix = extras.length > 0 ? `  ${extras.join(' · ')}` : '';
  const pathWidth = Math.max(4, inner - title.length - 2 - [...suffix].length);
  const path = fitStart(escapeControls(displayPath(pane.side, pane.path)), pathWidth).trimEnd();
  const timeBase = now ?? Date.now();

  return (
    <Box
      flexDirection="column"
      width={width}
      height={height}
      borderStyle={focused ? 'double' : 'single'}
      borderColor={focused ? 'cyan' : 'gray'}
      overflow="hidden"
    >
      <Text wrap="truncate">
        <Text bold={focused} color={focused ? 'cyan' : undefined}>
          {title}
        </Text>
        {`  ${path}`}
        <Text dimColor>{suffix}</Text>
      </Text>
      {pane.error !== undefined ? (
        <Text color="red" wrap="truncate">
          {escapeControls(pane.error)}
        </Text>
      ) : null}
      {visible.length === 0 && !pane.loading ? (
        <Text dimColor>{pane.filter === '' ? '   (empty folder)' : '   (nothing matches)'}</Text>
      ) : null}
      {shown.map((entry, index) => {
        const at = start + index;
        const isCursor = at === pane.cursor;
        const marked = entry !== PARENT_ENTRY && pane.marked.includes(entry.name);
        const row = entryRow(entry, { inner, cursor: focused && isCursor, marked, now: timeBase });
        return (
          <Text
            key={entry === PARENT_ENTRY ? '..' : `/${entry.name}`}
            color={entryColor(entry, marked)}
            bold={entry.type === 'dir'}
            inverse={isCursor && focused}
            dimColor={isCursor && !focused}
            wrap="truncate"
          >
            {row}
          </Text>
        );
      })}
    </Box>
  );
}
