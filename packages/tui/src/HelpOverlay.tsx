// The full help (?): every binding of the key table, grouped by where it applies. It takes
// the place of the panes; ↑/↓ (or j/k) scroll it when it is taller than the screen, any
// other key closes it.
import { Box, Text } from 'ink';
import { fit } from './format.js';
import { type Binding, keyLabel, type Scope } from './keys.js';

export interface HelpOverlayProps {
  bindings: readonly Binding[];
  width: number;
  height: number;
  scroll: number;
}

const GROUPS: { scope: Scope; title: string }[] = [
  { scope: 'pane', title: 'File panes' },
  { scope: 'list', title: 'Panes and queue' },
  { scope: 'queue', title: 'Transfer queue' },
  { scope: 'input', title: 'Input line (rename, mkdir, filter, connect form)' },
  { scope: 'confirm', title: 'Questions' },
  { scope: 'overwrite', title: 'Overwrite question (a copy onto an existing file)' },
  { scope: 'help', title: 'This help' },
  { scope: 'form', title: 'Connect form' },
  // Last, so that the end of the help shows what works everywhere.
  { scope: 'global', title: 'Everywhere' },
];

/** The overlay's lines (group titles start with `#`). */
export function helpLines(bindings: readonly Binding[]): string[] {
  const lines: string[] = [];
  for (const group of GROUPS) {
    const members = bindings.filter((binding) => binding.scope === group.scope);
    if (members.length === 0) continue;
    if (lines.length > 0) lines.push('');
    lines.push(`# ${group.title}`);
    for (const binding of members) {
      const keys = binding.keys.map(keyLabel).join(' ');
      lines.push(`${fit(keys, 20)} ${binding.help}`);
    }
  }
  return lines;
}

export function HelpOverlay({ bindings, width, height, scroll }: HelpOverlayProps) {
  const inner = Math.max(20, width - 4);
  const rows = Math.max(1, height - 3);
  const lines = helpLines(bindings);
  // Blank lines repeat, so each line is keyed by its place in the whole help.
  const numbered = lines.map((line, number) => ({ line, number }));
  const start = Math.max(0, Math.min(scroll, lines.length - rows));
  const more = start + rows < lines.length;
  return (
    <Box
      flexDirection="column"
      width={width}
      height={height}
      borderStyle="double"
      borderColor="cyan"
      paddingX={1}
      overflow="hidden"
    >
      <Text bold color="cyan" wrap="truncate">
        {`Keys${more || start > 0 ? '  (↑/↓ scroll)' : ''}  any other key closes`}
      </Text>
      {numbered.slice(start, start + rows).map(({ line, number }) =>
        line.startsWith('# ') ? (
          <Text key={number} bold>
            {fit(line.slice(2), inner)}
          </Text>
        ) : (
          <Text key={number} wrap="truncate">
            {fit(line, inner)}
          </Text>
        ),
      )}
    </Box>
  );
}
