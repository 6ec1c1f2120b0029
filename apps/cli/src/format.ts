// Human-readable figures and lines for the CLI's text output: transfer summaries, sizes,
// times, rates and `ls -l` rows. Pure functions; the JSON form lives in output.ts.
import type { Entry } from '@cftp/client';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** `get a.txt: 1048576 bytes in 0.012 s (83.3 MiB/s)`; a small rate in B/s or KiB/s. */
export function transferSummary(verb: string, name: string, bytes: number, ms: number): string {
  const seconds = ms / 1000;
  const rate = seconds > 0 ? bytes / seconds : 0;
  return `${verb} ${name}: ${bytes} bytes in ${seconds.toFixed(3)} s (${humanRate(rate)})`;
}

/** `0 B`, `1023 B`, `1.0 KiB`, `64.0 MiB`: binary units, one decimal above bytes. */
export function humanSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${bytes} B`;
  // 1023.97 KiB would print as "1024.0 KiB": carry it to the next unit.
  if (Number(value.toFixed(1)) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** `12.5 MiB/s` */
export function humanRate(bytesPerSecond: number): string {
  return `${humanSize(Math.max(0, Math.round(bytesPerSecond)))}/s`;
}

/** `0:07`, `12:03`, `1:02:03` for an ETA or a duration in seconds. */
export function humanDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `2025-11-25 21:06` in local time: what `ls -l` shows. */
export function shortTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** `2025-11-25 21:06:07` in local time: what `stat` shows. */
export function fullTime(ms: number): string {
  const d = new Date(ms);
  return `${shortTime(ms)}:${pad2(d.getSeconds())}`;
}

const TYPE_LETTER: Record<Entry['type'], string> = {
  file: '-',
  dir: 'd',
  symlink: 'l',
  other: '?',
};

/** A name as `ls` shows it: folders with a trailing `/` (the `l` of `ls -l` marks links). */
export function entryName(entry: Pick<Entry, 'name' | 'type'>): string {
  return entry.type === 'dir' ? `${entry.name}/` : entry.name;
}

/** Sorts entries by name (code-point order, stable across locales). */
export function sortEntries<T extends Pick<Entry, 'name'>>(entries: T[]): T[] {
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** `name -> target` for a symlink whose text is known (as `ls -l`), else the name. */
function linkName(entry: Pick<Entry, 'name' | 'type' | 'target'>): string {
  const name = entryName(entry);
  return entry.type === 'symlink' && entry.target !== undefined
    ? `${name} -> ${entry.target}`
    : name;
}

/**
 * `ls -l` rows: type letter, size (human, right-aligned), mtime, name; a symlink is `l` and
 * `name -> target`, as `get -r` names it when it skips it.
 */
export function longListing(entries: readonly Entry[]): string[] {
  const sizes = entries.map((e) => (e.type === 'dir' ? '-' : humanSize(e.size)));
  const width = Math.max(0, ...sizes.map((s) => s.length));
  return entries.map(
    (e, i) =>
      `${TYPE_LETTER[e.type]} ${sizes[i]!.padStart(width)}  ${shortTime(e.mtime)}  ${linkName(e)}`,
  );
}

/** `a.txt: file, 4096 bytes (4.0 KiB), modified 2025-11-25 21:06:07` */
export function statLine(shownAs: string, entry: Entry): string {
  const size = entry.type === 'dir' ? '' : `, ${entry.size} bytes (${humanSize(entry.size)})`;
  const kind = entry.type === 'dir' ? 'folder' : entry.type;
  return `${shownAs}: ${kind}${size}, modified ${fullTime(entry.mtime)}`;
}

/** `3 files, 2 folders, 12.0 KiB in 0.210 s (57.1 KiB/s)` for a many-file command. */
export function batchSummary(
  verb: string,
  what: string,
  totals: { files: number; dirs?: number; bytes: number; ms: number; skipped?: number },
): string {
  const seconds = totals.ms / 1000;
  const parts = [plural(totals.files, 'file')];
  if (totals.dirs !== undefined) parts.push(plural(totals.dirs, 'folder'));
  const rate = seconds > 0 ? totals.bytes / seconds : 0;
  const perSecond = seconds > 0 ? Math.round(totals.files / seconds) : 0;
  let line = `${verb} ${what}: ${parts.join(', ')}, ${totals.bytes} bytes in ${seconds.toFixed(3)} s (${humanRate(rate)}, ${perSecond} files/s)`;
  if (totals.skipped) line += `; skipped ${plural(totals.skipped, 'entry', 'entries')}`;
  return line;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
