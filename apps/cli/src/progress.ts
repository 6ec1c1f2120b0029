// Progress of a transfer, in one of three forms: a live line on a terminal's stderr (bytes,
// percent, rate, ETA; redrawn at most 10 times a second with readline's cursor primitives),
// JSON progress events (`--json --progress`), or nothing (not a terminal: only the final
// summary is printed, by the command).
import { clearLine, cursorTo } from 'node:readline';
import type { Writable } from 'node:stream';
import { escapeControls } from '@cftp/protocol';
import { humanDuration, humanRate, humanSize } from './format.js';
import type { Output } from './output.js';

/** Where a transfer (or a many-file command) stands. */
export interface ProgressState {
  /** Bytes done so far. */
  bytes: number;
  /** Expected bytes, when known. */
  total: number | undefined;
  /** Such as `12/40 files`. */
  note?: string;
}

/** One transfer (or one many-file command) in progress. */
export interface ProgressTask {
  update(state: ProgressState): void;
  /** Removes the live line (before the summary is printed). */
  end(): void;
}

export interface ProgressView {
  begin(command: string, label: string): ProgressTask;
}

const REDRAW_MS = 100;
/** The rate is measured over this much recent history, so it follows a changing link. */
const RATE_WINDOW_MS = 3000;

type Clock = () => number;

/** Bytes per second over the last few seconds of samples. */
export class RateMeter {
  private readonly samples: { at: number; bytes: number }[] = [];
  constructor(private readonly clock: Clock) {
    this.samples.push({ at: clock(), bytes: 0 });
  }

  sample(bytes: number): number {
    const at = this.clock();
    this.samples.push({ at, bytes });
    while (this.samples.length > 2 && at - this.samples[0]!.at > RATE_WINDOW_MS) {
      this.samples.shift();
    }
    const first = this.samples[0]!;
    const seconds = (at - first.at) / 1000;
    return seconds > 0 ? (bytes - first.bytes) / seconds : 0;
  }
}

/** `get big.iso  45%  123.4 MiB / 273.0 MiB  98.3 MiB/s  ETA 0:02  3/9 files` */
export function progressLine(label: string, state: ProgressState, rate: number): string {
  const { bytes, total, note } = state;
  const parts = [label];
  if (total !== undefined && total > 0) {
    parts.push(`${String(Math.floor((bytes / total) * 100)).padStart(3)}%`);
    parts.push(`${humanSize(bytes)} / ${humanSize(total)}`);
  } else {
    parts.push(humanSize(bytes));
  }
  parts.push(humanRate(rate));
  if (total !== undefined && rate > 0 && bytes < total) {
    parts.push(`ETA ${humanDuration((total - bytes) / rate)}`);
  }
  if (note !== undefined) parts.push(note);
  return parts.join('  ');
}

/** The live line on a terminal. `stream` is stderr; its width cuts the line. */
export class TerminalProgress implements ProgressView {
  constructor(
    private readonly stream: Writable & { columns?: number },
    private readonly clock: Clock = () => performance.now(),
  ) {}

  begin(command: string, label: string): ProgressTask {
    const rate = new RateMeter(this.clock);
    const title = escapeControls(`${command} ${label}`); // §9.1: names may hold controls
    let lastDraw = Number.NEGATIVE_INFINITY;
    let drawn = false;
    return {
      update: (state) => {
        const now = this.clock();
        const perSecond = rate.sample(state.bytes);
        if (now - lastDraw < REDRAW_MS) return;
        lastDraw = now;
        const width = Math.max(20, (this.stream.columns ?? 80) - 1);
        cursorTo(this.stream, 0);
        this.stream.write(progressLine(title, state, perSecond).slice(0, width));
        clearLine(this.stream, 1); // whatever a longer previous line left on the right
        drawn = true;
      },
      end: () => {
        if (!drawn) return;
        clearLine(this.stream, 0);
        cursorTo(this.stream, 0);
        drawn = false;
      },
    };
  }
}

/** `{"event":"progress",…}` lines, at most 10 a second per task, and a last one at the end. */
export class JsonProgress implements ProgressView {
  constructor(
    private readonly output: Output,
    private readonly clock: Clock = () => performance.now(),
  ) {}

  begin(command: string, label: string): ProgressTask {
    const rate = new RateMeter(this.clock);
    let lastEmit = Number.NEGATIVE_INFINITY;
    let pending: (ProgressState & { rate: number }) | undefined;
    const emit = () => {
      if (pending === undefined) return;
      const { bytes, total, note } = pending;
      this.output.event({
        event: 'progress',
        command,
        path: label,
        bytes,
        total: total ?? null,
        percent: total ? Math.floor((bytes / total) * 1000) / 10 : null,
        rate: Math.round(pending.rate),
        ...(note === undefined ? {} : { note }),
      });
      pending = undefined;
    };
    return {
      update: (state) => {
        pending = { ...state, rate: rate.sample(state.bytes) };
        const now = this.clock();
        if (now - lastEmit >= REDRAW_MS) {
          lastEmit = now;
          emit();
        }
      },
      end: emit,
    };
  }
}

export const NO_PROGRESS: ProgressView = {
  begin: () => ({ update() {}, end() {} }),
};
