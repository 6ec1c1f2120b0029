// The connecting commands' flag parsers (`--timeout`, `--fingerprint`, `user@host`), apart
// from client-security.ts so that registering the commands (main.ts) does not load the client
// engine: `cftp server` never needs it.
import { CftpError } from '@cftp/protocol';
import { InvalidArgumentError } from 'commander';

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m)?$/;
/** The longest `--timeout`: a day (setTimeout's own limit is about 24.8 days). */
const MAX_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/**
 * `--timeout DURATION`: `500ms`, `2s`, `1.5m`, or a bare number of seconds; in ms. Must be
 * above 0 and at most a day.
 */
export function parseDuration(value: string): number {
  const match = DURATION.exec(value.trim());
  const unit = match?.[2] ?? 's';
  const ms =
    match === null
      ? Number.NaN
      : Number(match[1]) * (unit === 'ms' ? 1 : unit === 's' ? 1000 : 60_000);
  if (!(ms >= 1 && ms <= MAX_TIMEOUT_MS)) {
    throw new CftpError(
      'EUSAGE',
      `--timeout: expected a duration from 1ms to 24h such as 500ms, 2s, 1m or 30 (seconds), got "${value}"`,
    );
  }
  return Math.round(ms);
}

/** `alice@host` → user and host; a bare host has no user. */
export function splitUser(text: string): { user?: string; host: string } {
  const at = text.lastIndexOf('@');
  if (at <= 0) return { host: at === 0 ? text.slice(1) : text };
  return { user: text.slice(0, at), host: text.slice(at + 1) };
}

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

export function checkFingerprintFlag(value: string): string {
  if (!FINGERPRINT.test(value)) {
    throw new CftpError('EUSAGE', `--fingerprint: expected SHA256: and 43 base64 characters`);
  }
  return value;
}

/** `--timeout` as client, get, put and tui declare it. */
export const TIMEOUT_FLAG = {
  flags: '--timeout <duration>',
  description:
    'give up any wait on the server after this long: 500ms, 2s, 1m, or seconds (default 60s)',
} as const;

/** commander's parser for `--timeout`: a usage error (exit 2) on a bad duration. */
export function timeoutParser(value: string): number {
  try {
    return parseDuration(value);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}
