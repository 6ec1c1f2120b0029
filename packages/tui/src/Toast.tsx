// The line between the panes and the queue: the last message (an error in red, with its
// code, or a confirmation), or the inline input of rename, mkdir and the filter.
import { escapeControls } from '@cftp/protocol';
import { Text } from 'ink';
import type { Message } from './state.js';

export function Toast({ message }: { message: Message | undefined }) {
  if (message === undefined) return <Text> </Text>;
  return (
    <Text color={message.level === 'error' ? 'red' : 'green'} wrap="truncate">
      {/* Messages quote server names and errors: escaped, never interpreted (§9.1). */}
      {escapeControls(message.level === 'error' ? `error: ${message.text}` : message.text)}
    </Text>
  );
}

export function InputLine({ label, value }: { label: string; value: string }) {
  return (
    <Text wrap="truncate-start">
      <Text bold color="cyan">
        {label}
      </Text>
      {` ${value}`}
      <Text inverse>█</Text>
      <Text dimColor>{'   Enter ok · Esc cancel'}</Text>
    </Text>
  );
}
