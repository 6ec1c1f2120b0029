// The line between the panes and the queue: the last message (an error in red, with its
// code, or a confirmation), or the inline input of rename, mkdir and the filter.
import { Text } from 'ink';
import type { Message } from './state.js';

export function Toast({ message }: { message: Message | undefined }) {
  if (message === undefined) return <Text> </Text>;
  return (
    <Text color={message.level === 'error' ? 'red' : 'green'} wrap="truncate">
      {message.level === 'error' ? `error: ${message.text}` : message.text}
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
