// Where results go, in one of two forms: text (result lines on stdout, `error: … (CODE)` on
// stderr, batch commands echoed as `ftp> …`) or JSON (one object per command result on
// stdout, nothing echoed). Commands describe their result once, in both forms.
import type { Writable } from 'node:stream';
import { describeError } from './errors.js';

/** What a successful command reports: fields for JSON, lines for text. */
export interface CommandOutcome {
  json: Record<string, unknown>;
  lines: string[];
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
    if (this.echoCommands) this.stdout.write(`ftp> ${line}\n`);
  }

  success(_command: string, result: CommandOutcome): void {
    if (result.lines.length > 0) this.stdout.write(`${result.lines.join('\n')}\n`);
  }

  failure(_command: string | undefined, error: unknown): void {
    const { code, message } = describeError(error);
    this.stderr.write(`error: ${message} (${code})\n`);
  }

  event(_fields: Record<string, unknown>): void {}
}

export class JsonOutput implements Output {
  readonly json = true;
  constructor(private readonly stdout: Writable) {}

  echo(_line: string): void {}

  success(command: string, result: CommandOutcome): void {
    this.write({ command, ok: true, ...result.json });
  }

  failure(command: string | undefined, error: unknown): void {
    const { code, message } = describeError(error);
    this.write({ command: command ?? null, ok: false, code, message });
  }

  event(fields: Record<string, unknown>): void {
    this.write(fields);
  }

  private write(value: Record<string, unknown>): void {
    this.stdout.write(`${JSON.stringify(value)}\n`);
  }
}
