// A question that must be answered before anything else happens (delete, quit with
// transfers running, reconnect): a framed box drawn over the panes; y answers yes, n or Esc
// no (the key table's `confirm` scope; the keys shown are passed in). Every cell inside the
// frame is written (no padding, lines padded to the full width), so nothing of the panes
// below shows through. Lines are word-wrapped, never cut: a reason is read in full.
import { escapeControls } from '@cftp/protocol';
import { Box, Text } from 'ink';
import { fit, wrapText } from './format.js';

export interface ConfirmDialogProps {
  title: string;
  lines: string[];
  /** What "yes" does, e.g. `delete`. */
  yes: string;
  /** Total width, frame included. */
  width: number;
  /** The keys that answer, as written on screen (default: the default key table's). */
  keys?: { yes: readonly string[]; no: readonly string[] } | undefined;
  /** Answers beyond yes and no (the overwrite question's all and none), as written. */
  extra?: { keys: readonly string[]; label: string }[] | undefined;
}

export function ConfirmDialog({
  title,
  lines,
  yes,
  width,
  keys = { yes: ['y'], no: ['n', 'Esc'] },
  extra = [],
}: ConfirmDialogProps) {
  const inner = Math.max(20, width - 4);
  // Names in a dialog may have come from the server: escaped, never interpreted (§9.1).
  const pad = (text: string) => ` ${fit(text, inner)} `;
  // The first key of each answer stands out; the others follow it as ` / Esc`.
  const [yesFirst = '', ...yesRest] = keys.yes;
  const [noFirst = '', ...noRest] = keys.no;
  const more = (rest: readonly string[]) => rest.map((key) => ` / ${key}`).join('');
  const noLabel = extra.length > 0 ? 'no' : 'cancel';
  const extras = extra.map((answer) => `   ${answer.keys.join(' / ')} ${answer.label}`).join('');
  const answers = `${keys.yes.join(' / ')} ${yes}   ${keys.no.join(' / ')} ${noLabel}${extras}`;
  const wrapped = (text: string) => wrapText(escapeControls(text), inner);
  return (
    <Box flexDirection="column" width={inner + 4} borderStyle="double" borderColor="yellow">
      {wrapped(title).map((line, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the lines are fixed for the dialog's life
        <Text key={`t${index}`} bold color="yellow" wrap="truncate">
          {pad(line)}
        </Text>
      ))}
      {lines.flatMap(wrapped).map((line, index) => (
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
        {`${more(noRest)} ${noLabel}`}
        {extra.map((answer) => {
          const [first = '', ...rest] = answer.keys;
          return (
            <Text key={answer.label}>
              {'   '}
              <Text bold color="cyan">
                {first}
              </Text>
              {`${more(rest)} ${answer.label}`}
            </Text>
          );
        })}
        {`${' '.repeat(Math.max(0, inner - answers.length))} `}
      </Text>
    </Box>
  );
}
