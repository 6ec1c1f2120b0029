// The temporary-name rule (docs/protocol.md §8), one home for server, client and TUI: a file
// being received is written as a hidden sibling of its target and renamed into place once
// verified. `.<name>.cftp-<16 hex>.part` is a one-off upload; `.<name>.cftp-resume-<16 hex>.part`
// is a partial kept for a later resume (its key derives from what is transferred, so the next
// attempt finds it). Such names are never listed and never reachable through the protocol.
// Pure string work: the caller brings the key (random bytes or a digest).

/** Hex digits in a temporary name's key. */
export const TEMP_KEY_HEX_DIGITS = 16;

/**
 * Code points of the target's name kept in a temporary name: a long name still leaves room
 * for the suffix within common 255-byte name limits, and a character is never split.
 */
const TEMP_STEM_CODE_POINTS = 64;

const KEY = /^[0-9a-f]{16}$/;
const TEMP_NAME = /^\..*\.cftp-(resume-)?[0-9a-f]{16}\.part$/;
const RESUME_TEMP_NAME = /^\..*\.cftp-resume-[0-9a-f]{16}\.part$/;

export interface TempNameOptions {
  /** A partial kept for resume (`cftp-resume-`); otherwise a one-off temporary file. */
  resumable?: boolean;
}

/**
 * The temporary name for a file named `name` (a single entry name, not a path). `key` is 16
 * lowercase hex digits: random for a one-off upload, from a digest for a resumable partial.
 */
export function tempName(name: string, key: string, options: TempNameOptions = {}): string {
  if (!KEY.test(key)) {
    throw new RangeError(`temporary-name key must be ${TEMP_KEY_HEX_DIGITS} lowercase hex digits`);
  }
  const stem = [...name].slice(0, TEMP_STEM_CODE_POINTS).join('');
  return `.${stem}.cftp-${options.resumable === true ? 'resume-' : ''}${key}.part`;
}

/** The name of a partial kept for resume: `tempName(name, key, { resumable: true })`. */
export function resumeTempName(name: string, key: string): string {
  return tempName(name, key, { resumable: true });
}

/**
 * The key of a one-off upload's temporary name (§8): 8 hex digits of the writing server's
 * instance id (4 of its host, 4 of the process), then 8 of its creation stamp, seconds
 * since the epoch. On a folder that several servers share (NFS, CephFS), a server's
 * start-up sweep tells files of its own host (a killed predecessor's) from another host's
 * (perhaps a live server's), and their age, by the name alone. The caller keeps each
 * stamp unique within its instance (`nextTempStamp`), so two uploads never share a name.
 */
export function oneOffTempKey(instance: string, stamp: number): string {
  if (!/^[0-9a-f]{8}$/.test(instance))
    throw new RangeError('instance id must be 8 lowercase hex digits');
  return instance + (Math.floor(stamp) % 2 ** 32).toString(16).padStart(8, '0');
}

/**
 * The next creation stamp of an instance: the current second, or one past the last stamp
 * when uploads start faster than one a second (then it runs ahead of the clock a little).
 */
export function nextTempStamp(last: number, now = Date.now()): number {
  return Math.max(Math.floor(now / 1000), last + 1);
}

/** The instance id and creation time (ms) in a one-off temporary name's key (`oneOffTempKey`). */
export function oneOffTempKeyParts(
  name: string,
): { instance: string; host: string; createdMs: number } | undefined {
  const match = /\.cftp-([0-9a-f]{8})([0-9a-f]{8})\.part$/.exec(name);
  if (match === null || !TEMP_NAME.test(name)) return undefined;
  return {
    instance: match[1]!,
    host: match[1]!.slice(0, 4),
    createdMs: Number.parseInt(match[2]!, 16) * 1000,
  };
}

/** True for any temporary name, one-off or resumable: hidden from listings and requests. */
export function isTempName(name: string): boolean {
  return TEMP_NAME.test(name);
}

/** True for the name of a partial kept for resume (a sweep keeps these for a while). */
export function isResumeTempName(name: string): boolean {
  return RESUME_TEMP_NAME.test(name);
}
