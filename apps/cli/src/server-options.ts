// `cftp server` flags for the engine's limits, timeouts and policy (README, "Server";
// docs/security.md), with their defaults, and their translation into createServer options.

import { SINGLE_PORT_MAX_FRAME_SIZE } from '@cftp/protocol';
import { readOnly, SERVER_DEFAULTS, type ServerOptions } from '@cftp/server';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { parseMetricsAddress } from './metrics-address.js';

/** `--log-format`: `auto` is pretty on a terminal and JSON elsewhere (server-log.ts). */
export type LogFormat = 'auto' | 'pretty' | 'json';

export const LOG_FORMATS: readonly LogFormat[] = ['auto', 'pretty', 'json'];

/** The flags added by `addServerOptions`, as commander hands them over. */
export interface ServerLimitFlags {
  readOnly?: boolean;
  maxSessions?: number;
  maxSessionsPerAddress?: number;
  maxInFlight?: number;
  maxFrameSize?: number;
  handshakeTimeout?: number;
  idleTimeout?: number;
  dataTimeout?: number;
  stallTimeout?: number;
  shutdownDeadline?: number;
  partialMaxAge?: number;
  /** `--no-sweep` sets this to false. */
  sweep?: boolean;
  /** Bits taken from a new uploaded file's mode (docs/protocol.md §6.8). */
  umask?: number;
  /** `--single-port`: data connections on the server's own port (docs/protocol.md §5.5). */
  singlePort?: boolean;
  /** `--data-ports LOW-HIGH`: classic data listeners only in this range. */
  dataPorts?: { low: number; high: number };
  /** `--digest sha256`: never offer BLAKE3 (docs/protocol.md §7.1). */
  digest?: 'sha256' | 'blake3';
}

/** `LOW-HIGH`, two ports with LOW ≤ HIGH (`--data-ports`). */
export function parsePortRange(value: string): { low: number; high: number } {
  const match = /^(\d{1,5})-(\d{1,5})$/.exec(value.trim());
  const low = Number(match?.[1]);
  const high = Number(match?.[2]);
  if (match === null || low < 1 || high > 65535 || low > high) {
    throw new InvalidArgumentError('expected LOW-HIGH, two ports from 1 to 65535 with LOW ≤ HIGH');
  }
  return { low, high };
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `500ms`, `10s`, `5m`, `2h`, `7d`; a bare number is seconds. Returns milliseconds. */
export function parseDuration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value.trim());
  const ms = match === null ? Number.NaN : Number(match[1]) * UNIT_MS[match[2] ?? 's']!;
  if (!Number.isFinite(ms) || ms < 1 || ms > 2 ** 31 - 1) {
    throw new InvalidArgumentError('expected a duration such as 500ms, 10s, 5m, 2h or 7d');
  }
  return Math.round(ms);
}

/** Like parseDuration, but 0 is allowed (no grace at all). */
function parseDeadline(value: string): number {
  return value.trim() === '0' ? 0 : parseDuration(value);
}

/** A partial-file age may exceed what a timer can hold (`30d`). */
function parseAge(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value.trim());
  const ms = match === null ? Number.NaN : Number(match[1]) * UNIT_MS[match[2] ?? 's']!;
  if (!Number.isSafeInteger(Math.round(ms)) || ms < 1) {
    throw new InvalidArgumentError('expected an age such as 12h or 7d');
  }
  return Math.round(ms);
}

/** `022`, `0o077`, `0`: octal permission bits from 0 to 777. */
export function parseUmask(value: string): number {
  const match = /^(?:0o)?([0-7]{1,4})$/i.exec(value.trim());
  const umask = match === null ? Number.NaN : Number.parseInt(match[1]!, 8);
  if (!Number.isInteger(umask) || umask > 0o777) {
    throw new InvalidArgumentError('expected octal permission bits from 000 to 777, such as 022');
  }
  return umask;
}

function parseCount(value: string): number {
  const count = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(count) || count < 1) {
    throw new InvalidArgumentError('expected a whole number of at least 1');
  }
  return count;
}

/** `300000` → `5m`, for help texts. */
function showDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', UNIT_MS.d!],
    ['h', UNIT_MS.h!],
    ['m', UNIT_MS.m!],
    ['s', UNIT_MS.s!],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

function durationOption(flag: string, description: string, defaultMs: number): Option {
  return new Option(`${flag} <duration>`, description)
    .argParser(parseDuration)
    .default(defaultMs, showDuration(defaultMs));
}

/** Adds the limit, timeout and policy flags to the `server` command. */
export function addServerOptions(command: Command): Command {
  const d = SERVER_DEFAULTS;
  return command
    .option('--read-only', 'refuse put, mkdir, rmdir, delete and rename (EACCES)')
    .addOption(
      new Option('--max-sessions <n>', 'sessions at once, all clients together')
        .argParser(parseCount)
        .default(d.maxSessions),
    )
    .addOption(
      new Option('--max-sessions-per-address <n>', 'sessions at once from one client address')
        .argParser(parseCount)
        .default(d.maxSessionsPerAddress),
    )
    .addOption(
      new Option('--max-in-flight <n>', 'requests in flight per session')
        .argParser(parseCount)
        .default(d.maxInFlight),
    )
    .addOption(
      new Option('--max-frame-size <bytes>', 'largest control message accepted')
        .argParser(parseCount)
        .default(d.maxFrameSize),
    )
    .addOption(
      durationOption(
        '--handshake-timeout',
        'close a connection that has not said hello by then',
        d.handshakeTimeoutMs,
      ),
    )
    .addOption(
      durationOption(
        '--idle-timeout',
        'close a session with no request and no transfer for this long',
        d.idleTimeoutMs,
      ),
    )
    .addOption(
      durationOption(
        '--data-timeout',
        'fail a transfer whose data connection does not come by then',
        d.dataAcceptTimeoutMs,
      ),
    )
    .addOption(
      durationOption(
        '--stall-timeout',
        'fail a transfer whose data connection moves no byte for this long',
        d.dataStallTimeoutMs,
      ),
    )
    .addOption(
      new Option(
        '--shutdown-deadline <duration>',
        'on SIGTERM/SIGINT, let transfers finish for this long, then abort them',
      )
        .argParser(parseDeadline)
        .default(d.shutdownDeadlineMs, showDuration(d.shutdownDeadlineMs)),
    )
    .addOption(
      new Option(
        '--partial-max-age <age>',
        'at start, remove resumable partial uploads older than this',
      )
        .argParser(parseAge)
        .default(d.partialMaxAgeMs, showDuration(d.partialMaxAgeMs)),
    )
    .option('--no-sweep', 'do not remove leftover temporary upload files at start')
    .addOption(
      new Option('--digest <algorithm>', 'sha256: never offer BLAKE3 to clients (§7.1)')
        .choices(['blake3', 'sha256'])
        .default('blake3'),
    )
    .addOption(
      new Option(
        '--umask <octal>',
        'mode bits taken from new uploaded files (an overwritten file keeps its mode)',
      )
        .argParser(parseUmask)
        .default(d.umask, d.umask.toString(8).padStart(3, '0')),
    )
    .addOption(
      new Option(
        '--single-port',
        'take data connections on PORT itself, open no other port (clients need protocol 1.1)',
      ).conflicts('dataPorts'),
    )
    .addOption(
      new Option(
        '--data-ports <low-high>',
        'open data listeners only on these ports (EBUSY when all are in use)',
      ).argParser(parsePortRange),
    )
    .hook('preAction', (action) => {
      const flags = action.opts<ServerLimitFlags>();
      // §5.5: a control frame's length must never start with the data preamble's `C`.
      if (flags.singlePort === true && (flags.maxFrameSize ?? 0) >= SINGLE_PORT_MAX_FRAME_SIZE) {
        action.error(
          `error: with --single-port, --max-frame-size must be below ${SINGLE_PORT_MAX_FRAME_SIZE}`,
        );
      }
    })
    .addOption(
      new Option(
        '--metrics <host:port>',
        'serve Prometheus /metrics and /healthz over HTTP there (docs/server.md)',
      ).argParser(parseMetricsAddress),
    )
    .addOption(
      new Option(
        '--log-format <format>',
        'auto: human lines on a terminal, JSON lines elsewhere (docs/server.md)',
      )
        .choices(LOG_FORMATS)
        .default('auto'),
    );
}

/** The createServer options that the flags stand for. */
export function engineOptions(flags: ServerLimitFlags): Partial<ServerOptions> {
  return {
    ...(flags.readOnly === true ? { authorize: readOnly } : {}),
    maxSessions: flags.maxSessions,
    maxSessionsPerAddress: flags.maxSessionsPerAddress,
    maxInFlight: flags.maxInFlight,
    maxFrameSize: flags.maxFrameSize,
    handshakeTimeoutMs: flags.handshakeTimeout,
    idleTimeoutMs: flags.idleTimeout,
    dataAcceptTimeoutMs: flags.dataTimeout,
    dataStallTimeoutMs: flags.stallTimeout,
    shutdownDeadlineMs: flags.shutdownDeadline,
    partialMaxAgeMs: flags.partialMaxAge,
    sweepOnStart: flags.sweep,
    umask: flags.umask,
    singlePort: flags.singlePort === true,
    ...(flags.dataPorts === undefined ? {} : { dataPorts: flags.dataPorts }),
    ...(flags.digest === undefined ? {} : { digest: flags.digest }),
  };
}
