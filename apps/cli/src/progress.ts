// Progress of a transfer, in one of three forms: a live line on a terminal's stderr (bytes,
// percent, rate, ETA; a long name is shortened to fit the terminal, never the figures;
// redrawn at most 10 times a second with readline's cursor primitives), JSON progress
// events (`--json --progress`), or nothing (not a terminal: only the final summary is
// printed, by the command). Rates count the bytes moved in this run, never a resumed prefix.
import { clearLine, cursorTo } from 'node:readline';
import type { Writable } from 'node:stream';
import { escapeControls } from '@cftp/protocol';
import { humanDuration, humanRate, humanSize } from './format.js';
import type { Output } from './output.js';

/** Where a transfer (or a many-file command) stands. */
export interface ProgressState {
  /** Bytes done so far, a resumed prefix included. */
  bytes: number;
  /** Expected bytes, when known. */
  total: number | undefined;
  /**
   * Bytes of `bytes` that were already in place before this run (a resumed prefix, hashed
   * but not moved): they count in the percent, never in the rate or the ETA.
   */
  resumed?: number;
  /** Folders walked so far, while a tree is still being scanned (no totals yet). */
  scanned?: number;
  /** Such as `12/40 files`. */
  note?: string;
}

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

/** The bytes this run moved: a resumed prefix is not part of any rate. */
function moved(state: ProgressState): number {
  return Math.max(0, state.bytes - (state.resumed ?? 0));
}

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

const ELLIPSIS = '…';
/**
 * A shortened name keeps at least a third of the line (and never less than this): below
 * that it says nothing, so the note and then the sizes give way first.
 */
const MIN_LABEL = 12;

/** `text` cut to `width` characters with `…` in the middle: both ends of a path stay. */
export function middleEllipsis(text: string, width: number): string {
  const chars = [...text]; // code points: a cut never splits a surrogate pair
  if (chars.length <= width) return text;
  if (width <= 1) return ELLIPSIS.slice(0, Math.max(0, width));
  const head = Math.ceil((width - 1) / 2);
  const tail = width - 1 - head;
  return `${chars.slice(0, head).join('')}${ELLIPSIS}${tail > 0 ? chars.slice(-tail).join('') : ''}`;
}

/**
 * The figures of the line, from all of them to the fewest worth showing: the note goes
 * first, then the sizes; percent (or bytes, with no total), rate and ETA always stay.
 */
function figureSets(state: ProgressState, rate: number): string[][] {
  const { bytes, total, note, scanned } = state;
  if (scanned !== undefined)
    return [[`scanning… ${scanned} ${scanned === 1 ? 'folder' : 'folders'}`]];
  const speed = [humanRate(rate)];
  if (total === undefined || total <= 0) {
    const done = [humanSize(bytes), ...speed];
    return note === undefined ? [done] : [[...done, note], done];
  }
  const percent = `${String(Math.floor((bytes / total) * 100)).padStart(3)}%`;
  if (rate > 0 && bytes < total) speed.push(`ETA ${humanDuration((total - bytes) / rate)}`);
  const full = [percent, `${humanSize(bytes)} / ${humanSize(total)}`, ...speed];
  return [...(note === undefined ? [] : [[...full, note]]), full, [percent, ...speed]];
}

/**
 * `get big.iso   25%  50.0 MiB / 200.0 MiB  10.0 MiB/s  ETA 0:15  3/9 files` in at most
 * `width` characters: a long name is shortened in the middle, and the note and the sizes
 * are left out before the name gets too short to read; percent, rate and ETA stay.
 * `rate` is of the bytes moved in this run.
 */
export function progressLine(
  label: string,
  state: ProgressState,
  rate: number,
  width = Number.POSITIVE_INFINITY,
): string {
  const sets = figureSets(state, rate);
  const minLabel = Math.min([...label].length, Math.max(MIN_LABEL, Math.floor(width / 3)));
  const chosen = (
    sets.find((parts) => parts.join('  ').length + 2 + minLabel <= width) ?? sets.at(-1)!
  ).join('  ');
  const line = `${middleEllipsis(label, Math.max(1, width - chosen.length - 2))}  ${chosen}`;
  const chars = [...line];
  return chars.length <= width ? line : chars.slice(0, width).join('');
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
        const perSecond = rate.sample(moved(state));
        if (now - lastDraw < REDRAW_MS) return;
        lastDraw = now;
        const width = Math.max(20, (this.stream.columns ?? 80) - 1);
        cursorTo(this.stream, 0);
        this.stream.write(progressLine(title, state, perSecond, width));
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
      const { bytes, total, note, resumed, scanned } = pending;
      this.output.event({
        event: 'progress',
        command,
        path: label,
        bytes,
        total: total ?? null,
        percent: total ? Math.floor((bytes / total) * 1000) / 10 : null,
        // Of the bytes moved in this run only: a resumed prefix is `resumed`.
        rate: Math.round(pending.rate),
        ...(resumed ? { resumed } : {}),
        ...(scanned === undefined ? {} : { scanned }),
        ...(note === undefined ? {} : { note }),
      });
      pending = undefined;
    };
    return {
      update: (state) => {
        pending = { ...state, rate: rate.sample(moved(state)) };
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
