// A question that must be answered before anything else happens (delete, quit with
// transfers running, reconnect): a framed box drawn over the panes; y answers yes, n or Esc
// no (the key table's `confirm` scope; the keys shown are passed in). Every cell inside the frame is written (no padding, lines padded to the full width),
// so nothing of the panes below shows through.
import { escapeControls } from '@cftp/protocol';
import { Box, Text } from 'ink';
import { fit } from './format.js';

export interface ConfirmDialogProps {
  title: string;
  lines: string[];
  /** What "yes" does, e.g. `delete`. */
  yes: string;
  /** Total width, frame included. */
  width: number;
  /** The keys that answer, as written on screen (default: the default key table's). */
  keys?: { yes: readonly string[]; no: readonly string[] } | undefined;
}

export function ConfirmDialog({
  title,
  lines,
  yes,
  width,
  keys = { yes: ['y'], no: ['n', 'Esc'] },
}: ConfirmDialogProps) {
  const inner = Math.max(20, width - 4);
  // Names in a dialog may have come from the server: escaped, never interpreted (§9.1).
  const pad = (text: string) => ` ${fit(escapeControls(text), inner)} `;
  // The first key of each answer stands out; the others follow it as ` / Esc`.
  const [yesFirst = '', ...yesRest] = keys.yes;
  const [noFirst = '', ...noRest] = keys.no;
  const more = (rest: readonly string[]) => rest.map((key) => ` / ${key}`).join('');
  const answers = `${keys.yes.join(' / ')} ${yes}   ${keys.no.join(' / ')} cancel`;
  return (
    <Box flexDirection="column" width={inner + 4} borderStyle="double" borderColor="yellow">
      <Text bold color="yellow" wrap="truncate">
        {pad(title)}
      </Text>
      {lines.map((line, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the lines are fixed for the dialog's life
        <Text key={index} wrap="truncate">
          {pad(line)}
        </Text>
      ))}
      <Text wrap="truncate">{pad('')}</Text>
      <Text wrap="truncate">
        {' '}
        <Text bold color="cyan">
          {yesFirst}
        </Text>
        {`${more(yesRest)} ${yes}   `}
        <Text bold color="cyan">
          {noFirst}
        </Text>
        {`${more(noRest)} cancel${' '.repeat(Math.max(0, inner - answers.length))} `}
      </Text>
    </Box>
  );
}
