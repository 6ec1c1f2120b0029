// The one-line bar that tells the user which server the TUI talks to and whether the control
// connection is up. Colour goes through Ink's <Text color>, so Ink decides whether the
// terminal gets colour at all; the state is also spelled out, so it never relies on colour.
import { Box, Text } from 'ink';

export type ConnectionState = 'connecting' | 'connected' | 'disconnected';

export interface StatusBarProps {
  host: string;
  port: number;
  state: ConnectionState;
}

const STATE_COLORS: Record<ConnectionState, 'green' | 'yellow' | 'red'> = {
  connecting: 'yellow',
  connected: 'green',
  disconnected: 'red',
};

/** `host:port`, with an IPv6 literal in brackets (`[::1]:2121`) so the port stays readable. */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function StatusBar({ host, port, state }: StatusBarProps) {
  return (
    <Box gap={2}>
      <Text bold>cftp</Text>
      <Text>{formatAddress(host, port)}</Text>
      <Text color={STATE_COLORS[state]}>{state}</Text>
    </Box>
  );
}
