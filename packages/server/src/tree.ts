// The `tree` operation (docs/protocol.md §6.10): a whole subtree's entries, depth first, as
// JSON lines on one data channel. It walks through the Storage interface only (list, and
// openRead for digests), so it serves any storage and stays inside its root as they do;
// symlinks are sent as entries and never entered. Bounded like `list`: backpressure from
// the socket (the walk waits while the client does not read), the stall timeout of the data
// channel, MAX_LIST_ENTRIES entries and MAX_TREE_DEPTH folders; the rest counts in `skipped`.
import { pipeline } from 'node:stream/promises';
import {
  checkName,
  type Entry,
  MAX_LIST_ENTRIES,
  MAX_PATH_BYTES,
  MAX_TREE_DEPTH,
  type TreeEntry,
} from '@cftp/protocol';
import { createDigest } from '@cftp/transfer';
import {
  DigestCounter,
  dataError,
  type OperationContext,
  type OperationResult,
  withDataChannel,
} from './operations.js';
import type { Listing, ReadableFile, Subtree } from './storage.js';
import {
  cachedDigest,
  type DigestCache,
  digestCacheOf,
  fileDigest,
  settlesWithin,
} from './tree-digests.js';

/** Lines are joined into writes of about this size: one syscall per many entries. */
const WRITE_BYTES = 64 * 1024;
/** A file read for its digest this long holds back no lines sent before it (they go out). */
const FLUSH_AFTER_MS = 1000;
/** Folders listed ahead of the walk at most (each holds a descriptor and one batch). */
const READ_AHEAD = 16;
/**
 * Entries between two turns of the event loop. The listing works on the calling thread
 * (ListOptions.onThread) and a loopback socket rarely pushes back, so without these turns a
 * whole walk ran as one task: other sessions waited up to its end (1.5 s under load).
 */
const TURN_EVERY = 128;

/** What the walk has sent and left out so far. */
interface WalkState {
  readonly ctx: OperationContext;
  /** The folder asked for: every path is relative to it. */
  readonly top: readonly string[];
  /** UTF-8 bytes of the top's path plus its `/`: a full path must stay addressable (§9). */
  readonly topBytes: number;
  readonly cache: DigestCache | undefined;
  count: number;
  skipped: number;
  /** The entry bound was reached: every level stops. */
  stopped: boolean;
  /** Folders listed ahead of the walk and not reached yet (readAhead). */
  ahead: number;
  /** Lines not sent yet: the walk hands them on WRITE_BYTES at a time, not line by line. */
  text: string;
  /** Entries since the event loop last had a turn (TURN_EVERY). */
  sinceTurn: number;
}

export async function runTree(
  ctx: OperationContext,
  segments: string[],
  request: { digest?: boolean },
): Promise<OperationResult> {
  // Opened (and so checked) before `ready`: ENOENT, ENOTDIR, EACCES are the request's reply.
  // A storage that reads a whole subtree in fewer requests than a listing per folder (S3)
  // gives it at once; the others are walked folder by folder.
  const digests = request.digest === true;
  const source: Listing | { subtree: Subtree } =
    ctx.storage.subtree === undefined
      ? await ctx.storage.list(segments, { identities: digests, onThread: true })
      : { subtree: await ctx.storage.subtree(segments) };
  const topPath = segments.join('/');
  const state: WalkState = {
    ctx,
    top: segments,
    topBytes: topPath === '' ? 0 : Buffer.byteLength(topPath) + 1,
    cache: digests ? digestCacheOf(ctx.storage) : undefined,
    count: 0,
    skipped: 0,
    stopped: false,
    ahead: 0,
    text: '',
    sinceTurn: 0,
  };
  return withDataChannel(
    ctx,
    (channel) => ctx.send({ type: 'ready', id: ctx.id, port: channel.port, token: channel.token }),
    async (socket) => {
      const counter = new DigestCounter(createDigest(ctx.digest));
      async function* chunks() {
        if ('subtree' in source) yield* walkSubtree(state, source.subtree);
        else yield* walkFolder(state, [], source);
        if (state.text !== '') yield state.text;
      }
      try {
        await pipeline(chunks, counter, socket, { signal: ctx.signal });
      } catch (error) {
        throw dataError(error, ctx.signal);
      }
      if (state.skipped > 0) ctx.leftOut(state.skipped);
      return {
        bytes: counter.bytes,
        reply: {
          type: 'done',
          id: ctx.id,
          size: counter.bytes,
          sha256: counter.digest(),
          count: state.count,
          ...(state.skipped > 0 ? { skipped: state.skipped } : {}),
        },
      };
    },
  );
}

/** A folder's listing opened ahead of the walk, its first batch being read (or read). */
interface Opened {
  listing: Listing;
  batches: AsyncIterator<Entry[]>;
  first: Promise<IteratorResult<Entry[]>>;
}

/** Starts listing `folder` (below the top) and reading its first batch. */
async function openFolder(state: WalkState, folder: readonly string[]): Promise<Opened> {
  // Lazy: read at once, so a failure to open it comes from the read (the walker counts it).
  const listing = await state.ctx.storage.list([...state.top, ...folder], {
    identities: state.cache !== undefined,
    lazy: true,
    onThread: true,
  });
  const batches = listing[Symbol.asyncIterator]();
  const first = batches.next();
  first.catch(() => {}); // thrown where it is awaited
  return { listing, batches, first };
}

/**
 * The folders of one batch whose listing starts before the walk reaches them (at most
 * READ_AHEAD in the whole walk): the walk went one folder at a time, each open, check, read
 * and stat a wait on the thread pool while nothing else moved, 500 folders in a row. Lines
 * still go out depth first, in the same order.
 */
function readAhead(state: WalkState, below: readonly string[], batch: readonly Entry[]) {
  const ahead = new Map<Entry, Promise<Opened>>();
  for (const entry of batch) {
    if (entry.type !== 'dir' || state.ahead >= READ_AHEAD) continue;
    const name = wireName(entry.name);
    if (name === undefined) continue; // left out by the walk
    if (below.length + 1 >= MAX_TREE_DEPTH) continue;
    const opened = openFolder(state, [...below, name]);
    opened.catch(() => {}); // thrown where it is awaited
    state.ahead++;
    ahead.set(entry, opened);
  }
  return ahead;
}

/** Closes the listings read ahead that the walk will not reach (it stopped early). */
function dropAhead(state: WalkState, ahead: Map<Entry, Promise<Opened>>): void {
  for (const opened of ahead.values()) {
    state.ahead--;
    opened.then(
      (folder) => folder.batches.return?.().catch(() => {}),
      () => {},
    );
  }
  ahead.clear();
}

/**
 * The lines of one folder's entries and, after each folder's line, of its subtree, added to
 * `state.text`; yields the text when it has grown to WRITE_BYTES (a yield through every
 * level of the walk per line was a good part of a walk's CPU).
 */
async function* walkFolder(
  state: WalkState,
  below: readonly string[],
  listing: Listing,
  opened?: Opened,
): AsyncGenerator<string> {
  const batches = opened?.batches ?? listing[Symbol.asyncIterator]();
  let pending = opened?.first;
  let ahead = new Map<Entry, Promise<Opened>>();
  const prefix = below.length === 0 ? '' : `${below.join('/')}/`;
  try {
    for (;;) {
      const step = await (pending ?? batches.next());
      pending = undefined;
      if (step.done === true) break;
      ahead = readAhead(state, below, step.value);
      for (const entry of step.value) {
        if (state.stopped) return;
        if (state.count >= MAX_LIST_ENTRIES) {
          // Past the bound the walk stops; `skipped` > 0 marks the tree incomplete (§6.10).
          state.stopped = true;
          state.skipped++;
          return;
        }
        const name = wireName(entry.name);
        const path = name === undefined ? undefined : prefix + name;
        let line: TreeEntry | undefined;
        if (path === undefined || !fitsPath(state, path)) line = undefined;
        else if (entry.type !== 'file' || state.cache === undefined) {
          line = plainLine(state, path, entry);
        } else {
          line = cachedLine(state, path, entry, listing.identities?.get(entry.name));
          if (line === undefined) {
            const hashed = hashedLine(state, below, name!, path, entry);
            // A file read for its digest may take seconds: the lines before it go out meanwhile.
            if (state.text !== '' && !(await settlesWithin(hashed, FLUSH_AFTER_MS))) {
              yield takeText(state);
            }
            line = await hashed;
          }
        }
        const early = ahead.get(entry);
        if (early !== undefined) {
          ahead.delete(entry);
          state.ahead--;
        }
        if (line === undefined) {
          state.skipped++;
          if (early !== undefined) dropAhead(state, new Map([[entry, early]]));
          continue;
        }
        if (addLine(state, line)) yield takeText(state);
        if (turnDue(state)) await nextTurn();
        if (entry.type !== 'dir') continue;
        const folder = [...below, name!];
        if (folder.length >= MAX_TREE_DEPTH) {
          state.skipped++; // its content is not walked
          continue;
        }
        try {
          const inner = await (early ?? openFolder(state, folder));
          yield* walkFolder(state, folder, inner.listing, inner);
        } catch (error) {
          if (state.ctx.signal.aborted) throw error;
          state.skipped++; // removed meanwhile, or unreadable: the tree is incomplete
        }
      }
    }
  } finally {
    dropAhead(state, ahead);
    // As `for await` does on an early exit: the listing closes its folder.
    await batches.return?.();
  }
  state.skipped += listing.skipped ?? 0;
}

/**
 * walkFolder's lines for a subtree the storage reads whole (Storage.subtree), in the order it
 * gives them (already depth first), with the same bounds: a folder whose line is left out, or
 * which lies MAX_TREE_DEPTH down, is counted once and what it holds is passed over.
 */
async function* walkSubtree(state: WalkState, subtree: Subtree): AsyncGenerator<string> {
  /** `a/b/`: the storage path of a folder whose entries are passed over, while they come. */
  let passOver: string | undefined;
  for await (const batch of subtree) {
    for (const { below, entry, identity } of batch) {
      if (state.stopped) return;
      const raw = below.length === 0 ? entry.name : `${below.join('/')}/${entry.name}`;
      if (passOver !== undefined) {
        if (raw.startsWith(passOver)) continue;
        passOver = undefined;
      }
      if (below.length >= MAX_TREE_DEPTH) continue; // inside a folder counted below
      if (state.count >= MAX_LIST_ENTRIES) {
        state.stopped = true;
        state.skipped++;
        return;
      }
      const names = [...below, entry.name].map(wireName);
      const path = names.includes(undefined) ? undefined : names.join('/');
      let line: TreeEntry | undefined;
      if (path === undefined || !fitsPath(state, path)) line = undefined;
      else if (entry.type !== 'file' || state.cache === undefined) {
        line = plainLine(state, path, entry);
      } else {
        line = cachedLine(state, path, entry, identity);
        if (line === undefined) {
          const hashed = hashedLine(state, below, entry.name, path, entry);
          if (state.text !== '' && !(await settlesWithin(hashed, FLUSH_AFTER_MS))) {
            yield takeText(state);
          }
          line = await hashed;
        }
      }
      if (line === undefined) {
        state.skipped++;
        if (entry.type === 'dir') passOver = `${raw}/`;
        continue;
      }
      if (addLine(state, line)) yield takeText(state);
      if (turnDue(state)) await nextTurn();
      if (entry.type === 'dir' && below.length + 1 >= MAX_TREE_DEPTH) {
        state.skipped++; // its content is not walked
        passOver = `${raw}/`;
      }
    }
  }
  state.skipped += subtree.skipped ?? 0;
}

/** Adds an entry's line; true when the text has grown to WRITE_BYTES and should go out. */
function addLine(state: WalkState, line: TreeEntry): boolean {
  state.count++;
  state.text += `${JSON.stringify(line)}\n`;
  return state.text.length >= WRITE_BYTES;
}

/** The lines not sent yet, handed on (and no longer held). */
function takeText(state: WalkState): string {
  const text = state.text;
  state.text = '';
  return text;
}

/** Whether the event loop is due a turn (every TURN_EVERY entries). */
function turnDue(state: WalkState): boolean {
  if (++state.sinceTurn < TURN_EVERY) return false;
  state.sinceTurn = 0;
  return true;
}

function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

/** The name as the wire carries it, or undefined when it cannot (it is left out). */
function wireName(name: string): string | undefined {
  // A storage other than the local disk may hold names the wire cannot carry (§9).
  try {
    return checkName(name);
  } catch {
    return undefined;
  }
}

/** A full path must stay addressable (§9): the top's path, `/`, and this one. */
function fitsPath(state: WalkState, path: string): boolean {
  // UTF-8 takes at most 3 bytes per UTF-16 unit: most paths need no encoding to be counted.
  if (state.topBytes + path.length * 3 <= MAX_PATH_BYTES) return true;
  return state.topBytes + Buffer.byteLength(path) <= MAX_PATH_BYTES;
}

/** The line of an entry sent without a digest. */
function plainLine(state: WalkState, path: string, entry: Entry): TreeEntry {
  const line: TreeEntry = { path, type: entry.type, size: entry.size, mtime: entry.mtime };
  if (entry.mode !== undefined) line.mode = entry.mode;
  // A symlink's text only for a peer that listed `links` (§6.9, §6.10).
  if (state.ctx.links === true && entry.target !== undefined) line.target = entry.target;
  return line;
}

/** A file's line with the digest cached for it (known from the listing, unchanged since). */
function cachedLine(
  state: WalkState,
  path: string,
  entry: Entry,
  identity: string | undefined,
): TreeEntry | undefined {
  const known =
    identity === undefined ? undefined : cachedDigest(state.cache!, state.ctx.digest, identity);
  if (known === undefined) return undefined;
  const mode = entry.mode === undefined ? {} : { mode: entry.mode };
  return { path, type: 'file', size: entry.size, mtime: entry.mtime, ...mode, digest: known };
}

/**
 * A file's line with the digest read from the file; undefined when it must be left out (and
 * counted). Without a digest when reading takes longer than treeDigestWaitMs (§6.10: a huge
 * file would leave the stream silent past a client's no-data timeout): the read goes on in
 * the background and fills the cache, one such read per storage at a time. When one is
 * already running, a second slow read is given up instead; quick ones go on as usual.
 */
async function hashedLine(
  state: WalkState,
  below: readonly string[],
  name: string,
  path: string,
  entry: Entry,
): Promise<TreeEntry | undefined> {
  const cache = state.cache!;
  const wait = state.ctx.treeDigestWaitMs;
  const mode = entry.mode === undefined ? {} : { mode: entry.mode };
  let file: ReadableFile;
  try {
    file = await state.ctx.storage.openRead([...state.top, ...below, name]);
  } catch (error) {
    if (state.ctx.signal.aborted) throw error;
    return undefined; // removed meanwhile, or unreadable
  }
  const opened = file;
  const giveUp = new AbortController();
  const signal = AbortSignal.any([state.ctx.signal, giveUp.signal]);
  const hashing = fileDigest(opened, state.ctx.digest, cache, signal).finally(() =>
    opened.close().catch(() => {}),
  );
  // With digests, size and mtime come from the opened file, so they describe the bytes hashed.
  const fileMode = file.mode === undefined ? mode : { mode: file.mode };
  const line: TreeEntry = { path, type: 'file', size: file.size, mtime: file.mtime, ...fileMode };
  if (!(await settlesWithin(hashing, wait))) {
    if (cache.background !== undefined) {
      giveUp.abort();
      return line;
    }
    const background: Promise<void> = hashing.then(
      () => {},
      () => {},
    );
    cache.background = background;
    void background.then(() => {
      if (cache.background === background) cache.background = undefined;
    });
    return line;
  }
  try {
    line.digest = await hashing;
  } catch (error) {
    if (state.ctx.signal.aborted) throw error;
    return undefined; // unreadable
  }
  return line;
}
