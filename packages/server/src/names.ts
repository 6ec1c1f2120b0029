// Names on disk versus names on the wire (docs/protocol.md §6.1, §9): every name a listing
// shows can be reached by the name shown. A name stored in another Unicode form (NFD, from
// another program) is served by its NFC form; a name the protocol cannot carry (not UTF-8, a
// control character, `\`, …) is left out and counted. Folders are read as raw bytes, so a
// name that is not UTF-8 is seen (and counted) rather than mangled by the decoder.
import { isAscii } from 'node:buffer';
import { type Dir, opendirSync } from 'node:fs';
import { lstat, opendir } from 'node:fs/promises';
import { join } from 'node:path';
import { checkName, isTempName } from '@cftp/protocol';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Characters whose canonical decomposition is ASCII: KELVIN SIGN → K, GREEK QUESTION MARK
 * → ;, GREEK VARIA → ` (checked over every code point by the server tests). A name without
 * them and without non-ASCII characters has no other Unicode form.
 */
export const MAY_HAVE_OTHER_FORM = /[^ -~]|[K;`]/;

/** Other-form names a listing remembers per folder; past it, each is looked up on its own. */
const MAX_REMEMBERED_FORMS = 65_536;

/** Node types `encoding` as a text encoding, but 'buffer' gives raw names (Dirent<Buffer>). */
const RAW = 'buffer' as string as BufferEncoding;

/** Opens a folder whose entries come back with their names as bytes. */
export function openRawDir(path: string, bufferSize = 128): Promise<Dir> {
  return opendir(path, { bufferSize, encoding: RAW });
}

/** openRawDir on the calling thread (listings read on the thread: ListOptions.onThread). */
export function openRawDirSync(path: string, bufferSize = 128): Dir {
  return opendirSync(path, { bufferSize, encoding: RAW });
}

/** A raw entry name: Node gives a Buffer for a folder opened by openRawDir. */
export function rawName(name: unknown): Buffer {
  return Buffer.isBuffer(name) ? name : Buffer.from(String(name));
}

/** What the wire can make of an on-disk name. */
export type NameVerdict =
  /** A temporary upload file (§8): never listed, never counted. */
  | { kind: 'temp' }
  /** Not UTF-8, or a name §9 refuses: left out and counted in `done.skipped`. */
  | { kind: 'bad' }
  /** Carried as `nfc`; `name` is the decoded on-disk name (differs when not NFC). */
  | { kind: 'ok'; name: string; nfc: string };

export function judgeName(raw: Buffer): NameVerdict {
  let name: string;
  try {
    // ASCII is its own UTF-8: most names skip the (costlier) checking decoder.
    name = isAscii(raw) ? raw.toString('latin1') : utf8.decode(raw);
  } catch {
    return { kind: 'bad' };
  }
  if (isTempName(name)) return { kind: 'temp' };
  let nfc: string;
  try {
    nfc = checkName(name);
  } catch {
    return { kind: 'bad' };
  }
  if (isTempName(nfc)) return { kind: 'temp' };
  return { kind: 'ok', name, nfc };
}

/** Smaller by bytes: the rule that picks one of several other forms of one NFC name (§9). */
function before(a: string, b: string): boolean {
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) < 0;
}

/**
 * The on-disk entry of folder `dir` that the NFC name `nfc` stands for, when no entry is
 * named exactly `nfc` (the caller checks that): of the entries whose NFC form is `nfc`, the
 * one whose name sorts first by its UTF-8 bytes. Undefined when there is none, or the folder
 * cannot be read (the operation then fails on the name as asked, with its own error).
 */
export async function findOtherForm(dir: string, nfc: string): Promise<string | undefined> {
  let folder: Dir;
  try {
    folder = await openRawDir(dir, 256);
  } catch {
    return undefined;
  }
  let best: string | undefined;
  try {
    for await (const dirent of folder) {
      const verdict = judgeName(rawName(dirent.name));
      if (verdict.kind !== 'ok' || verdict.nfc !== nfc || verdict.name === nfc) continue;
      if (best === undefined || before(verdict.name, best)) best = verdict.name;
    }
  } catch {
    // A folder that fails mid-read resolves nothing; the caller's operation reports it.
  }
  return best;
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

/**
 * The on-disk names of checked NFC `segments` under `root` (§9): each segment that no entry
 * is named exactly, but another form of which is on disk, becomes that entry's name. Only a
 * name lookup: the caller still resolves, opens and checks the result inside the root.
 */
export async function onDiskSegments(root: string, segments: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const segment of segments) {
    if (MAY_HAVE_OTHER_FORM.test(segment)) {
      const dir = join(root, ...out);
      if (!(await exists(join(dir, segment)))) {
        out.push((await findOtherForm(dir, segment)) ?? segment);
        continue;
      }
    }
    out.push(segment);
  }
  return out;
}

/**
 * Decides, during one listing, whether an entry not in NFC is the one its NFC name reaches
 * (§6.1): not when the folder holds the NFC name itself, nor when another form wins the
 * byte-order rule of findOtherForm. The folder is scanned once, on the first such entry.
 */
export class OtherForms {
  private chosen: Map<string, string> | undefined;

  constructor(private readonly dir: string) {}

  async reaches(name: string, nfc: string): Promise<boolean> {
    if (await exists(join(this.dir, nfc))) return false;
    this.chosen ??= await this.scan();
    return (this.chosen.get(nfc) ?? (await findOtherForm(this.dir, nfc))) === name;
  }

  private async scan(): Promise<Map<string, string>> {
    const chosen = new Map<string, string>();
    let folder: Dir;
    try {
      folder = await openRawDir(this.dir, 256);
    } catch {
      return chosen;
    }
    try {
      for await (const dirent of folder) {
        const verdict = judgeName(rawName(dirent.name));
        if (verdict.kind !== 'ok' || verdict.name === verdict.nfc) continue;
        const best = chosen.get(verdict.nfc);
        // Past the bound no new name is remembered (looked up on its own instead), but the
        // ones remembered still see every rival, so what they hold stays right.
        if (best === undefined && chosen.size >= MAX_REMEMBERED_FORMS) continue;
        if (best === undefined || before(verdict.name, best)) chosen.set(verdict.nfc, verdict.name);
      }
    } catch {
      // Read what could be read; reaches() falls back to a lookup of its own.
    }
    return chosen;
  }
}
