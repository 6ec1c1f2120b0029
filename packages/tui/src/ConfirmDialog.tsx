// A question that must be answered before anything else happens (delete, quit with
// transfers running, reconnect): a framed box drawn over the panes; y answers yes, n or Esc
// no. Every cell inside the frame is written (no padding, lines padded to the full width),
// so nothing of the panes below shows through.
import { Box, Text } from 'ink';
import { fit } from './format.js';

export interface ConfirmDialogProps {
  title: string;
  lines: string[];
  /** What "yes" does, e.g. `delete`. */
  yes: string;
  /** Total width, frame included. */
  width: number;
}

export function ConfirmDialog({ title, lines, yes, width }: ConfirmDialogProps) {
  const inner = Math.max(20, width - 4);
  const pad = (text: string) => ` ${fit(text, inner)} `;
  const answers = `y ${yes}   n / Esc cancel`;
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
          y
        </Text>
        {` ${yes}   `}
        <Text bold color="cyan">
          n
        </Text>
        {` / Esc cancel${' '.repeat(Math.max(0, inner - answers.length))} `}
      </Text>
    </Box>
  );
}
