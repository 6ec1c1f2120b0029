// Text helpers for the screen: sizes, rates, times and fixed-width cells. Pure functions, so
// the layout of every row can be tested without rendering.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** `512 B`, `1.5 KiB`, `12.3 MiB`: one decimal below 100 units, none above. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${value} B`;
  return `${value < 100 ? value.toFixed(1) : Math.round(value)} ${UNITS[unit]}`;
}

/** `ls -h`-like sizes for the narrow size column: `512`, `1.2K`, `34M`, `2.0G`. */
export function formatSizeShort(bytes: number): string {
  if (bytes < 1024) return String(bytes);
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const letter = UNITS[unit]!.charAt(0);
  return value < 10 ? `${value.toFixed(1)}${letter}` : `${Math.round(value)}${letter}`;
}

export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

/** `0:07`, `12:34`, `1:02:03`; `--:--` when unknown. */
export function formatEta(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '--:--';
  const total = Math.ceil(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const SIX_MONTHS_MS = 183 * 24 * 3600 * 1000;

/**
 * A modification time in local time. `wide`: `2026-11-25 21:17` (16 cells); otherwise like
 * `ls -l`: `Nov 25 21:17` for recent times, `Nov 25  2024` for older ones (12 cells).
 */
export function formatMtime(mtime: number, wide: boolean, now = Date.now()): string {
  const d = new Date(mtime);
  const two = (n: number) => String(n).padStart(2, '0');
  if (wide) {
    return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
  }
  const day = String(d.getDate()).padStart(2, ' ');
  const recent = Math.abs(now - mtime) < SIX_MONTHS_MS;
  const tail = recent ? `${two(d.getHours())}:${two(d.getMinutes())}` : ` ${d.getFullYear()}`;
  return `${MONTHS[d.getMonth()]} ${day} ${tail}`;
}

/** Cuts `text` to `width` cells (ending in `…` when cut) and pads it on the right. */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = [...text];
  if (chars.length <= width) return text + ' '.repeat(width - chars.length);
  if (width === 1) return '…';
  return `${chars.slice(0, width - 1).join('')}…`;
}

/** Like `fit`, but keeps the end of the text (`…/deep/folder`), for paths. */
export function fitStart(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = [...text];
  if (chars.length <= width) return text + ' '.repeat(width - chars.length);
  if (width === 1) return '…';
  return `…${chars.slice(chars.length - width + 1).join('')}`;
}

/** Right-aligns `text` in `width` cells (cut on the left when too long). */
export function alignRight(text: string, width: number): string {
  const chars = [...text];
  if (chars.length >= width) return chars.slice(chars.length - width).join('');
  return ' '.repeat(width - chars.length) + text;
}

/** A bar of `width` cells, `fraction` of it filled: `██████░░░░`. */
export function progressBar(fraction: number, width: number): string {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(clamped * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

/** `1 entry`, `3 entries`: a count with its noun. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * Word-wraps `text` into lines of at most `width` cells; a word longer than a line (a path,
 * a fingerprint) is cut into pieces, so nothing is ever lost off the edge.
 */
export function wrapText(text: string, width: number): string[] {
  if (width <= 0) return [];
  // A line that fits is kept as written (indents and double spaces included).
  if ([...text].length <= width) return [text];
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((part) => part !== '')) {
    let rest = [...word];
    const lineLength = [...line].length;
    if (line !== '' && lineLength + 1 + rest.length <= width) {
      line = `${line} ${word}`;
      continue;
    }
    if (line !== '') lines.push(line);
    line = '';
    while (rest.length > width) {
      lines.push(rest.slice(0, width).join(''));
      rest = rest.slice(width);
    }
    line = rest.join('');
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}
