// Where results go, in one of two forms: text (result lines on stdout, `error: … (CODE)` on
// stderr, batch commands echoed as `ftp> …`) or JSON (one object per command result on
// stdout, nothing echoed). Commands describe their result once, in both forms.
// Everything written here may hold text that came off the network (names, codes, messages):
// text goes out through escapeControls, JSON through jsonLine (docs/protocol.md §9.1).
import type { Writable } from 'node:stream';
import { escapeControls } from '@cftp/protocol';
import { describeError } from './errors.js';

/**
 * C1 and bidi controls (and DEL), which JSON.stringify leaves raw: outside a string they
 * cannot occur in its output, so escaping them in the serialized text keeps it exact JSON.
 */
const RAW_IN_JSON = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `value` as one line of exact JSON with no character a terminal would act on (§9.1). */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(
    RAW_IN_JSON,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * `error: message (CODE)` or `warning: …`, one line whatever the server put in it. A string
 * warning is a plain remark with no code (`warning: skipped symlink a -> b`).
 */
export function problemLine(kind: 'error' | 'warning', error: unknown): string {
  if (typeof error === 'string') return `${kind}: ${escapeControls(error)}`;
  const { code, message } = describeError(error);
  return `${kind}: ${escapeControls(message)} (${escapeControls(code)})`;
}

/** What a successful command reports: fields for JSON, lines for text. */
export interface CommandOutcome {
  json: Record<string, unknown>;
  lines: string[];
  /** JSON only: objects written one per line before the result's (sync's plan). */
  events?: Record<string, unknown>[];
  /** Said before the result (stderr): entries left out on the way, each on its own line. */
  warnings?: unknown[];
  /**
   * The command did part of its work (a many-file copy that left entries out, EPARTIAL):
   * its result is reported, then this error, and the command counts as failed.
   */
  failure?: unknown;
  /** Plain lines said after the result or failure (stderr), e.g. `partial kept: …`. */
  notes?: string[];
}

export function outcome(json: Record<string, unknown>, lines: string[] = []): CommandOutcome {
  return { json, lines };
}

export interface Output {
  readonly json: boolean;
  /** A batch command line about to run. */
  echo(line: string): void;
  success(command: string, result: CommandOutcome): void;
  failure(command: string | undefined, error: unknown): void;
  /** Something left out or refused on the way that did not fail the command (stderr). */
  warning(warning: unknown): void;
  /** A progress event (JSON mode with --progress only; text progress is progress.ts). */
  event(fields: Record<string, unknown>): void;
}

export class TextOutput implements Output {
  readonly json = false;
  constructor(
    private readonly stdout: Writable,
    private readonly stderr: Writable,
    /** Echo commands (batch mode): `ftp> ls`. */
    private readonly echoCommands: boolean,
  ) {}

  echo(line: string): void {
    if (this.echoCommands) this.stdout.write(`ftp> ${escapeControls(line)}\n`);
  }

  success(_command: string, result: CommandOutcome): void {
    // Each line escaped on its own: a name holding "\n" stays on its line.
    if (result.lines.length > 0) {
      this.stdout.write(`${result.lines.map(escapeControls).join('\n')}\n`);
    }
    if (result.failure !== undefined) this.failure(_command, result.failure);
    for (const note of result.notes ?? []) this.stderr.write(`${escapeControls(note)}\n`);
  }

  failure(_command: string | undefined, error: unknown): void {
    this.stderr.write(`${problemLine('error', error)}\n`);
  }

  warning(warning: unknown): void {
    this.stderr.write(`${problemLine('warning', warning)}\n`);
  }

  event(_fields: Record<string, unknown>): void {}
}

export class JsonOutput implements Output {
  readonly json = true;
  constructor(
    private readonly stdout: Writable,
    /** Warnings are for people: text on stderr, so stdout stays one object per result. */
    private readonly stderr: Writable = process.stderr,
  ) {}

  echo(_line: string): void {}

  success(command: string, result: CommandOutcome): void {
    for (const event of result.events ?? []) this.write(event);
    if (result.failure === undefined) {
      this.write({ command, ok: true, ...result.json });
      return;
    }
    // One object for the command still: its figures, and why it counts as failed.
    const { code, message } = describeError(result.failure);
    this.write({ command, ok: false, code, message, ...result.json });
  }

  failure(command: string | undefined, error: unknown): void {
    const { code, message } = describeError(error);
    this.write({ command: command ?? null, ok: false, code, message });
  }

  warning(warning: unknown): void {
    this.stderr.write(`${problemLine('warning', warning)}\n`);
  }

  event(fields: Record<string, unknown>): void {
    this.write(fields);
  }

  private write(value: Record<string, unknown>): void {
    this.stdout.write(`${jsonLine(value)}\n`);
  }
}
