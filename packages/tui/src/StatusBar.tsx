// The one-line bar at the top: which server the TUI talks to and whether the control
// connection is up, then (in the full screen) both current folders, the transfers in flight
// and their total throughput. Colour goes through Ink's <Text color>, so Ink decides whether
// the terminal gets colour at all; the state is also spelled out, so it never relies on colour.
import { Box, Text } from 'ink';
import { alignRight, fitStart, formatRate } from './format.js';

/** Cells of the rate: `1023 KiB/s` and `99.9 MiB/s` are the widest formatRate gives. */
export const RATE_WIDTH = 10;

export type ConnectionState = 'connecting' | 'connected' | 'disconnected';

export interface StatusBarProps {
  host: string;
  port: number;
  state: ConnectionState;
  /** The folders shown in the panes (the local path and the remote one, `/` for the root). */
  paths?: { local: string; remote: string } | undefined;
  /** Transfers running and waiting, and the sum of the running ones' rates (bytes/s). */
  transfers?: { running: number; queued: number; throughput: number } | undefined;
  /** Cells available; the paths are shortened from the left to fit. */
  width?: number | undefined;
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

/** `2 running, 1 queued  3.2 MiB/s`, or `idle`. */
export function formatActivity(transfers: NonNullable<StatusBarProps['transfers']>): string {
  const parts: string[] = [];
  if (transfers.running > 0) parts.push(`${transfers.running} running`);
  if (transfers.queued > 0) parts.push(`${transfers.queued} queued`);
  if (parts.length === 0) return 'idle';
  // A fixed-width rate: `9.5 MiB/s` and `10.2 MiB/s` take the same cells, so nothing moves.
  return `${parts.join(', ')}  ${alignRight(formatRate(transfers.throughput), RATE_WIDTH)}`;
}

export function StatusBar({ host, port, state, paths, transfers, width }: StatusBarProps) {
  const address = formatAddress(host, port);
  const activity = transfers === undefined ? undefined : formatActivity(transfers);
  let local: string | undefined;
  let remote: string | undefined;
  if (paths !== undefined) {
    // Everything but the two paths: words, gaps of 2 between the 6 or 7 parts.
    const fixed =
      'cftp'.length +
      address.length +
      state.length +
      'local '.length +
      'remote '.length +
      (activity === undefined ? 0 : activity.length + 2) +
      2 * 4;
    const available = Math.max(8, (width ?? Number.MAX_SAFE_INTEGER) - fixed);
    let remoteWidth = paths.remote.length;
    let localWidth = paths.local.length;
    if (localWidth + remoteWidth > available) {
      remoteWidth = Math.min(remoteWidth, Math.max(4, Math.floor(available / 3)));
      localWidth = Math.max(4, available - remoteWidth);
    }
    local = fitStart(paths.local, localWidth).trimEnd();
    remote = fitStart(paths.remote, remoteWidth).trimEnd();
  }
  return (
    <Box gap={2}>
      <Text bold>cftp</Text>
      <Text>{address}</Text>
      <Text color={STATE_COLORS[state]}>{state}</Text>
      {local !== undefined ? (
        <Text>
          <Text dimColor>local </Text>
          {local}
        </Text>
      ) : null}
      {remote !== undefined ? (
        <Text>
          <Text dimColor>remote </Text>
          {remote}
        </Text>
      ) : null}
      {activity !== undefined ? (
        <Text color={activity === 'idle' ? undefined : 'cyan'}>{activity}</Text>
      ) : null}
    </Box>
  );
}
