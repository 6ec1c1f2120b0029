// The `cftp server` log (docs/server.md, "Logs"): pino records, written as JSON lines, or as
// one human line per event when a person watches (`--log-format`, by default: stderr is a
// terminal). The pretty form is a formatter on pino's destination stream, so both forms come
// from the same records; every string a client or the system supplied is escaped.
import { escapeControls } from '@cftp/protocol';
import { type DestinationStream, type Logger, pino } from 'pino';
import { humanRate, humanSize } from './format.js';
import type { LogFormat } from './server-options.js';

export type { LogFormat };

/** `auto` is pretty on a terminal and JSON everywhere else (a file, a pipe, a journal). */
export function resolveLogFormat(format: LogFormat, isTerminal: boolean): 'pretty' | 'json' {
  if (format === 'auto') return isTerminal ? 'pretty' : 'json';
  return format;
}

/** The server's logger on stderr, in the format asked for. */
export function createServerLog(options: { format: LogFormat; quiet: boolean }): Logger {
  const destination = pino.destination({ fd: 2, sync: true });
  const format = resolveLogFormat(options.format, process.stderr.isTTY === true);
  const stream = format === 'pretty' ? prettyStream(destination) : destination;
  return pino({ level: options.quiet ? 'warn' : 'info', base: undefined }, stream);
}

/** A pino destination that turns each JSON record into human lines before writing them. */
export function prettyStream(out: DestinationStream): DestinationStream {
  return {
    write(chunk: string) {
      let text = '';
      for (const line of chunk.split('\n')) {
        if (line === '') continue;
        let record: unknown;
        try {
          record = JSON.parse(line);
        } catch {
          record = undefined;
        }
        const lines = isRecord(record) ? prettyLines(record) : [escapeControls(line)];
        for (const pretty of lines) text += `${pretty}\n`;
      }
      if (text !== '') out.write(text);
    },
  };
}

type LogRecord = Record<string, unknown>;

function isRecord(value: unknown): value is LogRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `11:19:10`, local time. */
function clock(ms: unknown): string {
  const d = new Date(typeof ms === 'number' ? ms : Date.now());
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** `38 ms`, `7.6 s`, `2 min 03 s`. */
export function logDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${pad2(seconds % 60)} s`;
}

/** A string from a record, escaped for the terminal; undefined if absent. */
function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return escapeControls(typeof value === 'string' ? value : String(value));
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** A client path as the operator reads it: from the served root. */
function shownPath(path: unknown): string {
  const shown = text(path) ?? '';
  return shown.startsWith('/') ? shown : `/${shown}`;
}

const LEVEL_WORDS: Record<number, string> = { 40: 'warning: ', 50: 'error: ', 60: 'fatal: ' };

/** Keys every line shows in its own place (time, session, peer) or never (pino's own). */
const PLACED = new Set(['level', 'time', 'msg', 'session', 'peer', 'pid', 'hostname']);

/**
 * The human lines for one record: one for most, one per file and a total for a batch.
 * `11:19:10 #12 127.0.0.1 get /big.bin 1.0 GiB 7.6 s 140.0 MiB/s ok`
 */
export function prettyLines(record: LogRecord): string[] {
  const head = [clock(record.time)];
  if (record.session !== undefined) head.push(`#${text(record.session)}`);
  if (record.peer !== undefined) head.push(text(record.peer) ?? '');
  const prefix = `${head.join(' ')} `;
  if (typeof record.op === 'string') return operationLines(prefix, record);
  const level = LEVEL_WORDS[num(record.level)] ?? '';
  return [`${prefix}${level}${eventText(record)}`];
}

function operationLines(prefix: string, record: LogRecord): string[] {
  const op = text(record.op) ?? '';
  const outcome = text(record.outcome) ?? '';
  const bytes = num(record.bytes);
  const ms = num(record.ms);
  const parts: string[] = [];
  if (op === 'get' || op === 'put' || op === 'list') parts.push(humanSize(bytes));
  parts.push(logDuration(ms));
  if ((op === 'get' || op === 'put') && bytes > 0 && ms > 0) {
    parts.push(humanRate(bytes / (ms / 1000)));
  }
  const figures = `${parts.join(' ')} ${outcome}`;
  if (!Array.isArray(record.files)) return [`${prefix}${op} ${shownPath(record.path)} ${figures}`];
  // A batch: every file on its own line, then the batch's total (its figures are shared).
  const lines = record.files.map((file) => `${prefix}${op} ${shownPath(file)} ${outcome}`);
  const leftOut = num(record.filesLeftOut);
  if (leftOut > 0) lines.push(`${prefix}${op} … and ${leftOut} more files ${outcome}`);
  const count = record.files.length + leftOut;
  lines.push(`${prefix}${op} ${count} ${count === 1 ? 'file' : 'files'} ${figures}`);
  return lines;
}

/** What a record other than an operation says, in words. */
function eventText(record: LogRecord): string {
  const msg = text(record.msg) ?? '';
  switch (msg) {
    case 'session open':
      return record.port === undefined ? msg : `${msg} (port ${text(record.port)})`;
    case 'session close':
      return record.reason === undefined ? msg : `${msg}: ${text(record.reason)}`;
    case 'login':
      return record.user === undefined ? 'login' : `login as ${text(record.user)}`;
    case 'login failed':
      return `login failed for ${text(record.user) ?? '?'}${record.blocked === true ? ': address blocked for now' : ''}`;
    case 'session refused':
      return `session refused (${text(record.reason) ?? '?'})`;
    case 'sweep':
      return `start-up sweep: removed ${num(record.removedTemporary)} temporary and ${num(record.removedPartials)} partial files, kept ${num(record.keptPartials)} partials (${num(record.visited)} entries in ${logDuration(num(record.ms))}${record.truncated === true ? ', stopped early' : ''})`;
    default:
      // A listing warning's message already names its folder and count.
      if (record.skipped !== undefined) return msg;
      return `${msg}${details(record)}`;
  }
}

/** `: the error` and `key=value` pairs for the fields a record has beyond the placed ones. */
function details(record: LogRecord): string {
  let out = '';
  const err = record.err;
  // An error shows as its message alone: a stack trace is for the JSON log.
  if (isRecord(err)) out += `: ${text(err.message) ?? text(err.type) ?? 'unknown error'}`;
  if (record.error !== undefined) out += `: ${text(record.error)}`;
  for (const [key, value] of Object.entries(record)) {
    if (PLACED.has(key) || key === 'err' || key === 'error' || value === undefined) continue;
    out += ` ${key}=${showValue(value)}`;
  }
  return out;
}

function showValue(value: unknown): string {
  if (typeof value === 'number' && !Number.isInteger(value)) return value.toFixed(1);
  const shown = text(typeof value === 'object' ? JSON.stringify(value) : value) ?? '';
  return shown === '' || /\s/.test(shown) ? `"${shown}"` : shown;
}
